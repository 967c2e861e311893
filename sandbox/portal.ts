import {
  type ChangeContext,
  type CrmRecord,
  defaultAssociationTypeId,
  OBJECT_TYPES,
  type ObjectType,
  type PortalChange,
} from './crm-types';
import { createPortalDefinitions, type PortalDefinitions } from './portal-definitions';
import { createMarketingStore, type MarketingStore } from './portal-marketing';

export type ChangeListener = (change: PortalChange) => void;

export interface AssociationRow {
  readonly toId: string;
  readonly typeIds: readonly number[];
}

/** Properties HubSpot computes itself; the API refuses to write them. */
const READ_ONLY = new Set([
  'hs_object_id',
  'createdate',
  'lastmodifieddate',
  'hs_lastmodifieddate',
]);

/**
 * The in-memory HubSpot account: CRM records with full property history, associations, and the metadata and
 * marketing stores. Every mutation goes through here so that each one produces the portal changes the webhook
 * emitter turns into HubSpot events; the HTTP routes and the admin API are thin callers.
 */
export class Portal {
  readonly definitions: PortalDefinitions;
  readonly marketing: MarketingStore;
  private readonly records = new Map<ObjectType, Map<string, CrmRecord>>();
  /** `${type}:${id}` → target type → target id → type ids. */
  private readonly links = new Map<string, Map<ObjectType, Map<string, Set<number>>>>();
  private readonly nextId = new Map<ObjectType, number>();
  private readonly listeners: ChangeListener[] = [];
  private fixedTime: number | undefined;
  private lastIso: { at: number; text: string } | undefined;

  constructor(
    readonly portalId: number,
    private readonly wallClock: () => number = Date.now,
  ) {
    this.definitions = createPortalDefinitions(wallClock());
    this.marketing = createMarketingStore();
    OBJECT_TYPES.forEach((type, index) => {
      this.records.set(type, new Map());
      // Distinct ranges per type make a mixed-up id fail loudly in a test instead of finding the wrong record.
      this.nextId.set(type, (index + 1) * 10_000_000 + 1);
    });
  }

  /** Portal time: the scenario player pins it so history and `occurredAt` follow the scenario's calendar. */
  now(): number {
    return this.fixedTime ?? this.wallClock();
  }

