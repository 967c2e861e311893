import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { type DatabaseHandle, type Dialect, openDatabase } from '../../server/db/database';
import { migrateToLatest } from '../../server/db/migrate';

/**
 * The dialects storage tests run on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. Use with
 * `describe.each(dialects)` so every repository test runs once per dialect.
 */
export const dialects: Dialect[] = process.env.TEST_DATABASE_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];

export interface TestDatabase extends DatabaseHandle {
  /** Drops the PostgreSQL schema (SQLite in-memory databases vanish on close). */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database. PostgreSQL tests each get their own schema, so parallel Jest workers never see
 * each other's rows.
 */
export async function createTestDatabase(
  dialect: Dialect,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const handle = await openTestDatabase(dialect);
  if (options.migrate !== false) await migrateToLatest(handle.db);
  return handle;
}

async function openTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const handle = openDatabase({ dialect: 'sqlite', filename: ':memory:' });
    return { ...handle, destroy: () => handle.close() };
  }
  const connectionString = requirePostgresUrl();
  const schema = `truce_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(connectionString, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const handle = openDatabase(
    { dialect: 'postgres', connectionString, poolSize: 5 },
    { searchPath: schema },
  );
  return {
    ...handle,
    destroy: async () => {
      await handle.close();
      await withAdminClient(connectionString, (client) =>
        client.query(`DROP SCHEMA ${schema} CASCADE`),
      );
    },
  };
}

/** A PostgreSQL schema of its own for a test that runs the service in another process. */
export async function createPostgresSchema(): Promise<{
  url: string;
  schema: string;
  drop(): Promise<void>;
}> {
  const connectionString = requirePostgresUrl();
  const schema = `truce_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(connectionString, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    drop: async () => {
      await withAdminClient(connectionString, (client) =>
        client.query(`DROP SCHEMA ${schema} CASCADE`),
      );
    },
  };
}

function requirePostgresUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

async function withAdminClient<T>(
  connectionString: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
