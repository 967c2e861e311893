import { type Kysely, PostgresAdapter } from 'kysely';

/**
 * True on PostgreSQL, where several transactions run at once and row locks (`for update`) and advisory locks
 * mean something; SQLite runs one transaction at a time on its one connection and has neither.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any database schema
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
