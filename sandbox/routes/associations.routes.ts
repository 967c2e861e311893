import type {
  BatchResponsePublicAssociationMultiWithLabel,
  BatchResponsePublicAssociationMultiWithLabelWithErrors,
  MultiAssociatedObjectWithLabel,
} from '@hubspot/api-client/lib/codegen/crm/associations/v4';
import { type Request, type Response, Router } from 'express';

import {
  type ChangeContext,
  type ObjectType,
  parseObjectType,
  PRIMARY_ASSOCIATION_TYPES,
  singularUpper,
} from '../crm-types';
import { notFound, rejectOversizedBatch, standardError } from '../hubspot-errors';
import { iso, type Wire } from '../hubspot-wire';
import type { Portal } from '../portal';

/**
 * HubSpot sends `toObjectId` as a JSON number although the generated model declares a string; the sandbox
 * answers like HubSpot so that Truce's parsing of both spellings is exercised.
 */
type WireAssociated = Omit<Wire<MultiAssociatedObjectWithLabel>, 'toObjectId'> & {
  toObjectId: number;
};
type WireAssociationRow = Omit<
  Wire<BatchResponsePublicAssociationMultiWithLabel>['results'][number],
  'to'
> & { to: WireAssociated[] };
type AssociationBatch = Omit<Wire<BatchResponsePublicAssociationMultiWithLabel>, 'results'> & {
  results: WireAssociationRow[];
};
type AssociationBatchPartial = Omit<
  Wire<BatchResponsePublicAssociationMultiWithLabelWithErrors>,
  'results'
> & { results: WireAssociationRow[] };

const PRIMARY_TYPE_IDS = new Set(PRIMARY_ASSOCIATION_TYPES.map(([, , id]) => id));

function pair(req: Request, res: Response): [ObjectType, ObjectType] | undefined {
  const from = parseObjectType(String(req.params.from));
  const to = parseObjectType(String(req.params.to));
  if (!from || !to) {
    notFound(
      res,
      `Unknown object type: ${!from ? String(req.params.from) : String(req.params.to)}`,
    );
    return undefined;
  }
  return [from, to];
}

/** Associations v4: batch read, and the default (unlabelled) associate/remove of one pair. */
export function associationRoutes(portal: Portal, api: ChangeContext): Router {
  const router = Router();

  router.post('/crm/v4/associations/:from/:to/batch/read', (req, res) => {
    const types = pair(req, res);
    if (!types) return;
    const [from, to] = types;
    const startedAt = Date.now();
    const inputs: Array<{ id?: unknown }> = Array.isArray(req.body?.inputs) ? req.body.inputs : [];
    if (rejectOversizedBatch(res, inputs)) return;
    const results: WireAssociationRow[] = [];
    const errors: ReturnType<typeof standardError>[] = [];
    for (const input of inputs) {
      const id = String(input.id ?? '');
      const rows = portal.get(from, id) ? portal.associations(from, id, to) : [];
      if (rows.length === 0) {
        errors.push(
          standardError(
            'OBJECT_NOT_FOUND',
            `No ${singularUpper(to).toLowerCase()} is associated with ${singularUpper(from).toLowerCase()} ${id}.`,
            { fromObjectId: [id] },
            'crm.associations.NO_ASSOCIATIONS_FOUND',
          ),
        );
        continue;
      }
      results.push({
        from: { id },
        to: rows.map((row) => ({
          toObjectId: Number(row.toId),
          associationTypes: row.typeIds.map((typeId) => ({
            category: 'HUBSPOT_DEFINED' as const,
            typeId,
            ...(PRIMARY_TYPE_IDS.has(typeId) ? { label: 'Primary' } : {}),
          })),
        })),
      });
    }
    const base = {
      status: 'COMPLETE' as const,
      results,
      startedAt: iso(startedAt),
      completedAt: iso(Date.now()),
    };
    if (errors.length === 0) {
      const body: AssociationBatch = base;
      res.json(body);
      return;
    }
    const body: AssociationBatchPartial = { ...base, errors, numErrors: errors.length };
    res.status(207).json(body);
  });

  router.put('/crm/v4/objects/:from/:fromId/associations/default/:to/:toId', (req, res) => {
    const types = pair(req, res);
    if (!types) return;
    const [from, to] = types;
    if (!portal.associate(from, String(req.params.fromId), to, String(req.params.toId), api)) {
      return notFound(res, 'One of the objects does not exist');
    }
    const completedAt = iso(Date.now());
    res.json({ status: 'COMPLETE', results: [], startedAt: completedAt, completedAt });
  });

  router.delete('/crm/v4/objects/:from/:fromId/associations/:to/:toId', (req, res) => {
    const types = pair(req, res);
    if (!types) return;
    const [from, to] = types;
    portal.unassociate(from, String(req.params.fromId), to, String(req.params.toId), api);
    res.status(204).end();
  });

  return router;
}
