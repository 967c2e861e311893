import type {
  BatchResponseSimplePublicObject,
  BatchResponseSimplePublicObjectWithErrors,
  CollectionResponseSimplePublicObjectWithAssociationsForwardPaging,
  CollectionResponseWithTotalSimplePublicObjectForwardPaging,
} from '@hubspot/api-client/lib/codegen/crm/contacts';
import { type Request, type Response, Router } from 'express';

import {
  isKnownOperator,
  matchesGroups,
  matchesQuery,
  parseSorts,
  SEARCH_LIMITS,
  type SearchFilter,
  sortRecords,
} from '../crm-search';
import { listParam, toWireObject, type WireObject, withAssociations } from '../crm-serialize';
import {
  type ChangeContext,
  type CrmRecord,
  type ObjectType,
  parseObjectType,
  singularUpper,
} from '../crm-types';
import {
  notFound,
  rejectOversizedBatch,
  sendError,
  standardError,
  validationError,
} from '../hubspot-errors';
import { iso, type Wire } from '../hubspot-wire';
import type { Portal } from '../portal';

type BatchOk = Wire<BatchResponseSimplePublicObject>;
type BatchPartial = Wire<BatchResponseSimplePublicObjectWithErrors>;
type SearchPage = Wire<CollectionResponseWithTotalSimplePublicObjectForwardPaging>;
type ListPage = Wire<CollectionResponseSimplePublicObjectWithAssociationsForwardPaging>;

interface AssociationInput {
  readonly to?: { readonly id?: string | number };
  readonly types?: ReadonlyArray<{ readonly associationTypeId?: number }>;
}

function objectType(req: Request, res: Response): ObjectType | undefined {
  const type = parseObjectType(String(req.params.type));
  if (!type) notFound(res, `Unable to infer object type from: ${String(req.params.type)}`);
  return type;
}

function asProperties(raw: unknown): Record<string, string> | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    out[name] = value === null || value === undefined ? '' : String(value);
  }
  return out;
}

/** HubSpot's 400 for writes naming properties the portal does not have, or ones it computes itself. */
function rejectInvalidProperties(
  portal: Portal,
  res: Response,
  type: ObjectType,
  properties: Record<string, string>,
): boolean {
  const unknown = portal.unknownProperties(type, properties);
  const readOnly = portal.readOnlyProperties(properties);
  if (unknown.length === 0 && readOnly.length === 0) return false;
  const messages = [
    ...unknown.map((name) => `Property "${name}" does not exist`),
    ...readOnly.map((name) => `"${name}" is a read only property; its value cannot be set.`),
  ];
  sendError(
    res,
    400,
    'VALIDATION_ERROR',
    `Property values were not valid: ${messages.join('; ')}`,
    {
      errors: [...unknown, ...readOnly].map((name) => ({
        message: `Property "${name}" is not writable`,
        code: unknown.includes(name) ? 'PROPERTY_DOESNT_EXIST' : 'READ_ONLY_VALUE',
        context: { propertyName: [name] },
      })),
    },
  );
  return true;
}

function batchEnvelope(
  results: WireObject[],
  errors: ReturnType<typeof standardError>[],
  startedAt: number,
): { status: number; body: BatchOk | BatchPartial } {
  const base = {
    status: 'COMPLETE' as const,
    results,
    startedAt: iso(startedAt),
    completedAt: iso(Date.now()),
  };
  if (errors.length === 0) return { status: 200, body: base };
  return { status: 207, body: { ...base, errors, numErrors: errors.length } };
}

function missingError(type: ObjectType, ids: string[]): ReturnType<typeof standardError> {
  return standardError(
    'OBJECT_NOT_FOUND',
    `Could not get some ${singularUpper(type)} objects, they may be deleted or not exist. Check that ids are valid.`,
    { ids },
  );
}

