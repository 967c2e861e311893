import { sql } from 'kysely';

import { migrateToLatest, pendingMigrations } from '../../server/db/migrate';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/database';

describe.each(dialects)('database on %s', (dialect) => {
  let database: TestDatabase;

  afterEach(async () => {
    await database?.destroy();
  });

  it('migrates a fresh database, and a second run changes nothing', async () => {
    database = await createTestDatabase(dialect, { migrate: false });
    expect(await pendingMigrations(database.db)).toContain('0001-portal');
    const applied = await migrateToLatest(database.db);
    expect(applied).toContain('0001-portal');
    expect(await pendingMigrations(database.db)).toEqual([]);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('stores and reads a portal with BIGINT values as numbers', async () => {
    database = await createTestDatabase(dialect);
    const bigPortal = 9_007_199_254;
    const millis = 1_790_000_000_123;
    await database.db
      .insertInto('portal')
      .values({
        portal_id: bigPortal,
        name: 'Acme',
        auth_type: 'static',
        status: 'active',
        created_at: millis,
        updated_at: millis,
      })
      .execute();
    const row = await database.db.selectFrom('portal').selectAll().executeTakeFirstOrThrow();
    expect(row).toEqual({
      portal_id: bigPortal,
      name: 'Acme',
      auth_type: 'static',
      status: 'active',
      created_at: millis,
      updated_at: millis,
    });
  });

  it('rolls back a failed transaction completely', async () => {
    database = await createTestDatabase(dialect);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('portal')
          .values({
            portal_id: 1,
            name: 'a',
            auth_type: 'static',
            status: 'active',
            created_at: 1,
            updated_at: 1,
          })
          .execute();
        await trx
          .insertInto('portal')
          .values({
            portal_id: 1,
            name: 'dup',
            auth_type: 'static',
            status: 'active',
            created_at: 1,
            updated_at: 1,
          })
          .execute();
      }),
      // Not `.toThrow()`: better-sqlite3's native addon keeps the error class of the first Jest sandbox that
      // loaded it, so its errors may come from another realm and fail an `instanceof Error` check.
    ).rejects.toMatchObject({ message: expect.stringMatching(/unique|duplicate/i) });
    const { count } = await database.db
      .selectFrom('portal')
      .select(sql<number>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(0);
  });

  if (dialect === 'sqlite') {
    it('runs SQLite in WAL mode with a busy timeout', async () => {
      const { openDatabase } = await import('../../server/db/database');
      const { mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const path = await import('node:path');
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'truce-')), 'wal.sqlite');
      const handle = openDatabase({ dialect: 'sqlite', filename: file });
      database = { ...handle, destroy: () => handle.close() };
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(handle.db);
      const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(handle.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      expect(timeout.rows[0]?.timeout).toBe(5000);
    });

    it.each([
      [undefined, 1],
      ['normal', 1],
      ['full', 2],
    ] as const)('sets synchronous from the config (%s → %d)', async (synchronous, expected) => {
      const { openDatabase } = await import('../../server/db/database');
      const { mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const path = await import('node:path');
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'truce-')), 'sync.sqlite');
      const handle = openDatabase({
        dialect: 'sqlite',
        filename: file,
        ...(synchronous ? { synchronous } : {}),
      });
      database = { ...handle, destroy: () => handle.close() };
      const result = await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db);
      expect(result.rows[0]?.synchronous).toBe(expected);
    });
  }
});

if (dialects.length === 1) {
  describe.skip('database on postgres (SKIPPED: TEST_DATABASE_URL is not set)', () => {
    it('would run every storage test on PostgreSQL', () => undefined);
  });
}
