import { sql } from 'kysely';

import type { DatabaseHandle } from './database';
import type { Database } from './schema';

/**
 * Refreshes PostgreSQL's planner statistics of the given tables (`ANALYZE`, which samples about 30,000 rows
 * per table: about a second for a million touches). Without current statistics the planner estimates a few
 * rows per portal and answers `contact_id in (…500 ids…)` by scanning the whole portal's rows, once per chunk:
 * a full recomputation over 1,000,000 touches took 228 s instead of 59 s that way (BENCHMARKS.md, recompute).
 * Statistics are stale exactly when a recomputation is typically run (after a backfill or bulk import, before
 * autovacuum's next analyze, or with autovacuum off). ANALYZE takes a lock that only conflicts with other
 * vacuums, analyzes and schema changes, so readers and writers carry on; a table the role does not own is
 * skipped by PostgreSQL with a warning, not an error. SQLite needs nothing: without `sqlite_stat1` its
 * planner already assumes an index equality is selective.
 */
export async function refreshPlannerStatistics(
  handle: Pick<DatabaseHandle, 'db' | 'dialect'>,
  tables: readonly (keyof Database & string)[],
): Promise<void> {
  if (handle.dialect !== 'postgres' || tables.length === 0) return;
  await sql`analyze ${sql.join(tables.map((table) => sql.table(table)))}`.execute(handle.db);
}
