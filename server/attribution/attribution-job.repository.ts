import { type Kysely, sql, type Transaction } from 'kysely';

import { preparedQuery } from '../db/prepared-query';
import type { AttributionJobKind, Database } from '../db/schema';
import { activePortalIdsQuery } from '../portals/portal.repository';

type Db = Kysely<Database> | Transaction<Database>;

export interface AttributionJob {
  readonly id: number;
  readonly portalId: number;
  readonly kind: AttributionJobKind;
  readonly objectId: number;
  readonly version: number;
  readonly attempts: number;
}

/** A job nobody will claim again (attempts exhausted); kept for inspection. */
export const DEAD_JOB_DUE_AT = 8_640_000_000_000_000;

/**
 * Asks for a contact's touches to be re-read or a deal to be re-attributed. Called inside the transaction of
 * the change that implies it (webhook handlers), so the request commits exactly once with the change. One row
 * per object: asking again while it waits only bumps its version.
 */
export async function requestAttributionJob(
  db: Db,
  job: { portalId: number; kind: AttributionJobKind; objectId: number },
  now: number,
): Promise<void> {
  await upsertJob(db, { ...job, now });
}

const upsertJob = preparedQuery(
  (db, p: { portalId: number; kind: AttributionJobKind; objectId: number; now: number }) =>
    db
      .insertInto('attribution_job')
      .values({
        portal_id: p.portalId,
        kind: p.kind,
        object_id: p.objectId,
        version: 1,
        due_at: p.now,
        attempts: 0,
        created_at: p.now,
      })
      .onConflict((oc) =>
        oc.columns(['portal_id', 'kind', 'object_id']).doUpdateSet({
          version: sql`attribution_job.version + 1`,
          due_at: p.now,
          attempts: 0,
        }),
      ),
);

/**
 * Claims due jobs of one kind with a lease, in one statement: on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps
 * replicas off each other's rows; a crashed claimer's lease runs out and the jobs come back.
 */
export async function claimAttributionJobs(
  db: Db,
  options: {
    kind: AttributionJobKind;
    now: number;
    limit: number;
    leaseMs: number;
    workerId: string;
    rowLocks: boolean;
  },
): Promise<AttributionJob[]> {
  const due = db
    .selectFrom('attribution_job')
    .select('id')
    .where('kind', '=', options.kind)
    .where('due_at', '<=', options.now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', options.now)]))
    // A deactivated portal's work waits untouched until it installs again (see deactivatePortal).
    .where('portal_id', 'in', activePortalIdsQuery(db))
    .orderBy('due_at')
    .orderBy('id')
    .limit(options.limit)
    .$if(options.rowLocks, (qb) => qb.modifyEnd(sql`for update skip locked`));
  const rows = await db
    .updateTable('attribution_job')
    .set({ claimed_until: options.now + options.leaseMs, claimed_by: options.workerId })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows
    .map((row) => ({
      id: Number(row.id),
      portalId: Number(row.portal_id),
      kind: row.kind,
      objectId: Number(row.object_id),
      version: Number(row.version),
      attempts: Number(row.attempts),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Done: removed unless it was requested again meanwhile, in which case it is released to run again. */
export async function completeAttributionJob(db: Db, job: AttributionJob): Promise<void> {
  const deleted = await db
    .deleteFrom('attribution_job')
    .where('id', '=', job.id)
    .where('version', '=', job.version)
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) {
    await db
      .updateTable('attribution_job')
      .set({ claimed_until: null, claimed_by: null })
      .where('id', '=', job.id)
      .execute();
  }
}

export async function failAttributionJob(
  db: Db,
  job: AttributionJob,
  failure: { error: string; nextAttemptAt: number; dead: boolean },
): Promise<void> {
  await db
    .updateTable('attribution_job')
    .set({
      attempts: job.attempts + 1,
      due_at: failure.dead ? DEAD_JOB_DUE_AT : failure.nextAttemptAt,
      last_error: failure.error.slice(0, 2000),
      claimed_until: null,
      claimed_by: null,
    })
    .where('id', '=', job.id)
    .execute();
}

export async function countPendingJobs(db: Db): Promise<number> {
  const row = await db
    .selectFrom('attribution_job')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('due_at', '<', DEAD_JOB_DUE_AT)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