/** CRM objects v3: get, list, create, patch, delete, batch read/update/create and search. */
export function crmObjectRoutes(portal: Portal, api: ChangeContext): Router {
  const router = Router();

  router.post('/crm/v3/objects/:type/batch/read', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const startedAt = Date.now();
    const inputs: Array<{ id?: unknown }> = Array.isArray(req.body?.inputs) ? req.body.inputs : [];
    if (rejectOversizedBatch(res, inputs)) return;
    const properties = Array.isArray(req.body?.properties) ? req.body.properties.map(String) : [];
    const history = Array.isArray(req.body?.propertiesWithHistory)
      ? req.body.propertiesWithHistory.map(String)
      : [];
    const idProperty = typeof req.body?.idProperty === 'string' ? req.body.idProperty : undefined;
    const results: WireObject[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const id = String(input.id ?? '');
      const record = idProperty
        ? portal.list(type).find((r) => r.properties[idProperty] === id)
        : portal.get(type, id);
      if (record) results.push(toWireObject(record, properties, history));
      else missing.push(id);
    }
    const { status, body } = batchEnvelope(
      results,
      missing.length ? [missingError(type, missing)] : [],
      startedAt,
    );
    res.status(status).json(body);
  });

  router.post('/crm/v3/objects/:type/batch/update', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const startedAt = Date.now();
    const inputs: Array<{ id?: unknown; properties?: unknown }> = Array.isArray(req.body?.inputs)
      ? req.body.inputs
      : [];
    if (rejectOversizedBatch(res, inputs)) return;
    const parsed = inputs.map((input) => ({
      id: String(input.id ?? ''),
      properties: asProperties(input.properties) ?? {},
    }));
    const all = Object.assign({}, ...parsed.map((p) => p.properties)) as Record<string, string>;
    if (rejectInvalidProperties(portal, res, type, all)) return;
    const results: WireObject[] = [];
    const missing: string[] = [];
    for (const input of parsed) {
      const record = portal.update(type, input.id, input.properties, api);
      if (record) results.push(toWireObject(record, Object.keys(input.properties)));
      else missing.push(input.id);
    }
    const { status, body } = batchEnvelope(
      results,
      missing.length ? [missingError(type, missing)] : [],
      startedAt,
    );
    res.status(status).json(body);
  });

  router.post('/crm/v3/objects/:type/batch/create', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const startedAt = Date.now();
    const inputs: Array<{ properties?: unknown; associations?: AssociationInput[] }> =
      Array.isArray(req.body?.inputs) ? req.body.inputs : [];
    if (rejectOversizedBatch(res, inputs)) return;
    const parsed = inputs.map((input) => asProperties(input.properties) ?? {});
    const all = Object.assign({}, ...parsed) as Record<string, string>;
    if (rejectInvalidProperties(portal, res, type, all)) return;
    const results = inputs.map((input, index) => {
      const record = portal.create(type, parsed[index] ?? {}, api);
      associateAll(portal, record, input.associations, api);
      return toWireObject(record, Object.keys(parsed[index] ?? {}));
    });
    res.status(201).json(batchEnvelope(results, [], startedAt).body);
  });

  router.post('/crm/v3/objects/:type/search', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const groups = (Array.isArray(body.filterGroups) ? body.filterGroups : []) as Array<{
      filters?: SearchFilter[];
    }>;
    const filterCount = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
    if (
      groups.length > SEARCH_LIMITS.maxFilterGroups ||
      groups.some((g) => (g.filters?.length ?? 0) > SEARCH_LIMITS.maxFiltersPerGroup) ||
      filterCount > SEARCH_LIMITS.maxFilters
    ) {
      validationError(
        res,
        `Too many filters: at most ${SEARCH_LIMITS.maxFilterGroups} filterGroups of ${SEARCH_LIMITS.maxFiltersPerGroup} filters, ${SEARCH_LIMITS.maxFilters} in all.`,
      );
      return;
    }
    const unknownOperator = groups
      .flatMap((g) => g.filters ?? [])
      .find((f) => !isKnownOperator(String(f.operator)));
    if (unknownOperator) {
      validationError(res, `Unknown filter operator: ${String(unknownOperator.operator)}`);
      return;
    }
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    const after = body.after === undefined ? 0 : Number(body.after);
    if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMITS.maxPageSize) {
      validationError(res, `limit must be between 1 and ${SEARCH_LIMITS.maxPageSize}`);
      return;
    }
    if (!Number.isInteger(after) || after < 0 || after + limit > SEARCH_LIMITS.maxResults) {
      validationError(
        res,
        `Search results are limited to ${SEARCH_LIMITS.maxResults} per query; narrow the filters instead of paging further.`,
      );
      return;
    }
    const query = typeof body.query === 'string' ? body.query : undefined;
    const matching = portal.list(type).filter(
      (record) =>
        matchesGroups(
          record,
          groups.map((g) => ({ filters: g.filters ?? [] })),
        ) && matchesQuery(record, query),
    );
    const sorted = sortRecords(matching, parseSorts(body.sorts));
    const properties = Array.isArray(body.properties) ? body.properties.map(String) : [];
    const page = sorted.slice(after, after + limit).map((r) => toWireObject(r, properties));
    const next = after + limit;
    const response: SearchPage = {
      total: matching.length,
      results: page,
      ...(next < sorted.length && next < SEARCH_LIMITS.maxResults
        ? { paging: { next: { after: String(next) } } }
        : {}),
    };
    res.json(response);
  });

  router.get('/crm/v3/objects/:type', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const limit = Math.min(Number(req.query.limit ?? 10) || 10, 100);
    const after = req.query.after === undefined ? undefined : String(req.query.after);
    const records = portal
      .list(type)
      .filter((r) => after === undefined || Number(r.id) > Number(after));
    const page = records.slice(0, limit);
    const associationTypes = listParam(req.query.associations).flatMap(
      (t) => parseObjectType(t) ?? [],
    );
    const response: ListPage = {
      results: page.map((record) =>
        withAssociations(
          portal,
          record,
          toWireObject(
            record,
            listParam(req.query.properties),
            listParam(req.query.propertiesWithHistory),
          ),
          associationTypes,
        ),
      ),
      ...(records.length > limit && page.length > 0
        ? { paging: { next: { after: (page.at(-1) as CrmRecord).id } } }
        : {}),
    };
    res.json(response);
  });

  router.get('/crm/v3/objects/:type/:id', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const record = portal.get(type, String(req.params.id));
    if (!record) return notFound(res);
    const associationTypes = listParam(req.query.associations).flatMap(
      (t) => parseObjectType(t) ?? [],
    );
    res.json(
      withAssociations(
        portal,
        record,
        toWireObject(
          record,
          listParam(req.query.properties),
          listParam(req.query.propertiesWithHistory),
        ),
        associationTypes,
      ),
    );
  });

  router.post('/crm/v3/objects/:type', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const properties = asProperties(req.body?.properties) ?? {};
    if (rejectInvalidProperties(portal, res, type, properties)) return;
    const record = portal.create(type, properties, api);
    associateAll(portal, record, req.body?.associations, api);
    res.status(201).json(toWireObject(record, Object.keys(properties)));
  });

  router.patch('/crm/v3/objects/:type/:id', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const properties = asProperties(req.body?.properties);
    if (!properties) return validationError(res, 'properties is required');
    if (rejectInvalidProperties(portal, res, type, properties)) return;
    const record = portal.update(type, String(req.params.id), properties, api);
    if (!record) return notFound(res);
    res.json(toWireObject(record, Object.keys(properties)));
  });

  router.delete('/crm/v3/objects/:type/:id', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    portal.archive(type, String(req.params.id), api);
    // HubSpot answers 204 whether or not the record existed.
    res.status(204).end();
  });

  return router;
}

/** The `associations` of a create body; unknown targets are skipped as HubSpot's create would refuse them. */
function associateAll(
  portal: Portal,
  record: CrmRecord,
  associations: unknown,
  api: ChangeContext,
): void {
  if (!Array.isArray(associations)) return;
  for (const association of associations as AssociationInput[]) {
    const toId = String(association.to?.id ?? '');
    const typeId = association.types?.[0]?.associationTypeId;
    for (const toType of ['contacts', 'deals', 'companies', 'line_items', 'tasks'] as const) {
      if (!portal.get(toType, toId)) continue;
      if (portal.associate(record.type, record.id, toType, toId, api, typeId)) break;
    }
  }
}
