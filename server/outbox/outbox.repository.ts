import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';

import type { Database, HubSpotOutboxTable, OutboxStatus } from '../db/schema';
import { activePortalIdsQuery } from '../portals/portal.repository';
import type { OutboxOperation, OutboxPayload } from './outbox-operations';

type Db = Kysely<Database> | Transaction<Database>;

export interface OutboxItem {
  readonly id: number;
  readonly portalId: number;
  readonly idempotencyKey: string;
  readonly operation: string;
  readonly payload: unknown;
  readonly attempts: number;
}

export interface NewOutboxItem<Op extends OutboxOperation> {
  readonly portalId: number;
  /** Same key, same write: a second enqueue with it is ignored (redelivered events enqueue nothing new). */
  readonly idempotencyKey: string;
  readonly operation: Op;
  readonly payload: OutboxPayload<Op>;
  /** Deliver no earlier than this (epoch ms); defaults to now. */
  readonly notBefore?: number;
}

/** The record a property write changes; creations (tasks) and schema writes have no order to keep. */
function writeTarget(operation: OutboxOperation, payload: unknown): string | null {
  const body = payload as { contactId?: unknown; dealId?: unknown };
  if (operation === 'contact.update') return `contact:${String(body.contactId)}`;
  if (operation === 'deal.update') return `deal:${String(body.dealId)}`;
  return null;
}

/** Stores a write for later delivery; call it inside the transaction of the change that implies it. */
export async function enqueueOutbox<Op extends OutboxOperation>(
  db: Db,
  item: NewOutboxItem<Op>,
  now: number,
): Promise<boolean> {
  const result = await db
    .insertInto('hubspot_outbox')
    .values({
      portal_id: item.portalId,
      idempotency_key: item.idempotencyKey,
      operation: item.operation,
      payload: JSON.stringify(item.payload),
      target: writeTarget(item.operation, item.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: item.notBefore ?? now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['portal_id', 'idempotency_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export interface ClaimOptions {
  readonly now: number;
  readonly limit: number;
  readonly leaseMs: number;
  readonly workerId: string;
  /** PostgreSQL: skip rows another process is claiming right now instead of waiting for them. */
  readonly rowLocks: boolean;
}

/**
 * Claims due items with a lease: a crashed worker's claims expire and the items come back. One statement, so
 * on SQLite it is atomic; on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps replicas off each other's rows.
 */
export async function claimDueOutbox(db: Db, options: ClaimOptions): Promise<OutboxItem[]> {
  const due = db
    .selectFrom('hubspot_outbox')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', options.now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', options.now)]))
    // A deactivated portal's work waits untouched until it installs again (see deactivatePortal).
    .where('portal_id', 'in', activePortalIdsQuery(db))
    // A write waits while an earlier write to the same record is still pending (due later, or in flight).
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('hubspot_outbox as earlier')
            .select('earlier.id')
            .whereRef('earlier.portal_id', '=', 'hubspot_outbox.portal_id')
            .whereRef('earlier.target', '=', 'hubspot_outbox.target')
            .where('earlier.status', '=', 'pending')
            .whereRef('earlier.id', '<', 'hubspot_outbox.id'),
        ),
      ),
    )
    .orderBy('id')
    .limit(options.limit)
    .$if(options.rowLocks, (qb) => qb.modifyEnd(sql`for update skip locked`));

  const rows = await db
    .updateTable('hubspot_outbox')
    .set({ claimed_until: options.now + options.leaseMs, claimed_by: options.workerId })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.id - b.id).map(toItem);
}

export async function completeOutbox(
  db: Db,
  id: number,
  result: unknown,
  now: number,
): Promise<void> {
  await db
    .updateTable('hubspot_outbox')
    .set({
      status: 'done',
      result: result === undefined ? null : JSON.stringify(result),
      claimed_until: null,
      claimed_by: null,
      last_error: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function rescheduleOutbox(
  db: Db,
  id: number,
  change: { nextAttemptAt: number; attempts: number; error: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('hubspot_outbox')
    .set({
      next_attempt_at: change.nextAttemptAt,
      attempts: change.attempts,
      last_error: change.error.slice(0, 2000),
      claimed_until: null,
      claimed_by: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function killOutbox(
  db: Db,
  id: number,
  attempts: number,
  error: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('hubspot_outbox')
    .set({
      status: 'dead',
      attempts,
      last_error: error.slice(0, 2000),
      claimed_until: null,
      claimed_by: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function countOutboxByStatus(
  db: Db,
  portalId?: number,
): Promise<Record<OutboxStatus, number>> {
  const rows = await db
    .selectFrom('hubspot_outbox')
    .select(['status', sql<number>`count(*)`.as('count')])
    .$if(portalId !== undefined, (qb) => qb.where('portal_id', '=', portalId!))
    .groupBy('status')
    .execute();
  const counts: Record<OutboxStatus, number> = { pending: 0, done: 0, dead: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

function toItem(row: Selectable<HubSpotOutboxTable>): OutboxItem {
  return {
    id: row.id,
    portalId: row.portal_id,
    idempotencyKey: row.idempotency_key,
    operation: row.operation,
    payload: JSON.parse(row.payload) as unknown,
    attempts: row.attempts,
  };
}
