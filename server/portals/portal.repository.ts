import type SQLite from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';

import type { Database } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** The subset of `portalIds` that are installed and active. */
export async function findActivePortalIds(
  db: Db,
  portalIds: readonly number[],
): Promise<Set<number>> {
  if (portalIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('portal')
    .select('portal_id')
    .where('portal_id', 'in', [...portalIds])
    .where('status', '=', 'active')
    .execute();
  return new Set(rows.map((row) => Number(row.portal_id)));
}

/**
 * SQLite: `findActivePortalIds` for one portal as a reused prepared statement, for the webhook inbox's group
 * commit, which checks portals inside the transaction that stores the events.
 */
export function prepareSqliteActivePortalCheck(
  sqlite: SQLite.Database,
): (portalId: number) => boolean {
  const statement = sqlite
    .prepare(`select 1 from portal where portal_id = ? and status = 'active'`)
    .pluck();
  return (portalId) => statement.get(portalId) !== undefined;
}

/** A private app serves the one account named by HUBSPOT_PORTAL_ID; it counts as installed from the start. */
export async function registerStaticPortal(db: Db, portalId: number, now: number): Promise<void> {
  await db
    .insertInto('portal')
    .values({
      portal_id: portalId,
      name: null,
      auth_type: 'static',
      status: 'active',
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('portal_id').doNothing())
    .execute();
}
