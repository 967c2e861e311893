import type SQLite from 'better-sqlite3';
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely';

import type { Database, WebhookEventStatus, WebhookEventTable } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

export type WebhookEventRow = Selectable<WebhookEventTable>;
export type NewWebhookEvent = Insertable<WebhookEventTable>;

const DEDUPE_KEY = [
  'portal_id',
  'subscription_id',
  'event_id',
  'occurred_at',
  'object_id',
  'property_name',
] as const;

/** Inserts the events; ones already stored (same dedupe key) are skipped. Returns how many were new. */
export async function insertWebhookEvents(
  db: Db,
  events: readonly NewWebhookEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const result = await db
    .insertInto('webhook_event')
    .values([...events])
    .onConflict((oc) => oc.columns(DEDUPE_KEY).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

const INSERT_COLUMNS = [
  'portal_id',
  'subscription_id',
  'event_id',
  'occurred_at',
  'object_id',
  'property_name',
  'subscription_type',
  'object_type',
  'change',
  'payload',
  'status',
  'attempts',
  'next_attempt_at',
  'received_at',
] as const satisfies readonly (keyof NewWebhookEvent)[];

/**
 * SQLite: a prepared insert of one event, reused for every row (Kysely would prepare a 1,400-parameter
 * statement per batch, which was most of the acknowledgement time). Returns 1 when stored, 0 for a duplicate.
 * Run it only inside a transaction that holds Kysely's connection lock (see `SqliteInboxWriter`).
 */
export function prepareSqliteEventInsert(
  sqlite: SQLite.Database,
): (row: NewWebhookEvent) => number {
  const statement = sqlite.prepare(
    `insert into webhook_event (${INSERT_COLUMNS.join(', ')}) values (${INSERT_COLUMNS.map(() => '?').join(', ')}) ` +
      `on conflict (${DEDUPE_KEY.join(', ')}) do nothing`,
  );
  const values: unknown[] = new Array<unknown>(INSERT_COLUMNS.length);
  return (row) => {
    for (let i = 0; i < INSERT_COLUMNS.length; i += 1) values[i] = row[INSERT_COLUMNS[i]!] ?? null;
    return statement.run(values).changes;
  };
}

export interface ClaimOptions {
  readonly workerId: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
  /** PostgreSQL: skip rows another process is claiming right now instead of waiting for them. */
  readonly skipLocked: boolean;
}

/**
 * Claims due events (pending, or failed and past their backoff) that nobody holds a live lease on. The claim
 * is one statement, so two processes never both get a row; the lease brings a crashed claimer's rows back.
 */
export async function claimDueEvents(db: Db, options: ClaimOptions): Promise<WebhookEventRow[]> {
  const { workerId, now, leaseMs, limit } = options;
  let due = db
    .selectFrom('webhook_event')
    .select('id')
    .where('status', 'in', ['pending', 'failed'])
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claim_expires_at', 'is', null), eb('claim_expires_at', '<=', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit);
  if (options.skipLocked) due = due.forUpdate().skipLocked();
  return db
    .updateTable('webhook_event')
    .set((eb) => ({
      claimed_by: workerId,
      claim_expires_at: now + leaseMs,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/**
 * Marks a claimed event done, but only while the claim is still ours. Run inside the transaction that applies
 * the event: the row lock it takes makes "applied" and "done" one atomic step, so no event is applied twice
 * even when a lease expired and another process took the event over.
 */
export async function completeClaimedEvent(
  trx: Transaction<Database>,
  event: { id: number; workerId: string; now: number; outcome: string },
): Promise<boolean> {
  const result = await trx
    .updateTable('webhook_event')
    .set({
      status: 'done',
      outcome: event.outcome,
      processed_at: event.now,
      claimed_by: null,
      claim_expires_at: null,
    })
    .where('id', '=', event.id)
    .where('claimed_by', '=', event.workerId)
    .where('status', 'in', ['pending', 'failed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The batch form of `completeClaimedEvent`: returns the ids that were still ours (now done, outcome applied). */
export async function completeClaimedEvents(
  trx: Transaction<Database>,
  batch: { ids: readonly number[]; workerId: string; now: number },
): Promise<Set<number>> {
  if (batch.ids.length === 0) return new Set();
  const rows = await trx
    .updateTable('webhook_event')
    .set({
      status: 'done',
      outcome: 'applied',
      processed_at: batch.now,
      claimed_by: null,
      claim_expires_at: null,
    })
    .where('id', 'in', [...batch.ids])
    .where('claimed_by', '=', batch.workerId)
    // `status` inside an expression on purpose: SQLite without statistics would pick the (status,
    // next_attempt_at) index for a bare `status in (…)` and walk every waiting event instead of looking up
    // these few ids (21 ms instead of 0.03 ms with 50,000 events waiting, holding the event loop and the
    // connection that webhook intake needs).
    .where(sql<string>`coalesce(status, '')`, 'in', ['pending', 'failed'])
    .returning('id')
    .execute();
  return new Set(rows.map((row) => Number(row.id)));
}

export async function setEventOutcome(
  db: Db,
  ids: readonly number[],
  outcome: string,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_event')
    .set({ outcome })
    .where('id', 'in', [...ids])
    .execute();
}

export async function recordEventFailure(
  db: Db,
  event: {
    id: number;
    workerId: string;
    status: 'failed' | 'dead';
    nextAttemptAt: number;
    error: string;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_event')
    .set({
      status: event.status,
      next_attempt_at: event.nextAttemptAt,
      last_error: event.error.slice(0, 2000),
      claimed_by: null,
      claim_expires_at: null,
    })
    .where('id', '=', event.id)
    .where('claimed_by', '=', event.workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Single-process SQLite only: claims left by a crashed run of this same process can be dropped at start. */
export async function releaseAllClaims(db: Db): Promise<number> {
  const result = await db
    .updateTable('webhook_event')
    .set({ claimed_by: null, claim_expires_at: null })
    .where('claimed_by', 'is not', null)
    .where('status', 'in', ['pending', 'failed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The inbox statuses a scrape reports: what waits, and what exhausted its attempts. */
export type UnfinishedStatus = Exclude<WebhookEventStatus, 'done'>;

export interface InboxStats {
  readonly counts: Readonly<Record<UnfinishedStatus, number>>;
  /** received_at of the oldest event not yet done or dead. */
  readonly oldestWaitingReceivedAt: number | null;
}

/**
 * Counts only the events not done: the done ones are nearly the whole inbox (until retention deletes them),
 * and counting them took SQLite 200 ms per million rows, on the event loop, at every scrape. The others are
 * found through the `(status, next_attempt_at)` index.
 */
export async function inboxStats(db: Db): Promise<InboxStats> {
  const rows = await db
    .selectFrom('webhook_event')
    .select([
      'status',
      sql<number>`count(*)`.as('n'),
      sql<number | null>`min(received_at)`.as('oldest'),
    ])
    .where('status', 'in', UNFINISHED)
    .groupBy('status')
    .execute();
  const counts: Record<UnfinishedStatus, number> = { pending: 0, failed: 0, dead: 0 };
  let oldest: number | null = null;
  for (const row of rows) {
    if (row.status === 'done') continue;
    counts[row.status] = Number(row.n);
    if ((row.status === 'pending' || row.status === 'failed') && row.oldest !== null) {
      oldest = oldest === null ? Number(row.oldest) : Math.min(oldest, Number(row.oldest));
    }
  }
  return { counts, oldestWaitingReceivedAt: oldest };
}

const UNFINISHED: UnfinishedStatus[] = ['pending', 'failed', 'dead'];

export async function listEventsByStatus(
  db: Db,
  status: WebhookEventStatus,
  limit: number,
): Promise<WebhookEventRow[]> {
  return db
    .selectFrom('webhook_event')
    .selectAll()
    .where('status', '=', status)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Puts dead (or failed) events back in the queue with a fresh attempt budget; the last error stays for audit. */
export async function requeueEvents(
  db: Db,
  selection: { ids: readonly number[] } | { all: true },
  now: number,
): Promise<number> {
  let query = db
    .updateTable('webhook_event')
    .set({
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      claimed_by: null,
      claim_expires_at: null,
    })
    .where('status', 'in', ['dead', 'failed']);
  if ('ids' in selection) {
    if (selection.ids.length === 0) return 0;
    query = query.where('id', 'in', [...selection.ids]);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface PruneOptions {
  /** Done events processed, and occurred, before this instant (ms) may go. */
  readonly before: number;
  readonly limit: number;
  /**
   * Start the index range here: the `reached` of the previous batch of the same run. On PostgreSQL the entries
   * of rows deleted by earlier batches stay in the index until vacuum, and each batch would walk them again.
   */
  readonly from?: number;
  /** PostgreSQL: leave rows another pruner is deleting right now to it instead of waiting for them. */
  readonly skipLocked: boolean;
}

export interface PruneResult {
  readonly deleted: number;
  /** The largest next_attempt_at deleted (the next batch's `from`); undefined when nothing was. */
  readonly reached: number | undefined;
}

/**
 * Done events whose processing and occurrence both lie before `before`, through the (status, next_attempt_at)
 * index: a done event was claimed only once due, so its next_attempt_at is at most its processed_at, and the
 * index range holds every candidate (plus the few that waited long, filtered out by processed_at).
 */
function prunableEvents(db: Db, before: number, from = 0) {
  return db
    .selectFrom('webhook_event')
    .where('status', '=', 'done')
    .where('next_attempt_at', '>=', from)
    .where('next_attempt_at', '<', before)
    .where('processed_at', '<', before)
    .where('occurred_at', '<', before);
}

/** Deletes at most `limit` prunable done events, oldest due first, in one statement. */
export async function pruneDoneEvents(db: Db, options: PruneOptions): Promise<PruneResult> {
  let batch = prunableEvents(db, options.before, options.from)
    .select('id')
    // The order makes PostgreSQL read the index range instead of scanning the table from its start (which,
    // with nothing to delete, reads every row of the retention window); a literal LIMIT as elsewhere.
    .orderBy('next_attempt_at')
    .limit(sql.lit(options.limit));
  if (options.skipLocked) batch = batch.forUpdate().skipLocked();
  const rows = await db
    .deleteFrom('webhook_event')
    .where('id', 'in', batch)
    .returning('next_attempt_at')
    .execute();
  let reached: number | undefined;
  for (const row of rows) reached = Math.max(reached ?? 0, Number(row.next_attempt_at));
  return { deleted: rows.length, reached };
}

/** How many done events `pruneDoneEvents` would delete with this `before` (dry runs). */
export async function countPrunableEvents(db: Db, before: number): Promise<number> {
  const row = await prunableEvents(db, before)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
