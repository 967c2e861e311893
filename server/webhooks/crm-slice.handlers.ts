import {
  applyDealContactAssociation,
  applyExistenceChange,
  applyPropertyChange,
  applyPropertyChanges,
  type ContactPropertyColumn,
  type CrmObjectType,
  type DealPropertyColumn,
} from '../crm/crm-object.repository';
import {
  parseAmountCents,
  parseText,
  parseTimestamp,
  type PropertyValue,
} from '../crm/hubspot-values';
import {
  type DispatchedEvent,
  type HandlerContext,
  type HandlerOutcome,
  type HandlerRoute,
  matchesRoute,
  type WebhookDispatcher,
} from './dispatcher';

/**
 * Keeps Truce's contact and deal slice current from webhook events: the properties handoff and attribution
 * read, existence (creation, deletion, restore) and deal↔contact associations. Each write is conditional on
 * the event being newer than what was last applied, so late and repeated events are harmless.
 */

interface SlicedProperty<Column> {
  readonly column: Column;
  readonly parse: (value: PropertyValue) => string | number | null;
}

export const CONTACT_PROPERTIES: Readonly<Record<string, SlicedProperty<ContactPropertyColumn>>> = {
  lifecyclestage: { column: 'lifecyclestage', parse: parseText },
  hs_lead_status: { column: 'hs_lead_status', parse: parseText },
  hubspot_owner_id: { column: 'hubspot_owner_id', parse: parseText },
};

export const DEAL_PROPERTIES: Readonly<Record<string, SlicedProperty<DealPropertyColumn>>> = {
  dealstage: { column: 'dealstage', parse: parseText },
  amount: { column: 'amount_cents', parse: parseAmountCents },
  closedate: { column: 'closedate', parse: parseTimestamp },
  pipeline: { column: 'pipeline', parse: parseText },
  deal_currency_code: { column: 'deal_currency_code', parse: parseText },
  hubspot_owner_id: { column: 'hubspot_owner_id', parse: parseText },
  dealname: { column: 'dealname', parse: parseText },
};

const SLICED: Record<
  CrmObjectType,
  Readonly<Record<string, SlicedProperty<ContactPropertyColumn | DealPropertyColumn>>>
> = {
  contact: CONTACT_PROPERTIES,
  deal: DEAL_PROPERTIES,
};

const EXISTENCE_CHANGES = {
  creation: false,
  restore: false,
  deletion: true,
  privacyDeletion: true,
} as const;

/** Property changes written ahead by `preparePropertyChanges`, per transaction: event id → applied. */
const writtenAhead = new WeakMap<object, Map<number, boolean>>();

export function registerCrmSliceHandlers(dispatcher: WebhookDispatcher): void {
  for (const type of ['contact', 'deal'] as const) {
    const route = {
      objectType: type,
      change: 'propertyChange',
      properties: Object.keys(SLICED[type]),
    };
    dispatcher.register(
      `crm-slice:${type}-properties`,
      route,
      async (event, { trx, now }) => {
        const property = SLICED[type][event.propertyName ?? ''];
        if (!property) return 'ignored';
        const ahead = writtenAhead.get(trx)?.get(event.id);
        if (ahead !== undefined) return ahead ? 'applied' : 'stale';
        const applied = await applyPropertyChange(trx, {
          type,
          portalId: event.portalId,
          objectId: event.objectId,
          column: property.column,
          value: property.parse(event.payload.propertyValue),
          occurredAt: event.occurredAt,
          now,
        });
        return applied ? 'applied' : 'stale';
      },
      (events, context) => preparePropertyChanges(type, route, events, context),
    );
    for (const [change, deleted] of Object.entries(EXISTENCE_CHANGES)) {
      dispatcher.register(
        `crm-slice:${type}-${change}`,
        { objectType: type, change },
        async (event, { trx, now }) =>
          (await applyExistenceChange(trx, {
            type,
            portalId: event.portalId,
            objectId: event.objectId,
            deleted,
            ...(change === 'creation' ? { createdAt: event.occurredAt } : {}),
            occurredAt: event.occurredAt,
            now,
          }))
            ? 'applied'
            : 'stale',
      );
    }
    dispatcher.register(
      `crm-slice:${type}-associations`,
      { objectType: type, change: 'associationChange' },
      applyAssociation,
    );
  }
}

