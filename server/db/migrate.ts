import { type Kysely, type MigrationResultSet, Migrator, PostgresAdapter, sql } from 'kysely';

import { migrations } from './migrations';
import type { Database } from './schema';

/**
 * On PostgreSQL the migration tables are pinned to the connection's current schema: Kysely otherwise looks
 * for them in every schema of the database, so another schema's `kysely_migration_lock` (a parallel test, a
 * second deployment) makes it skip creating its own and fail.
 */
async function migratorFor(db: Kysely<Database>): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration; returns the names applied in this call. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await (await migratorFor(db)).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new MigrationError(
      `migration ${failed ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`,
      results,
    );
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((r) => r.migrationName);
}

/** Names of migrations known to the code but not yet applied to this database. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await (await migratorFor(db)).getMigrations();
  return all.filter((migration) => !migration.executedAt).map((migration) => migration.name);
}
