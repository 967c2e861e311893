import { type Kysely, PostgresAdapter } from 'kysely';

/** Migrations see `Kysely<unknown>`; the few dialect differences (auto-increment ids) are decided here. */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