  setTime(ms: number | undefined): void {
    this.fixedTime = ms;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  get(type: ObjectType, id: string): CrmRecord | undefined {
    const record = this.records.get(type)?.get(id);
    return record && !record.archived ? record : undefined;
  }

  /** Live (not archived) records in id order. */
  list(type: ObjectType): CrmRecord[] {
    return [...(this.records.get(type)?.values() ?? [])].filter((r) => !r.archived);
  }

  count(type: ObjectType): number {
    let n = 0;
    for (const r of this.records.get(type)?.values() ?? []) if (!r.archived) n++;
    return n;
  }

  /** Names of properties the portal does not define; the API answers 400 for them like HubSpot does. */
  unknownProperties(type: ObjectType, properties: Record<string, unknown>): string[] {
    return Object.keys(properties).filter((name) => !this.definitions.property(type, name));
  }

  readOnlyProperties(properties: Record<string, unknown>): string[] {
    return Object.keys(properties).filter((name) => READ_ONLY.has(name));
  }

  create(type: ObjectType, properties: Record<string, string>, context: ChangeContext): CrmRecord {
    const at = this.now();
    const id = String(this.nextId.get(type));
    this.nextId.set(type, Number(id) + 1);
    const record: CrmRecord = {
      type,
      id,
      createdAt: at,
      updatedAt: at,
      archived: false,
      properties: {},
      history: {},
    };
    this.records.get(type)?.set(id, record);
    const system = { source: 'CALCULATED' as const };
    this.write(record, 'hs_object_id', id, at, system);
    this.write(record, 'createdate', new Date(at).toISOString(), at, system);
    this.emit({ kind: 'creation', objectType: type, objectId: id, occurredAt: at, context });
    // HubSpot follows a creation with a property change for every value set at creation.
    for (const [name, value] of Object.entries(properties))
      this.set(record, name, value, at, context);
    this.derive(record, at);
    return record;
  }

  update(
    type: ObjectType,
    id: string,
    properties: Record<string, string>,
    context: ChangeContext,
  ): CrmRecord | undefined {
    const record = this.get(type, id);
    if (!record) return undefined;
    const at = this.now();
    for (const [name, value] of Object.entries(properties))
      this.set(record, name, value, at, context);
    this.derive(record, at);
    return record;
  }

  archive(type: ObjectType, id: string, context: ChangeContext): boolean {
    const record = this.get(type, id);
    if (!record) return false;
    const at = this.now();
    record.archived = true;
    record.archivedAt = at;
    record.updatedAt = at;
    for (const [toType, targets] of this.links.get(`${type}:${id}`) ?? []) {
      for (const toId of [...targets.keys()]) this.unassociate(type, id, toType, toId, context);
    }
    this.emit({ kind: 'deletion', objectType: type, objectId: id, occurredAt: at, context });
    return true;
  }

  /** Associates both directions with the HubSpot-defined pair of type ids (or the given one). */
  associate(
    fromType: ObjectType,
    fromId: string,
    toType: ObjectType,
    toId: string,
    context: ChangeContext,
    typeId = defaultAssociationTypeId(fromType, toType),
  ): boolean {
    const reverseTypeId = defaultAssociationTypeId(toType, fromType);
    if (typeId === undefined || reverseTypeId === undefined) return false;
    if (!this.get(fromType, fromId) || !this.get(toType, toId)) return false;
    const at = this.now();
    const added = this.link(fromType, fromId, toType, toId, typeId);
    this.link(toType, toId, fromType, fromId, reverseTypeId);
    if (added) {
      this.emitAssociation(fromType, fromId, toType, toId, typeId, false, at, context);
      this.emitAssociation(toType, toId, fromType, fromId, reverseTypeId, false, at, context);
    }
    return true;
  }

  unassociate(
    fromType: ObjectType,
    fromId: string,
    toType: ObjectType,
    toId: string,
    context: ChangeContext,
  ): boolean {
    const forward = this.links.get(`${fromType}:${fromId}`)?.get(toType);
    const typeIds = forward?.get(toId);
    if (!forward || !typeIds) return false;
    const at = this.now();
    forward.delete(toId);
    const reverse = this.links.get(`${toType}:${toId}`)?.get(fromType);
    const reverseIds = reverse?.get(fromId);
    reverse?.delete(fromId);
    for (const typeId of typeIds) {
      this.emitAssociation(fromType, fromId, toType, toId, typeId, true, at, context);
    }
    for (const typeId of reverseIds ?? []) {
      this.emitAssociation(toType, toId, fromType, fromId, typeId, true, at, context);
    }
    return true;
  }

  associations(fromType: ObjectType, fromId: string, toType: ObjectType): AssociationRow[] {
    const targets = this.links.get(`${fromType}:${fromId}`)?.get(toType);
    if (!targets) return [];
    return [...targets.entries()]
      .filter(([toId]) => this.get(toType, toId))
      .map(([toId, typeIds]) => ({ toId, typeIds: [...typeIds].sort((a, b) => a - b) }));
  }

  private link(
    fromType: ObjectType,
    fromId: string,
    toType: ObjectType,
    toId: string,
    typeId: number,
  ): boolean {
    const key = `${fromType}:${fromId}`;
    let byType = this.links.get(key);
    if (!byType) this.links.set(key, (byType = new Map()));
    let targets = byType.get(toType);
    if (!targets) byType.set(toType, (targets = new Map()));
    let typeIds = targets.get(toId);
    if (!typeIds) targets.set(toId, (typeIds = new Set()));
    if (typeIds.has(typeId)) return false;
    typeIds.add(typeId);
    return true;
  }

  /** Sets one property; records history and emits a change only when the value really changes. */
  private set(
    record: CrmRecord,
    name: string,
    raw: string | null,
    at: number,
    context: ChangeContext,
  ): void {
    const value = raw ?? '';
    if ((record.properties[name] ?? '') === value) return;
    this.write(record, name, value, at, context);
    this.emit({
      kind: 'propertyChange',
      objectType: record.type,
      objectId: record.id,
      propertyName: name,
      propertyValue: value,
      occurredAt: at,
      context,
    });
  }

  private write(
    record: CrmRecord,
    name: string,
    value: string,
    at: number,
    context: ChangeContext,
  ): void {
    record.properties[name] = value;
    const entries = record.history[name] ?? (record.history[name] = []);
    entries.push({
      value,
      timestamp: at,
      sourceType: context.source,
      ...(context.sourceId !== undefined ? { sourceId: context.sourceId } : {}),
      ...(context.userId !== undefined ? { updatedByUserId: context.userId } : {}),
    });
    record.updatedAt = at;
    const modified = record.type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
    if (name !== modified) record.properties[modified] = this.isoAt(at);
  }

  /** The calculated properties HubSpot keeps in step: closed-won flags on deals, amounts on line items. */
  private derive(record: CrmRecord, at: number): void {
    const calculated: ChangeContext = { source: 'CALCULATED' };
    if (record.type === 'deals' && record.properties.dealstage) {
      const stage = this.definitions.stage('deals', record.properties.dealstage);
      if (stage) {
        const closed = stage.metadata?.isClosed === 'true';
        const won = closed && Number(stage.metadata?.probability) === 1;
        this.set(record, 'hs_is_closed', String(closed), at, calculated);
        this.set(record, 'hs_is_closed_won', String(won), at, calculated);
        this.set(
          record,
          'hs_deal_stage_probability',
          stage.metadata?.probability ?? '0',
          at,
          calculated,
        );
      }
    }
    if (record.type === 'line_items') {
      const price = Number(record.properties.price ?? 0);
      const quantity = Number(record.properties.quantity ?? 1);
      const gross = price * quantity;
      const percent = Number(record.properties.hs_discount_percentage ?? 0);
      const discount = Number(record.properties.discount ?? 0);
      const net = Math.max(0, gross - discount * quantity - (gross * percent) / 100);
      this.set(record, 'amount', String(Math.round(net * 100) / 100), at, calculated);
    }
  }

  /** Writes come in runs at one instant; formatting the date once per instant keeps seeding fast. */
  private isoAt(at: number): string {
    if (this.lastIso?.at !== at) this.lastIso = { at, text: new Date(at).toISOString() };
    return this.lastIso.text;
  }

  private emitAssociation(
    objectType: ObjectType,
    objectId: string,
    toObjectType: ObjectType,
    toObjectId: string,
    associationTypeId: number,
    removed: boolean,
    occurredAt: number,
    context: ChangeContext,
  ): void {
    this.emit({
      kind: 'associationChange',
      objectType,
      objectId,
      toObjectType,
      toObjectId,
      associationTypeId,
      removed,
      occurredAt,
      context,
    });
  }

  private emit(change: PortalChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
