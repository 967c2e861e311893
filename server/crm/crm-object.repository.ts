import { type Kysely, sql, type Transaction } from 'kysely';

import { type PreparedQuery, preparedQuery } from '../db/prepared-query';
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

/**
 * `applyPropertyChange` for many objects of one type and one column in one statement (at most one change per
 * object). Returns, in input order, whether each change was applied (false: a later change was there).
 */
export async function applyPropertyChanges(
  db: Db,
  type: CrmObjectType,
  column: ContactPropertyColumn | DealPropertyColumn,
  changes: readonly {
    portalId: number;
    objectId: number;
    value: string | number | null;
    occurredAt: number;
  }[],
  now: number,
): Promise<boolean[]> {
  if (changes.length === 0) return [];
  const { table, id } = TABLES[type];
  const versionColumn = `${column}_at`;
  const rows = await db
    .insertInto(table)
    .values(
      changes.map((change) => ({
        portal_id: change.portalId,
        [id]: change.objectId,
        deleted: 0,
        updated_at: now,
        [column]: change.value,
        [versionColumn]: change.occurredAt,
      })) as never,
    )
    .onConflict((oc) =>
      oc
        .columns(['portal_id', id] as never)
        .doUpdateSet({
          [column]: sql.ref(`excluded.${column}`),
          [versionColumn]: sql.ref(`excluded.${versionColumn}`),
          updated_at: sql.ref('excluded.updated_at'),
        } as never)
        .where((eb) =>
          eb.or([
            eb(sql.ref(`${table}.${versionColumn}`), 'is', null),
            eb(sql.ref(`${table}.${versionColumn}`), '<', sql.ref(`excluded.${versionColumn}`)),
          ]),
        ),
    )
    // Only the rows inserted or updated come back: a change the condition refused is stale.
    .returning(['portal_id', id] as never)
    .execute();
  const applied = new Set(
    (rows as Record<string, unknown>[]).map((row) => `${Number(row.portal_id)}:${Number(row[id])}`),
  );
  return changes.map((change) => applied.has(`${change.portalId}:${change.objectId}`));
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

interface NewerWinsTarget {
  type: CrmObjectType;
  portalId: number;
  objectId: number;
  occurredAt: number;
  now: number;
}

/** One prepared upsert per object type, version column and set of columns written (a handful in all). */
const newerWinsQueries = new Map<string, PreparedQuery<Record<string, unknown>, unknown>>();

function newerWinsQuery(
  type: CrmObjectType,
  versionColumn: string,
  columns: readonly string[],
): PreparedQuery<Record<string, unknown>, unknown> {
  const key = `${type}:${versionColumn}:${columns.join(',')}`;
  let query = newerWinsQueries.get(key);
  if (!query) {
    const { table, id } = TABLES[type];
    query = preparedQuery((db, p) => {
      const updates: Record<string, unknown> = { updated_at: p.now };
      for (const column of columns) updates[column] = sql.ref(`excluded.${column}`);
      const values: Record<string, unknown> = {
        portal_id: p.portalId,
        [id]: p.objectId,
        deleted: 0,
        updated_at: p.now,
      };
      for (const column of columns) values[column] = p[column];
      return db
        .insertInto(table)
        .values(values as never)
        .onConflict((oc) =>
          oc
            .columns(['portal_id', id] as never)
            .doUpdateSet(updates as never)
            .where((eb) =>
              eb.or([
                eb(sql.ref(`${table}.${versionColumn}`), 'is', null),
                eb(sql.ref(`${table}.${versionColumn}`), '<', p.occurredAt),
              ]),
            ),
        );
    });
    newerWinsQueries.set(key, query);
  }
  return query;
}

async function newerWins(
  db: Db,
  target: NewerWinsTarget,
  versionColumn: string,
  values: Record<string, string | number | null>,
): Promise<boolean> {
  const columns = Object.keys(values);
  const result = await newerWinsQuery(
    target.type,
    versionColumn,
    columns,
  )(db, {
    ...values,
    portalId: target.portalId,
    objectId: target.objectId,
    occurredAt: target.occurredAt,
    now: target.now,
  });
  return Number(result.numAffectedRows ?? 0) === 1;
}

const dealContactUpsert = preparedQuery(
  (
    db,
    p: {
      portalId: number;
      dealId: number;
      contactId: number;
      associated: number;
      occurredAt: number;
      now: number;
    },
  ) =>
    db
      .insertInto('deal_contact')
      .values({
        portal_id: p.portalId,
        deal_id: p.dealId,
        contact_id: p.contactId,
        associated: p.associated,
        changed_at: p.occurredAt,
        updated_at: p.now,
      })
      .onConflict((oc) =>
        oc
          .columns(['portal_id', 'deal_id', 'contact_id'])
          .doUpdateSet({ associated: p.associated, changed_at: p.occurredAt, updated_at: p.now })
          .where('deal_contact.changed_at', '<', p.occurredAt),
      ),
);

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
  const result = await dealContactUpsert(db, {
    portalId: change.portalId,
    dealId: change.dealId,
    contactId: change.contactId,
    associated: change.associated ? 1 : 0,
    occurredAt: change.occurredAt,
    now: change.now,
  });
  return Number(result.numAffectedRows ?? 0) === 1;
}

const contactById = preparedQuery((db, p: { portalId: number; contactId: number }) =>
  db
    .selectFrom('contact')
    .selectAll()
    .where('portal_id', '=', p.portalId)
    .where('contact_id', '=', p.contactId),
);

const dealById = preparedQuery((db, p: { portalId: number; dealId: number }) =>
  db
    .selectFrom('deal')
    .selectAll()
    .where('portal_id', '=', p.portalId)
    .where('deal_id', '=', p.dealId),
);

export async function findContact(
  db: Db,
  portalId: number,
  contactId: number,
): Promise<ContactTable | undefined> {
  return (await contactById(db, { portalId, contactId })).rows[0];
}

export async function findDeal(
  db: Db,
  portalId: number,
  dealId: number,
): Promise<DealTable | undefined> {
  return (await dealById(db, { portalId, dealId })).rows[0];
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
