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

/** Active portals as a subquery: claim queries use it so a deactivated portal's work waits untouched. */
export function activePortalIdsQuery(db: Db) {
  return db.selectFrom('portal').select('portal_id').where('status', '=', 'active');
}

export type PortalStatus = 'active' | 'inactive' | 'needs_reinstall';

/**
 * Takes a portal out of service (uninstalled, or its refresh token was refused). Its data stays until
 * `truce portal purge` after the retention period; reinstalling re-activates it.
 */
export async function deactivatePortal(
  db: Db,
  portalId: number,
  status: Exclude<PortalStatus, 'active'>,
  reason: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('portal')
    .set({ status, status_reason: reason.slice(0, 500), deactivated_at: now, updated_at: now })
    .where('portal_id', '=', portalId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface PortalSummary {
  readonly portalId: number;
  readonly name: string | null;
  readonly authType: string;
  readonly status: string;
  readonly statusReason: string | null;
  readonly deactivatedAt: number | null;
}

export async function listPortals(db: Db): Promise<PortalSummary[]> {
  const rows = await db.selectFrom('portal').selectAll().orderBy('portal_id').execute();
  return rows.map((row) => ({
    portalId: Number(row.portal_id),
    name: row.name,
    authType: row.auth_type,
    status: row.status,
    statusReason: row.status_reason,
    deactivatedAt: row.deactivated_at === null ? null : Number(row.deactivated_at),
  }));
}
