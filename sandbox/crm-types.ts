/** The CRM object types the sandbox stores, their HubSpot type ids and the accepted spellings in paths. */
export const OBJECT_TYPES = [
  'contacts',
  'companies',
  'deals',
  'line_items',
  'tasks',
  'products',
] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export const OBJECT_TYPE_IDS: Readonly<Record<ObjectType, string>> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  products: '0-7',
  line_items: '0-8',
  tasks: '0-27',
};

const SINGULAR: Readonly<Record<ObjectType, string>> = {
  contacts: 'contact',
  companies: 'company',
  deals: 'deal',
  products: 'product',
  line_items: 'line_item',
  tasks: 'task',
};

/** `contacts`, `contact`, `0-1` (and upper case) all name the contact type, as in HubSpot's paths. */
export function parseObjectType(raw: string): ObjectType | undefined {
  const name = raw.toLowerCase();
  for (const type of OBJECT_TYPES) {
    if (type === name || SINGULAR[type] === name || OBJECT_TYPE_IDS[type] === name) return type;
  }
  return undefined;
}

export function singularUpper(type: ObjectType): string {
  return SINGULAR[type].toUpperCase();
}

/**
 * HubSpot-defined (unlabelled) association type ids, per direction. The pair for the opposite direction is
 * looked up in the same table, so associating a deal with a contact stores 3 one way and 4 the other.
 */
const DEFAULT_ASSOCIATION_TYPES: ReadonlyArray<readonly [ObjectType, ObjectType, number]> = [
  ['contacts', 'companies', 279],
  ['companies', 'contacts', 280],
  ['deals', 'contacts', 3],
  ['contacts', 'deals', 4],
  ['deals', 'companies', 341],
  ['companies', 'deals', 342],
  ['deals', 'line_items', 19],
  ['line_items', 'deals', 20],
  ['tasks', 'contacts', 204],
  ['contacts', 'tasks', 203],
  ['tasks', 'deals', 216],
  ['deals', 'tasks', 215],
  ['tasks', 'companies', 192],
  ['companies', 'tasks', 191],
];

/** Primary (labelled "Primary") associations HubSpot also reports for contact/deal → company. */
export const PRIMARY_ASSOCIATION_TYPES: ReadonlyArray<readonly [ObjectType, ObjectType, number]> = [
  ['contacts', 'companies', 1],
  ['companies', 'contacts', 2],
  ['deals', 'companies', 5],
  ['companies', 'deals', 6],
];

export function defaultAssociationTypeId(from: ObjectType, to: ObjectType): number | undefined {
  return DEFAULT_ASSOCIATION_TYPES.find(([f, t]) => f === from && t === to)?.[2];
}

/** Where a change came from, as HubSpot names it in `changeSource` and in a history entry's `sourceType`. */
export type ChangeSource =
  | 'API'
  | 'INTEGRATION'
  | 'CRM_UI'
  | 'FORM'
  | 'ANALYTICS'
  | 'EMAIL'
  | 'IMPORT'
  | 'AUTOMATION_PLATFORM'
  | 'CALCULATED'
  | 'SALES';

export interface ChangeContext {
  readonly source: ChangeSource;
  /** e.g. the app id for INTEGRATION, `userId:123` for CRM_UI, a form guid for FORM. */
  readonly sourceId?: string;
  /** A user id when a person made the change. */
  readonly userId?: number;
}

export interface HistoryEntry {
  readonly value: string;
  readonly timestamp: number;
  readonly sourceType: ChangeSource;
  readonly sourceId?: string;
  readonly updatedByUserId?: number;
}

export interface CrmRecord {
  readonly type: ObjectType;
  readonly id: string;
  readonly createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  readonly properties: Record<string, string>;
  /** Oldest first; the API answers newest first. */
  readonly history: Record<string, HistoryEntry[]>;
}

/** What changed in the portal; the webhook emitter turns these into HubSpot events. */
export type PortalChange =
  | {
      readonly kind: 'creation' | 'deletion';
      readonly objectType: ObjectType;
      readonly objectId: string;
      readonly occurredAt: number;
      readonly context: ChangeContext;
    }
  | {
      readonly kind: 'propertyChange';
      readonly objectType: ObjectType;
      readonly objectId: string;
      readonly propertyName: string;
      readonly propertyValue: string;
      readonly occurredAt: number;
      readonly context: ChangeContext;
    }
  | {
      readonly kind: 'associationChange';
      readonly objectType: ObjectType;
      readonly objectId: string;
      readonly toObjectType: ObjectType;
      readonly toObjectId: string;
      readonly associationTypeId: number;
      readonly removed: boolean;
      readonly occurredAt: number;
      readonly context: ChangeContext;
    };
