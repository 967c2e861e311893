import type { Kysely, Migration } from 'kysely';

/**
 * The record a HubSpot property write changes (`contact:501`, `deal:77`), so writes to one record are
 * delivered in the order they were queued: a write retried after a 5xx or a 429 must not land after a later
 * write to the same property and leave HubSpot with the stale value.
 */
export const outboxWriteTargetMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('hubspot_outbox').addColumn('target', 'text').execute();
    await db.schema
      .createIndex('hubspot_outbox_target_idx')
      .on('hubspot_outbox')
      .columns(['portal_id', 'target', 'status', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('hubspot_outbox_target_idx').execute();
    await db.schema.alterTable('hubspot_outbox').dropColumn('target').execute();
  },
};
