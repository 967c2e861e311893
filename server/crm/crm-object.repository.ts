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
  | 'hubspot_owner_id';

const TABLES = {
  contact: { table: 'contact', id: 'contact_id' },
  deal: { table: 'deal', id: 'deal_id' },
} as const;

async function ensureObject(
  db: Db,
  type: CrmObjectType,
  portalId: number,
  objectId: number,
  now: number,
) {
  const { table, id } = TABLES[type];
  await db
    .insertInto(table)
    .values({ portal_id: portalId, [id]: objectId, deleted: 0, updated_at: now } as never)
    .onConflict((oc) => oc.columns(['portal_id', id] as never).doNothing())
    .execute();
}

/**
 * Sets one property unless a change that happened later was already applied (its `_at` is newer). The
 * comparison is in the UPDATE itself, so concurrent workers cannot interleave a read and a write.
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
  const { table, id } = TABLES[change.type];
  await ensureObject(db, change.type, change.portalId, change.objectId, change.now);
  const at = `${change.column}_at`;
  const result = await db
    .updateTable(table)
    .set({
      [change.column]: change.value,
      [at]: change.occurredAt,
      updated_at: change.now,
    } as never)
    .where('portal_id', '=', change.portalId)
    .where(sql.ref(id), '=', change.objectId)
    .where((eb) => eb.or([eb(sql.ref(at), 'is', null), eb(sql.ref(at), '<', change.occurredAt)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
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
  const { table, id } = TABLES[change.type];
  await ensureObject(db, change.type, change.portalId, change.objectId, change.now);
  if (change.createdAt !== undefined) {
    await db
      .updateTable(table)
      .set({ created_at: change.createdAt } as never)
      .where('portal_id', '=', change.portalId)
      .where(sql.ref(id), '=', change.objectId)
      .where((eb) =>
        eb.or([eb('created_at', 'is', null), eb('created_at', '>', change.createdAt!)]),
      )
      .execute();
  }
  const result = await db
    .updateTable(table)
    .set({
      deleted: change.deleted ? 1 : 0,
      existence_at: change.occurredAt,
      updated_at: change.now,
    })
    .where('portal_id', '=', change.portalId)
    .where(sql.ref(id), '=', change.objectId)
    .where((eb) =>
      eb.or([eb('existence_at', 'is', null), eb('existence_at', '<', change.occurredAt)]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
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
