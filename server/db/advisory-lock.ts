import { type Kysely, sql } from 'kysely';

import { isPostgres } from './dialect';
import { preparedQuery } from './prepared-query';
import type { Database } from './schema';

/** Locks each open transaction holds (they last until it ends): taking one again costs no round trip. */
const heldLocks = new WeakMap<object, Set<string>>();

function locksOf(trx: Kysely<Database>): Set<string> {
  // Outside a transaction the lock ends with its statement: nothing to remember.
  if (!trx.isTransaction) return new Set();
  let locks = heldLocks.get(trx);
  if (!locks) {
    locks = new Set();
    heldLocks.set(trx, locks);
  }
  return locks;
}

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
  if (!isPostgres(trx)) return;
  const locks = locksOf(trx);
  if (locks.has(`${namespace}\n${key}`)) return;
  await advisoryLock(trx, { namespace, key });
  locks.add(`${namespace}\n${key}`);
}

/**
 * `lockUntilCommit` for many keys in one statement (the webhook worker locks every contact of a batch at
 * once). The keys are locked in sorted order, so two transactions locking overlapping sets this way wait for
 * each other instead of deadlocking.
 */
export async function lockAllUntilCommit(
  trx: Kysely<Database>,
  namespace: string,
  keys: Iterable<string>,
): Promise<void> {
  if (!isPostgres(trx)) return;
  const locks = locksOf(trx);
  const missing = [...new Set(keys)].filter((key) => !locks.has(`${namespace}\n${key}`)).sort();
  if (missing.length === 0) return;
  // unnest yields the array's elements in order, and the function runs once per element as they come.
  await sql`select pg_advisory_xact_lock(hashtext(${namespace}), hashtext(k)) from unnest(${missing}::text[]) as k`.execute(
    trx,
  );
  for (const key of missing) locks.add(`${namespace}\n${key}`);
}

const advisoryLock = preparedQuery(
  (_db, p: { namespace: string; key: string }) =>
    sql`select pg_advisory_xact_lock(hashtext(${p.namespace}), hashtext(${p.key}))`,
);
