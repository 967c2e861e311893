import type { Kysely, Migration } from 'kysely';

/**
 * What a won deal's attribution needs beyond the webhook slice: the deal name (for the deal card), its list
 * price (read from its line items or a configured property, for gross/net/discount per campaign), each
 * contact's association labels (for contact-role weights) and the values last written back to the deal
 * (so a write-back is enqueued once per change, not once per recomputation).
 */
export const dealPricingMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const dealColumns: Array<[string, 'text' | 'bigint']> = [
      ['dealname', 'text'],
      ['dealname_at', 'bigint'],
      ['list_price_cents', 'bigint'],
      ['line_discount_cents', 'bigint'],
      ['price_source', 'text'],
      ['price_read_at', 'bigint'],
    ];
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    for (const [name, type] of dealColumns) {
      await db.schema.alterTable('deal').addColumn(name, type).execute();
    }
    await db.schema.alterTable('deal_contact').addColumn('role_labels', 'text').execute();
    await db.schema
      .alterTable('deal_attribution_state')
      .addColumn('written_back', 'text')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('deal_attribution_state').dropColumn('written_back').execute();
    await db.schema.alterTable('deal_contact').dropColumn('role_labels').execute();
    for (const name of [
      'price_read_at',
      'price_source',
      'line_discount_cents',
      'list_price_cents',
      'dealname_at',
      'dealname',
    ]) {
      await db.schema.alterTable('deal').dropColumn(name).execute();
    }
  },
};
