import type {
  SimplePublicObject,
  SimplePublicObjectWithAssociations,
  ValueWithTimestamp,
} from '@hubspot/api-client/lib/codegen/crm/contacts';

import { type CrmRecord, type ObjectType, singularUpper } from './crm-types';
import { iso, type Wire } from './hubspot-wire';
import type { Portal } from './portal';

export type WireObject = Wire<SimplePublicObject>;
export type WireObjectWithAssociations = Wire<SimplePublicObjectWithAssociations>;

/** What HubSpot returns when a request names no properties. */
const DEFAULT_PROPERTIES: Readonly<Record<ObjectType, readonly string[]>> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  deals: [
    'amount',
    'closedate',
    'createdate',
    'dealname',
    'dealstage',
    'hs_lastmodifieddate',
    'hs_object_id',
    'pipeline',
  ],
  products: ['createdate', 'hs_lastmodifieddate', 'hs_object_id', 'name', 'price'],
  line_items: [
    'amount',
    'createdate',
    'hs_lastmodifieddate',
    'hs_object_id',
    'name',
    'price',
    'quantity',
  ],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Requested names always come back (null when unset) beside the identity and timestamps, as HubSpot does. */
function selectedNames(type: ObjectType, requested: readonly string[] | undefined): string[] {
  if (!requested || requested.length === 0) return [...DEFAULT_PROPERTIES[type]];
  const modified = type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
  return [...new Set([...requested, 'hs_object_id', 'createdate', modified])];
}

export function toWireObject(
  record: CrmRecord,
  properties?: readonly string[],
  propertiesWithHistory?: readonly string[],
): WireObject {
  const props: Record<string, string | null> = {};
  for (const name of selectedNames(record.type, properties)) {
    const value = record.properties[name];
    props[name] = value === undefined || value === '' ? null : value;
  }
  const out: WireObject = {
    id: record.id,
    properties: props,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    archived: record.archived,
    ...(record.archivedAt !== undefined ? { archivedAt: iso(record.archivedAt) } : {}),
  };
  if (propertiesWithHistory && propertiesWithHistory.length > 0) {
    const history: Record<string, Wire<ValueWithTimestamp>[]> = {};
    for (const name of propertiesWithHistory) {
      history[name] = [...(record.history[name] ?? [])].reverse().map((entry) => ({
        value: entry.value,
        timestamp: iso(entry.timestamp),
        sourceType: entry.sourceType,
        ...(entry.sourceId !== undefined ? { sourceId: entry.sourceId } : {}),
        ...(entry.updatedByUserId !== undefined ? { updatedByUserId: entry.updatedByUserId } : {}),
      }));
    }
    out.propertiesWithHistory = history;
  }
  return out;
}

/** The v3 `associations` block of a single-object read (`?associations=deals`). */
export function withAssociations(
  portal: Portal,
  record: CrmRecord,
  wire: WireObject,
  associationTypes: readonly ObjectType[],
): WireObjectWithAssociations {
  if (associationTypes.length === 0) return wire;
  const associations: NonNullable<WireObjectWithAssociations['associations']> = {};
  for (const toType of associationTypes) {
    const rows = portal.associations(record.type, record.id, toType);
    if (rows.length === 0) continue;
    associations[toType] = {
      results: rows.flatMap((row) =>
        row.typeIds.map(() => ({
          id: row.toId,
          type: `${singularUpper(record.type)}_TO_${singularUpper(toType)}`.toLowerCase(),
        })),
      ),
    };
  }
  return { ...wire, associations };
}

/** A query parameter that may be repeated or comma-separated. */
export function listParam(raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
