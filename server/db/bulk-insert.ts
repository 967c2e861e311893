import { type Kysely, sql } from 'kysely';

import type { DatabaseHandle } from './database';
import type { Database } from './schema';

export type BulkColumnType = 'bigint' | 'integer' | 'text' | 'double precision';

/** A column of a bulk insert; the type is what PostgreSQL casts the column's array to. */
export interface BulkColumn<Row> {
  readonly name: string;
  readonly type: BulkColumnType;
  readonly value: (row: Row) => string | number | null;
}

const PG_ROWS = 20_000;

/**
 * Inserts many rows with one statement per batch instead of one per row: on PostgreSQL an
 * `INSERT … SELECT FROM unnest(array, …)` of 20,000 rows (one parameter per column, so no parameter limit);
 * on SQLite one prepared statement run per row, which the driver does at native speed. `db` may be a
 * transaction: on SQLite the raw statements run on the one connection the transaction holds.
 */
export async function bulkInsert<Row>(
  db: Kysely<Database>,
  handle: Pick<DatabaseHandle, 'dialect' | 'sqlite'>,
  table: string,
  columns: readonly BulkColumn<Row>[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map((column) => column.name).join(', ');
  if (handle.dialect === 'sqlite') {
    const raw = handle.sqlite;
    if (!raw) throw new Error('bulkInsert on SQLite needs the raw driver');
    const statement = raw.prepare(
      `insert into ${table} (${names}) values (${columns.map(() => '?').join(', ')})`,
    );
    for (const row of rows) statement.run(...columns.map((column) => column.value(row)));
    return;
  }
  for (let start = 0; start < rows.length; start += PG_ROWS) {
    const batch = rows.slice(start, start + PG_ROWS);
    const arrays = columns.map(
      (column) => sql`${batch.map((row) => column.value(row))}::${sql.raw(column.type)}[]`,
    );
    await sql`insert into ${sql.raw(table)} (${sql.raw(names)}) select * from unnest(${sql.join(arrays)})`.execute(
      db,
    );
  }
}
