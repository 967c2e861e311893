import { type Kysely, PostgresAdapter, sql } from 'kysely';

import { preparedQuery } from './prepared-query';
import type { Database } from './schema';

/**
 * Serialises transactions that touch one logical thing (e.g. one contact's handoff) until commit. On
 * PostgreSQL several workers and replicas run transactions at once, so this takes a transaction-scoped
 * advisory lock (a hash collision only serialises a little more); SQLite runs one transaction at a time on its
 * one connection, so there is nothing to do.
 */
export async function lockUntilCommit(
  trx: Kysely<Database>,
  namespace: string,
  key: string,
): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  await advisoryLock(trx, { namespace, key });
}

const advisoryLock = preparedQuery(
  (_db, p: { namespace: string; key: string }) =>
    sql`select pg_advisory_xact_lock(hashtext(${p.namespace}), hashtext(${p.key}))`,
);