/**
 * Writes the property changes that are the first event of their object in the batch, one statement per
 * column, before any handler runs. Only the first: a later handler of the same object (handoff reads the
 * contact's lifecycle stage) must see the object as it was after exactly the events before its own; the other
 * objects' rows are not read by another object's handlers, and each column's newer-wins test is per row.
 */
async function preparePropertyChanges(
  type: CrmObjectType,
  route: HandlerRoute,
  events: readonly DispatchedEvent[],
  { trx, now }: HandlerContext,
): Promise<void> {
  const seen = new Set<string>();
  const byColumn = new Map<string, { event: DispatchedEvent; value: string | number | null }[]>();
  for (const event of events) {
    const object = `${event.portalId}:${event.objectType}:${event.objectId}`;
    if (seen.has(object)) continue;
    seen.add(object);
    const property = SLICED[type][event.propertyName ?? ''];
    if (!property || !matchesRoute(route, event)) continue;
    const group = byColumn.get(property.column) ?? [];
    group.push({ event, value: property.parse(event.payload.propertyValue) });
    byColumn.set(property.column, group);
  }
  if (byColumn.size === 0) return;
  const results = writtenAhead.get(trx) ?? new Map<number, boolean>();
  writtenAhead.set(trx, results);
  for (const [column, group] of byColumn) {
    // Rows in key order: two workers writing overlapping objects lock them in the same order (no deadlock).
    group.sort(
      (a, b) => a.event.portalId - b.event.portalId || a.event.objectId - b.event.objectId,
    );
    const applied = await applyPropertyChanges(
      trx,
      type,
      column as ContactPropertyColumn | DealPropertyColumn,
      group.map(({ event, value }) => ({
        portalId: event.portalId,
        objectId: event.objectId,
        value,
        occurredAt: event.occurredAt,
      })),
      now,
    );
    group.forEach(({ event }, i) => results.set(event.id, applied[i]!));
  }
}

const TYPE_BY_ID: Readonly<Record<string, string>> = { '0-1': 'contact', '0-3': 'deal' };

async function applyAssociation(
  event: DispatchedEvent,
  { trx, now }: HandlerContext,
): Promise<HandlerOutcome> {
  const pair = associationPair(event);
  if (!pair) return 'ignored';
  const applied = await applyDealContactAssociation(trx, {
    portalId: event.portalId,
    ...pair,
    associated: event.payload.associationRemoved !== true,
    occurredAt: event.occurredAt,
    now,
  });
  return applied ? 'applied' : 'stale';
}

/** Legacy events name the pair in `associationType` (CONTACT_TO_DEAL); platform events give type ids. */
export function associationPair(
  event: DispatchedEvent,
): { dealId: number; contactId: number } | undefined {
  const { fromObjectId, toObjectId, associationType, fromObjectTypeId, toObjectTypeId } =
    event.payload;
  if (fromObjectId === undefined || toObjectId === undefined) return undefined;
  let from: string | undefined;
  let to: string | undefined;
  if (associationType) {
    [from, to] = associationType.toLowerCase().split('_to_');
  } else {
    from = fromObjectTypeId ? TYPE_BY_ID[fromObjectTypeId] : event.objectType;
    to = toObjectTypeId ? TYPE_BY_ID[toObjectTypeId] : undefined;
  }
  if (from === 'contact' && to === 'deal') return { contactId: fromObjectId, dealId: toObjectId };
  if (from === 'deal' && to === 'contact') return { dealId: fromObjectId, contactId: toObjectId };
  return undefined;
}
