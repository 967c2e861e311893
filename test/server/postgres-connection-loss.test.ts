import { sql } from 'kysely';
import pg from 'pg';

import { databaseUnavailable } from '../../server/db/database-unavailable';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/database';

(dialects.includes('postgres') ? describe : describe.skip)(
  'a PostgreSQL connection lost mid-transaction',
  () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase('postgres', { migrate: false });
    });

    afterAll(async () => {
      await database.destroy();
    });

    // Regression: a checked-out client's 'error' event had no listener, so a PostgreSQL restart crashed the
    // whole service (Jest reports the unhandled 'error' as a failure of this test).
    it('fails the transaction with an unavailability error instead of crashing, and the pool reconnects', async () => {
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      try {
        const outcome = await database.db
          .transaction()
          .execute(async (trx) => {
            const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(
              trx,
            );
            // What a restart does to every session: the server ends it (57P01 admin_shutdown).
            await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
            await new Promise((resolve) => setTimeout(resolve, 200));
            await sql`select 1`.execute(trx);
          })
          .then(
            () => 'committed',
            (error: unknown) => databaseUnavailable(error)?.reason ?? `other: ${String(error)}`,
          );
        expect(outcome).not.toBe('committed');
        expect(outcome).not.toMatch(/^other/);
        const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
        expect(rows).toEqual([{ one: 1 }]);
      } finally {
        await admin.end();
      }
    });
  },
);
