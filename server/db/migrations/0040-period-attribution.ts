import type { Kysely, Migration } from 'kysely';

/**
 * Data-driven attribution per reporting period: Markov and Shapley credits of every campaign and channel,
 * per currency, computed over the period's stored journeys (won, lost and stale deals, contacts that never
 * became deals). One period's rows are replaced together on each recomputation.
 */
export const periodAttributionMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('period_attribution')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('period', 'text', (col) => col.notNull())
      .addColumn('period_start', 'bigint', (col) => col.notNull())
      .addColumn('period_end', 'bigint', (col) => col.notNull())
      .addColumn('model', 'text', (col) => col.notNull())
      .addColumn('dimension', 'text', (col) => col.notNull())
      .addColumn('currency', 'text', (col) => col.notNull())
      // '' stands for "no campaign" so the key can be part of the primary key.
      .addColumn('key', 'text', (col) => col.notNull())
      .addColumn('conversions', 'double precision', (col) => col.notNull())
      .addColumn('value_cents', 'bigint', (col) => col.notNull())
      .addColumn('removal_effect', 'double precision')
      .addColumn('deals', 'integer', (col) => col.notNull())
      .addColumn('converting', 'integer', (col) => col.notNull())
      .addColumn('non_converting', 'integer', (col) => col.notNull())
      .addColumn('computed_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('period_attribution_pk', [
        'portal_id',
        'period',
        'model',
        'dimension',
        'currency',
        'key',
      ])
      .execute();
    await db.schema
      .createIndex('period_attribution_by_range')
      .on('period_attribution')
      .columns(['portal_id', 'dimension', 'period_start'])
      .execute();
    // The credit export pages by id within a portal (keyset). Without this index SQLite picks the portal's
    // close-date index and sorts every matching row for each page: quadratic in the rows exported.
    await db.schema
      .createIndex('attribution_credit_by_portal_id')
      .on('attribution_credit')
      .columns(['portal_id', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('attribution_credit_by_portal_id').execute();
    await db.schema.dropTable('period_attribution').execute();
  },
};
