import { type Kysely, sql, type Transaction } from 'kysely';

import type { ContactTable, Database, DealTable } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

export type CrmObjectType = 'contact' | 'deal';

export type ContactPropertyColumn = 'lifecyclestage' | 'hs_lead_status' | 'hubspot_owner_id';
export type DealPropertyColumn =
  | 'dealstage'
  | 'amount_cents'
  | 'closedate'
  | 'pipeline'
  | 'deal_currency_code'
  | 'hubspot_owner_id'
  | 'dealname';

const TABLES = {
  contact: { table: 'contact', id: 'contact_id' },
  deal: { table: 'deal', id: 'deal_id' },
} as const;

/**
 * Sets one property unless a change that happened later was already applied (its `_at` is newer). One upsert
 * whose conflict branch carries the comparison, so concurrent workers cannot interleave a read and a write.
 * Returns false for a stale change.
 */
export async function applyPropertyChange(
  db: Db,
  change: {
    type: CrmObjectType;
    portalId: number;
    objectId: number;
    column: ContactPropertyColumn | DealPropertyColumn;
    value: string | number | null;
    occurredAt: number;
    now: number;
  },
): Promise<boolean> {
  const { column } = change;
  return newerWins(db, change, `${column}_at`, {
    [column]: change.value,
    [`${column}_at`]: change.occurredAt,
  });
}

/** Creation, restore and deletion, ordered by `existence_at` like any property. */
export async function applyExistenceChange(
  db: Db,
  change: {
    type: CrmObjectType;
    portalId: number;
    objectId: number;
    deleted: boolean;
    createdAt?: number;
    occurredAt: number;
    now: number;
  },
): Promise<boolean> {
  return newerWins(db, change, 'existence_at', {
    deleted: change.deleted ? 1 : 0,
    existence_at: change.occurredAt,
    ...(change.createdAt !== undefined ? { created_at: change.createdAt } : {}),
  });
}

async function newerWins(
  db: Db,
  target: {
    type: CrmObjectType;
    portalId: number;
    objectId: number;
    occurredAt: number;
    now: number;
  },
  versionColumn: string,
  values: Record<string, string | number | null>,
): Promise<boolean> {
  const { table, id } = TABLES[target.type];
  const updates: Record<string, unknown> = { updated_at: target.now };
  for (const column of Object.keys(values)) updates[column] = sql.ref(`excluded.${column}`);
  const result = await db
    .insertInto(table)
    .values({
      portal_id: target.portalId,
      [id]: target.objectId,
      deleted: 0,
      updated_at: target.now,
      ...values,
    } as never)
    .onConflict((oc) =>
      oc
        .columns(['portal_id', id] as never)
        .doUpdateSet(updates as never)
        .where((eb) =>
          eb.or([
            eb(sql.ref(`${table}.${versionColumn}`), 'is', null),
            eb(sql.ref(`${table}.${versionColumn}`), '<', target.occurredAt),
          ]),
        ),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Adds or removes a deal↔contact association unless a later change of the same pair was applied. */
export async function applyDealContactAssociation(
  db: Db,
  change: {
    portalId: number;
    dealId: number;
    contactId: number;
    associated: boolean;
    occurredAt: number;
    now: number;
  },
): Promise<boolean> {
  const associated = change.associated ? 1 : 0;
  const result = await db
    .insertInto('deal_contact')
    .values({
      portal_id: change.portalId,
      deal_id: change.dealId,
      contact_id: change.contactId,
      associated,
      changed_at: change.occurredAt,
      updated_at: change.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['portal_id', 'deal_id', 'contact_id'])
        .doUpdateSet({ associated, changed_at: change.occurredAt, updated_at: change.now })
        .where('deal_contact.changed_at', '<', change.occurredAt),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findContact(
  db: Db,
  portalId: number,
  contactId: number,
): Promise<ContactTable | undefined> {
  return db
    .selectFrom('contact')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
}

export async function findDeal(
  db: Db,
  portalId: number,
  dealId: number,
): Promise<DealTable | undefined> {
  return db
    .selectFrom('deal')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('deal_id', '=', dealId)
    .executeTakeFirst();
}

export async function findDealContactIds(
  db: Db,
  portalId: number,
  dealId: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('deal_contact')
    .select('contact_id')
    .where('portal_id', '=', portalId)
    .where('deal_id', '=', dealId)
    .where('associated', '=', 1)
    .orderBy('contact_id')
    .execute();
  return rows.map((row) => Number(row.contact_id));
}
