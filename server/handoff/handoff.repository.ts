import { type Kysely, type Selectable, sql, type Transaction, type Updateable } from 'kysely';

import type { RotationCounter } from '../../src/handoff/routing';
import { preparedQuery } from '../db/prepared-query';
import type { Database, HandoffRowStatus, HandoffTable } from '../db/schema';
import { activePortalIdsQuery } from '../portals/portal.repository';

export type Db = Kysely<Database> | Transaction<Database>;

export type HandoffRow = Selectable<HandoffTable>;

/**
 * Opens an episode for a contact that became an MQL at `triggerAt`. The unique (portal, contact, trigger_at)
 * key makes a redelivered event a no-op; returns the new row, or undefined when it existed.
 */
export async function openHandoff(
  db: Db,
  open: { portalId: number; contactId: number; triggerAt: number; now: number },
): Promise<HandoffRow | undefined> {
  const previous = (await lastEpisode(db, open)).rows[0];
  const inserted = await insertEpisode(db, {
    ...open,
    episode: Number(previous?.episode ?? 0) + 1,
  });
  return inserted.rows[0];
}

const lastEpisode = preparedQuery((db, p: { portalId: number; contactId: number }) =>
  db
    .selectFrom('handoff')
    .select(sql<number>`coalesce(max(episode), 0)`.as('episode'))
    .where('portal_id', '=', p.portalId)
    .where('contact_id', '=', p.contactId),
);

const insertEpisode = preparedQuery(
  (
    db,
    p: { portalId: number; contactId: number; episode: number; triggerAt: number; now: number },
  ) =>
    db
      .insertInto('handoff')
      .values({
        portal_id: p.portalId,
        contact_id: p.contactId,
        episode: p.episode,
        status: 'scoring',
        trigger_at: p.triggerAt,
        scoring_attempts: 0,
        next_attempt_at: p.now,
        created_at: p.now,
        updated_at: p.now,
      })
      .onConflict((oc) => oc.columns(['portal_id', 'contact_id', 'trigger_at']).doNothing())
      .returningAll(),
);

/** The contact's current episode (the highest episode number), whatever its status. */
export async function latestHandoff(
  db: Db,
  portalId: number,
  contactId: number,
  options: { forUpdate?: boolean } = {},
): Promise<HandoffRow | undefined> {
  const query = options.forUpdate === true ? latestEpisodeForUpdate : latestEpisode;
  return (await query(db, { portalId, contactId })).rows[0];
}

const latestEpisodeQuery = (forUpdate: boolean) =>
  preparedQuery((db, p: { portalId: number; contactId: number }) =>
    db
      .selectFrom('handoff')
      .selectAll()
      .where('portal_id', '=', p.portalId)
      .where('contact_id', '=', p.contactId)
      .orderBy('episode', 'desc')
      // A literal, not a bound parameter: SQLite runs this lookup 8× slower with `limit ?` (19 µs instead of
      // 2.5 µs on a busy inbox file), and the webhook worker runs it for every contact change.
      .limit(sql.lit(1))
      .$if(forUpdate, (qb) => qb.forUpdate()),
  );
const latestEpisode = latestEpisodeQuery(false);
const latestEpisodeForUpdate = latestEpisodeQuery(true);

