import type { CollectionResponsePublicOwnerForwardPaging } from '@hubspot/api-client/lib/codegen/crm/owners';
import type { CollectionResponsePipelineNoPaging } from '@hubspot/api-client/lib/codegen/crm/pipelines';
import type {
  CollectionResponsePropertyGroupNoPaging,
  CollectionResponsePropertyNoPaging,
} from '@hubspot/api-client/lib/codegen/crm/properties';
import { type Request, type Response, Router } from 'express';

import { type ObjectType, parseObjectType } from '../crm-types';
import { notFound, rejectOversizedBatch, sendError, validationError } from '../hubspot-errors';
import { iso, type Wire } from '../hubspot-wire';
import type { Portal } from '../portal';
import type { WireProperty, WirePropertyGroup } from '../portal-definitions';

const VALUE_TYPES = new Set(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']);

function objectType(req: Request, res: Response): ObjectType | undefined {
  const type = parseObjectType(String(req.params.type));
  if (!type) notFound(res, `Unable to infer object type from: ${String(req.params.type)}`);
  return type;
}

/** Validates a PropertyCreate body into the stored Property; undefined after answering 400. */
function propertyFromBody(
  portal: Portal,
  type: ObjectType,
  body: Record<string, unknown>,
  res: Response,
): WireProperty | undefined {
  const { name, label, groupName, type: valueType, fieldType } = body;
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name)) {
    validationError(res, 'name must be lower case letters, digits and underscores');
    return undefined;
  }
  if (typeof label !== 'string' || typeof groupName !== 'string' || typeof fieldType !== 'string') {
    validationError(res, 'label, groupName, type and fieldType are required');
    return undefined;
  }
  if (typeof valueType !== 'string' || !VALUE_TYPES.has(valueType)) {
    validationError(res, `type must be one of ${[...VALUE_TYPES].join(', ')}`);
    return undefined;
  }
  if (!portal.definitions.group(type, groupName)) {
    validationError(res, `Property group ${groupName} does not exist.`);
    return undefined;
  }
  const now = iso(portal.now());
  const options = Array.isArray(body.options)
    ? (body.options as Array<Record<string, unknown>>).map((o, index) => ({
        label: String(o.label ?? o.value),
        value: String(o.value),
        displayOrder: Number(o.displayOrder ?? index),
        hidden: Boolean(o.hidden),
        ...(typeof o.description === 'string' ? { description: o.description } : {}),
      }))
    : [];
  return {
    name,
    label,
    groupName,
    type: valueType,
    fieldType,
    description: typeof body.description === 'string' ? body.description : '',
    options,
    displayOrder: Number(body.displayOrder ?? -1),
    hidden: Boolean(body.hidden),
    formField: Boolean(body.formField),
    hasUniqueValue: Boolean(body.hasUniqueValue),
    calculated: false,
    externalOptions: false,
    hubspotDefined: false,
    archived: false,
    createdAt: now,
    updatedAt: now,
    modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
  };
}

/** Owners with paging, properties and property groups (409 on duplicates), pipelines. */
export function metadataRoutes(portal: Portal): Router {
  const router = Router();
  const defs = portal.definitions;

  router.get('/crm/v3/owners', (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 500);
    const after = Number(req.query.after ?? 0) || 0;
    const email = req.query.email === undefined ? undefined : String(req.query.email);
    const archived = String(req.query.archived) === 'true';
    const owners = defs
      .owners()
      .filter((o) => o.archived === archived && (email === undefined || o.email === email));
    const page = owners.slice(after, after + limit);
    const body: Wire<CollectionResponsePublicOwnerForwardPaging> = {
      results: page,
      ...(after + limit < owners.length
        ? {
            paging: {
              next: {
                after: String(after + limit),
                link: `?limit=${limit}&after=${after + limit}`,
              },
            },
          }
        : {}),
    };
    res.json(body);
  });

  router.get('/crm/v3/owners/:id', (req, res) => {
    const owner = defs.owner(String(req.params.id));
    if (!owner) return notFound(res, `Owner ${String(req.params.id)} not found`);
    res.json(owner);
  });

  router.get('/crm/v3/properties/:type/groups', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const body: Wire<CollectionResponsePropertyGroupNoPaging> = { results: defs.groups(type) };
    res.json(body);
  });

  router.get('/crm/v3/properties/:type/groups/:name', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const group = defs.group(type, String(req.params.name));
    if (!group) return notFound(res, `Property group ${String(req.params.name)} does not exist`);
    res.json(group);
  });

  router.post('/crm/v3/properties/:type/groups', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const { name, label, displayOrder } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof label !== 'string') {
      return validationError(res, 'name and label are required');
    }
    const group: WirePropertyGroup = {
      name,
      label,
      displayOrder: Number(displayOrder ?? -1),
      archived: false,
    };
    if (!defs.addGroup(type, group)) {
      return sendError(
        res,
        409,
        'OBJECT_ALREADY_EXISTS',
        `A property group named '${name}' already exists.`,
      );
    }
    res.status(201).json(group);
  });

  router.get('/crm/v3/properties/:type', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const body: Wire<CollectionResponsePropertyNoPaging> = { results: defs.properties(type) };
    res.json(body);
  });

  router.get('/crm/v3/properties/:type/:name', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const property = defs.property(type, String(req.params.name));
    if (!property) return notFound(res, `Property ${String(req.params.name)} does not exist`);
    res.json(property);
  });

  router.post('/crm/v3/properties/:type', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const property = propertyFromBody(portal, type, req.body ?? {}, res);
    if (!property) return;
    if (!defs.addProperty(type, property)) {
      return sendError(
        res,
        409,
        'OBJECT_ALREADY_EXISTS',
        `Property named '${property.name}' already exists.`,
        { context: { name: [property.name] } },
      );
    }
    res.status(201).json(property);
  });

  router.post('/crm/v3/properties/:type/batch/create', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const startedAt = iso(Date.now());
    const inputs: Array<Record<string, unknown>> = Array.isArray(req.body?.inputs)
      ? req.body.inputs
      : [];
    if (rejectOversizedBatch(res, inputs)) return;
    const results: WireProperty[] = [];
    const errors: Array<Record<string, unknown>> = [];
    for (const input of inputs) {
      const property = propertyFromBody(portal, type, input, res);
      if (!property) return;
      if (defs.addProperty(type, property)) results.push(property);
      else {
        errors.push({
          status: 'error',
          category: 'OBJECT_ALREADY_EXISTS',
          message: `Property named '${property.name}' already exists.`,
          context: { name: [property.name] },
          errors: [],
          links: {},
        });
      }
    }
    res.status(errors.length ? 207 : 201).json({
      status: 'COMPLETE',
      results,
      startedAt,
      completedAt: iso(Date.now()),
      ...(errors.length ? { errors, numErrors: errors.length } : {}),
    });
  });

  router.get('/crm/v3/pipelines/:type', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const body: Wire<CollectionResponsePipelineNoPaging> = { results: defs.pipelines(type) };
    res.json(body);
  });

  router.get('/crm/v3/pipelines/:type/:id', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const pipeline = defs.pipelines(type).find((p) => p.id === String(req.params.id));
    if (!pipeline) return notFound(res, `Pipeline ${String(req.params.id)} does not exist`);
    res.json(pipeline);
  });

  router.get('/crm/v3/pipelines/:type/:id/stages', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const pipeline = defs.pipelines(type).find((p) => p.id === String(req.params.id));
    if (!pipeline) return notFound(res, `Pipeline ${String(req.params.id)} does not exist`);
    res.json({ results: pipeline.stages });
  });

  return router;
}
