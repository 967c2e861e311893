import type { Kysely, Migration } from 'kysely';

/**
 * The slice of HubSpot CRM state Truce needs. Each property column has an `_at` twin: the `occurredAt` of the
 * change last applied, so an event that arrives late never overwrites newer state. Existence (creation,
 * deletion, restore) is ordered the same way through `existence_at`.
 */
export const crmObjectMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('contact')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('contact_id', 'bigint', (col) => col.notNull())
      .addColumn('lifecyclestage', 'text')
      .addColumn('lifecyclestage_at', 'bigint')
      .addColumn('hs_lead_status', 'text')
      .addColumn('hs_lead_status_at', 'bigint')
      .addColumn('hubspot_owner_id', 'text')
      .addColumn('hubspot_owner_id_at', 'bigint')
      .addColumn('created_at', 'bigint')
      .addColumn('deleted', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('existence_at', 'bigint')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('contact_pk', ['portal_id', 'contact_id'])
      .execute();

    await db.schema
      .createTable('deal')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'bigint', (col) => col.notNull())
      .addColumn('dealstage', 'text')
      .addColumn('dealstage_at', 'bigint')
      .addColumn('amount_cents', 'bigint')
      .addColumn('amount_cents_at', 'bigint')
      .addColumn('closedate', 'bigint')
      .addColumn('closedate_at', 'bigint')
      .addColumn('pipeline', 'text')
      .addColumn('pipeline_at', 'bigint')
      .addColumn('deal_currency_code', 'text')
      .addColumn('deal_currency_code_at', 'bigint')
      .addColumn('hubspot_owner_id', 'text')
      .addColumn('hubspot_owner_id_at', 'bigint')
      .addColumn('created_at', 'bigint')
      .addColumn('deleted', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('existence_at', 'bigint')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('deal_pk', ['portal_id', 'deal_id'])
      .execute();

    await db.schema
      .createTable('deal_contact')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'bigint', (col) => col.notNull())
      .addColumn('contact_id', 'bigint', (col) => col.notNull())
      .addColumn('associated', 'integer', (col) => col.notNull())
      .addColumn('changed_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('deal_contact_pk', ['portal_id', 'deal_id', 'contact_id'])
      .execute();
    await db.schema
      .createIndex('deal_contact_by_contact')
      .on('deal_contact')
      .columns(['portal_id', 'contact_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('deal_contact').execute();
    await db.schema.dropTable('deal').execute();
    await db.schema.dropTable('contact').execute();
  },
};
