import type { Kysely, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';

import type { Touch } from '../../src/touchpoints/touch';
import type { Database, TouchpointTable } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

export type TouchOrigin = 'history' | 'offline';

/**
 * Stores touches idempotently: one row per portal and idempotency key. A second read of the same interaction
 * overwrites it with the current reading, which is what HubSpot correcting a contact's original source needs
 * (that touch has one key per contact); for every other touch the values are the same and nothing changes.
 */
export async function upsertTouches(
  db: Db,
  portalId: number,
  touches: readonly Touch[],
  origin: TouchOrigin,
  now: number,
): Promise<number> {
  if (touches.length === 0) return 0;
  let changed = 0;
  // Chunks keep the statement under SQLite's bound-parameter limit.
  for (let start = 0; start < touches.length; start += 200) {
    const rows = touches
      .slice(start, start + 200)
      .map((touch) => touchRow(portalId, touch, origin, now));
    const result = await db
      .insertInto('touchpoint')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['portal_id', 'idempotency_key'])
          .doUpdateSet({
            at: sql.ref('excluded.at'),
            kind: sql.ref('excluded.kind'),
            channel: sql.ref('excluded.channel'),
            campaign: sql.ref('excluded.campaign'),
            matched_rule: sql.ref('excluded.matched_rule'),
            raw_source: sql.ref('excluded.raw_source'),
            cost_cents: sql.ref('excluded.cost_cents'),
            cost_currency: sql.ref('excluded.cost_currency'),
            note: sql.ref('excluded.note'),
            updated_at: sql.ref('excluded.updated_at'),
          })
          // Only a real correction counts as a change (and moves updated_at).
          .where((eb) =>
            eb.or([
              eb('touchpoint.at', '<>', eb.ref('excluded.at')),
              eb('touchpoint.channel', '<>', eb.ref('excluded.channel')),
              eb('touchpoint.kind', '<>', eb.ref('excluded.kind')),
              eb('touchpoint.raw_source', '<>', eb.ref('excluded.raw_source')),
              eb('touchpoint.matched_rule', '<>', eb.ref('excluded.matched_rule')),
              sql<boolean>`touchpoint.campaign is distinct from excluded.campaign`,
            ]),
          ),
      )
      .executeTakeFirst();
    changed += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return changed;
}

/**
 * Stores touches whose key is not stored yet and leaves existing ones alone. A form submission read by the
 * backfill has the same key as the conversion read from the contact's history; the history reading (with the
 * session's channel) stays authoritative, and the submission only fills in a conversion the history does not
 * show. Returns how many were new.
 */
export async function insertMissingTouches(
  db: Db,
  portalId: number,
  touches: readonly Touch[],
  origin: TouchOrigin,
  now: number,
): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < touches.length; start += 200) {
    const result = await db
      .insertInto('touchpoint')
      .values(
        touches.slice(start, start + 200).map((touch) => touchRow(portalId, touch, origin, now)),
      )
      .onConflict((oc) => oc.columns(['portal_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

function touchRow(portalId: number, touch: Touch, origin: TouchOrigin, now: number) {
  return {
    portal_id: portalId,
    contact_id: Number(touch.contactId),
    at: touch.at,
    kind: touch.kind,
    channel: touch.channel,
    campaign: touch.campaign,
    matched_rule: touch.matchedRule,
    raw_source: JSON.stringify(touch.rawSource),
    cost_cents: touch.cost?.cents ?? null,
    cost_currency: touch.cost?.currency ?? null,
    note: touch.note ?? null,
    origin,
    idempotency_key: touch.idempotencyKey,
    created_at: now,
    updated_at: now,
  };
}

export async function findTouchByKey(
  db: Db,
  portalId: number,
  idempotencyKey: string,
): Promise<Selectable<TouchpointTable> | undefined> {
  return db
    .selectFrom('touchpoint')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}

/** The touches of some contacts in [from, to], oldest first. */
export async function touchesOfContacts(
  db: Db,
  portalId: number,
  contactIds: readonly number[],
  window: { from: number; to: number },
): Promise<Selectable<TouchpointTable>[]> {
  if (contactIds.length === 0) return [];
  const rows: Selectable<TouchpointTable>[] = [];
  for (let start = 0; start < contactIds.length; start += 500) {
    rows.push(
      ...(await db
        .selectFrom('touchpoint')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('contact_id', 'in', contactIds.slice(start, start + 500))
        .where('at', '>=', window.from)
        .where('at', '<=', window.to)
        .execute()),
    );
  }
  return rows.sort((a, b) => Number(a.at) - Number(b.at) || Number(a.id) - Number(b.id));
}

export async function countTouches(db: Db, portalId: number): Promise<number> {
  const row = await db
    .selectFrom('touchpoint')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('portal_id', '=', portalId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
