import type { Kysely, Migration } from 'kysely';

/**
 * Closed reporting periods: a frozen copy of every deal's credits per model at the close, so finance's numbers
 * never change silently; later differences are reported as adjustments against this snapshot.
 */
export const periodCloseMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('period_close')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('period', 'text', (col) => col.notNull())
      .addColumn('period_start', 'bigint', (col) => col.notNull())
      .addColumn('period_end', 'bigint', (col) => col.notNull())
      .addColumn('closed_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('period_close_pk', ['portal_id', 'period'])
      .execute();
    await db.schema
      .createTable('period_snapshot')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('period', 'text', (col) => col.notNull())
      .addColumn('deal_id', 'bigint', (col) => col.notNull())
      .addColumn('model', 'text', (col) => col.notNull())
      .addColumn('currency', 'text', (col) => col.notNull())
      .addColumn('amount_cents', 'bigint', (col) => col.notNull())
      .addColumn('credits', 'text', (col) => col.notNull())
      .addPrimaryKeyConstraint('period_snapshot_pk', ['portal_id', 'period', 'deal_id', 'model'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('period_snapshot').execute();
    await db.schema.dropTable('period_close').execute();
  },
};
