import { type Kysely, sql } from 'kysely';

import type { Database } from '../db/schema';

export interface PurgePlan {
  readonly portalId: number;
  /** Rows per table that carry the portal's id, in deletion order (the portal row itself last). */
  readonly tables: readonly { readonly table: string; readonly rows: number }[];
}

export class PurgeRefused extends Error {
  override name = 'PurgeRefused';
}

/**
 * Every table with a `portal_id` column, found from the live schema rather than a list, so a table added by a
 * later migration cannot be forgotten by purge.
 */
async function portalTables(db: Kysely<Database>): Promise<string[]> {
  const tables = await db.introspection.getTables();
  // PostgreSQL lists every schema's tables; only the service's own schema (the search path) counts.
  const schema = tables.some((table) => table.schema !== undefined)
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  return tables
    .filter((table) => table.schema === schema)
    .filter((table) => !table.isView && table.columns.some((column) => column.name === 'portal_id'))
    .map((table) => table.name)
    .sort((a, b) => (a === 'portal' ? 1 : b === 'portal' ? -1 : a.localeCompare(b)));
}

/**
 * What `truce portal purge` would delete. Refuses an active portal, and one whose retention period has not
 * passed since it was deactivated.
 */
export async function planPortalPurge(
  db: Kysely<Database>,
  portalId: number,
  options: { now: number; retentionDays: number },
): Promise<PurgePlan> {
  const portal = await db
    .selectFrom('portal')
    .select(['status', 'deactivated_at'])
    .where('portal_id', '=', portalId)
    .executeTakeFirst();
  if (!portal) throw new PurgeRefused(`portal ${portalId} is not known here`);
  if (portal.status === 'active')
    throw new PurgeRefused(
      `portal ${portalId} is active; it is purged only after it was uninstalled (or its token revoked) and the retention period passed`,
    );
  const purgeableFrom =
    Number(portal.deactivated_at ?? 0) + options.retentionDays * 24 * 60 * 60 * 1000;
  if (purgeableFrom > options.now)
    throw new PurgeRefused(
      `portal ${portalId} was deactivated ${new Date(Number(portal.deactivated_at)).toISOString()}; its data is kept until ${new Date(purgeableFrom).toISOString()} (oauth.purgeRetentionDays = ${options.retentionDays})`,
    );
  const tables = [];
  for (const table of await portalTables(db)) {
    const { rows } = await db
      .selectFrom(table as keyof Database)
      .select((eb) => eb.fn.countAll<number>().as('rows'))
      .where('portal_id', '=', portalId)
      .executeTakeFirstOrThrow();
    tables.push({ table, rows: Number(rows) });
  }
  return { portalId, tables };
}

/** Deletes every row of the planned portal, in one transaction: all of it goes, or nothing does. */
export async function executePortalPurge(db: Kysely<Database>, plan: PurgePlan): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let deleted = 0;
    for (const { table } of plan.tables) {
      const result = await trx
        .deleteFrom(table as keyof Database)
        .where('portal_id', '=', plan.portalId)
        .executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return deleted;
  });
}
