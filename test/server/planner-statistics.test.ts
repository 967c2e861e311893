import { sql } from 'kysely';

import { refreshPlannerStatistics } from '../../server/db/planner-statistics';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/database';

describe.each(dialects)('planner statistics on %s', (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    await database.db
      .insertInto('contact')
      .values(
        Array.from({ length: 300 }, (_, index) => ({
          portal_id: 1,
          contact_id: index + 1,
          deleted: 0,
          updated_at: 1,
        })),
      )
      .execute();
  });
  afterEach(async () => {
    await database.destroy();
  });

  it('refreshes the row estimates of the given tables on PostgreSQL and leaves SQLite alone', async () => {
    await refreshPlannerStatistics(database, ['contact', 'deal']);
    if (dialect === 'postgres') {
      // reltuples is -1 for a table never analyzed or vacuumed; ANALYZE sets it to the rows it counted.
      const estimates = await sql<{ relname: string; reltuples: number }>`
        select relname, reltuples from pg_class
        where relnamespace = current_schema()::regnamespace and relname in ('contact', 'deal')
        order by relname`.execute(database.db);
      expect(estimates.rows.map((row) => [row.relname, Number(row.reltuples)])).toEqual([
        ['contact', 300],
        ['deal', 0],
      ]);
    } else {
      // SQLite's planner needs no statistics for these lookups; none are written.
      const stats = await sql<{ name: string }>`
        select name from sqlite_master where name like 'sqlite_stat%'`.execute(database.db);
      expect(stats.rows).toEqual([]);
    }
  });
});
