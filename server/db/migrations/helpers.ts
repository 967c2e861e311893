import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

import { isPostgres } from '../dialect';

export { isPostgres };

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