export async function findHandoff(db: Db, id: number): Promise<HandoffRow | undefined> {
  return db.selectFrom('handoff').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Writes a change to one episode only if it is still in one of `fromStatuses`: the status an event was
 * decided on. False means someone else moved it first, and the caller must not act on its decision.
 */
export async function updateHandoff(
  db: Db,
  id: number,
  fromStatuses: readonly HandoffRowStatus[],
  patch: Updateable<HandoffTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('handoff')
    .set(patch)
    .where('id', '=', id)
    .where('status', 'in', fromStatuses)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** One line of an episode's history, as stored (`detail` is JSON text). */
type HistoryRow = {
  portalId: number;
  handoffId: number;
  event: string;
  from: string | null;
  to: string;
  actor: string;
  detail: string | null;
  at: number;
};

export async function appendHandoffHistory(
  db: Db,
  entry: Omit<HistoryRow, 'detail'> & { detail?: unknown },
): Promise<void> {
  await insertHistory(db, {
    ...entry,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  });
}

const insertHistory = preparedQuery((db, p: HistoryRow) =>
  db.insertInto('handoff_history').values({
    portal_id: p.portalId,
    handoff_id: p.handoffId,
    event: p.event,
    from_status: p.from,
    to_status: p.to,
    actor: p.actor,
    detail: p.detail,
    at: p.at,
  }),
);

export async function handoffHistory(db: Db, handoffId: number) {
  return db
    .selectFrom('handoff_history')
    .selectAll()
    .where('handoff_id', '=', handoffId)
    .orderBy('id')
    .execute();
}

/**
 * Claims episodes waiting for scoring with a lease (a crashed worker's claims come back). One UPDATE over a
 * sub-select; on PostgreSQL `SKIP LOCKED` keeps replicas on different episodes.
 */
export async function claimHandoffsToScore(
  db: Db,
  options: { now: number; limit: number; leaseMs: number; workerId: string; rowLocks: boolean },
): Promise<HandoffRow[]> {
  const due = db
    .selectFrom('handoff')
    .select('id')
    .where('status', '=', 'scoring')
    .where('next_attempt_at', '<=', options.now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', options.now)]))
    // A deactivated portal's work waits untouched until it installs again (see deactivatePortal).
    .where('portal_id', 'in', activePortalIdsQuery(db))
    .orderBy('id')
    .limit(options.limit)
    .$if(options.rowLocks, (qb) => qb.modifyEnd(sql`for update skip locked`));
  const rows = await db
    .updateTable('handoff')
    .set({ claimed_until: options.now + options.leaseMs, claimed_by: options.workerId })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.id - b.id);
}

/** Pending episodes whose reminder or due time has come; locked (skip-locked) on PostgreSQL. */
export async function selectSweepCandidates(
  db: Db,
  options: { now: number; limit: number; rowLocks: boolean },
): Promise<HandoffRow[]> {
  return db
    .selectFrom('handoff')
    .selectAll()
    .where('status', '=', 'pending')
    .where('first_touch_at', 'is', null)
    .where('sla_due_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('sla_due_at', '<', options.now),
        eb.and([eb('reminder_sent_at', 'is', null), eb('sla_reminder_at', '<=', options.now)]),
      ]),
    )
    .orderBy('sla_due_at')
    .limit(options.limit)
    .$if(options.rowLocks, (qb) => qb.modifyEnd(sql`for update skip locked`))
    .execute();
}

/**
 * The rotation counters of a portal's pools. On PostgreSQL a transaction-scoped advisory lock per portal is
 * taken first, so two replicas routing at once take turns (row locks alone would not cover a pool's very
 * first pick, when there are no rows to lock yet). SQLite transactions are serialised anyway.
 */
export async function readRoutingCounters(
  db: Db,
  portalId: number,
  rowLocks: boolean,
): Promise<RotationCounter[]> {
  if (rowLocks)
    await sql`select pg_advisory_xact_lock(hashtextextended(${`truce-routing:${portalId}`}, 0))`.execute(
      db,
    );
  const rows = await db
    .selectFrom('routing_counter')
    .select(['pool', 'owner_id', 'current'])
    .where('portal_id', '=', portalId)
    .orderBy('pool')
    .orderBy('owner_id')
    .execute();
  return rows.map((row) => ({
    pool: row.pool,
    ownerId: row.owner_id,
    current: Number(row.current),
  }));
}

export async function writeRoutingCounters(
  db: Db,
  portalId: number,
  counters: readonly RotationCounter[],
  now: number,
): Promise<void> {
  for (const counter of counters) {
    await db
      .insertInto('routing_counter')
      .values({
        portal_id: portalId,
        pool: counter.pool,
        owner_id: counter.ownerId,
        current: counter.current,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['portal_id', 'pool', 'owner_id'])
          .doUpdateSet({ current: counter.current, updated_at: now }),
      )
      .execute();
  }
}

/** Scored episodes of a portal that became MQLs in [from, to), for the handoff report. */
export async function handoffsForReport(
  db: Db,
  portalId: number,
  range: { from: number; to: number },
): Promise<HandoffRow[]> {
  return db
    .selectFrom('handoff')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('trigger_at', '>=', range.from)
    .where('trigger_at', '<', range.to)
    .orderBy('trigger_at')
    .execute();
}
