import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

/** True when the migration runs on PostgreSQL (a few column types differ; the rest is portable). */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * An auto-increment primary key: `bigserial` on PostgreSQL, `integer primary key autoincrement` on SQLite
 * (the only form SQLite auto-increments).
 */
export function autoId(db: Kysely<unknown>): {
  type: 'bigserial' | 'integer';
  build: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
} {
  return isPostgres(db)
    ? { type: 'bigserial', build: (col) => col.primaryKey() }
    : { type: 'integer', build: (col) => col.primaryKey().autoIncrement() };
}
