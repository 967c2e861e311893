import type { Kysely, Migration } from 'kysely';

/**
 * `truce backfill`: one cursor per portal and stage, so a crashed run continues where it stopped, and the
 * campaign each form and marketing email belongs to (read from the campaigns' assets), which the form and
 * email stages use to give their touches a campaign.
 */
export const backfillMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('backfill_cursor')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('stage', 'text', (col) => col.notNull())
      .addColumn('cursor', 'text')
      .addColumn('done', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('pages', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('items', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('backfill_cursor_pk', ['portal_id', 'stage'])
      .execute();
    await db.schema
      .createTable('campaign_asset')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('asset_type', 'text', (col) => col.notNull())
      .addColumn('asset_id', 'text', (col) => col.notNull())
      .addColumn('campaign_guid', 'text', (col) => col.notNull())
      .addColumn('campaign_name', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('campaign_asset_pk', ['portal_id', 'asset_type', 'asset_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('campaign_asset').execute();
    await db.schema.dropTable('backfill_cursor').execute();
  },
};
