import { type Kysely, type Migration, sql } from 'kysely';

/**
 * A contact's property-change events by time. When an MQL opens a handoff episode, the webhook worker reads
 * back the touches of that contact processed before it (they can arrive first); without this index that read
 * walked every processed event of the inbox, about 170 µs per episode with 60,000 events and growing with the
 * inbox (milliseconds per episode with millions, inside a transaction that holds SQLite's one connection).
 * Partial, so intake maintains it only for the events it serves (about 0.04 ms more per 50-event batch).
 */
export const webhookEventContactChangesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('webhook_event_contact_change')
      .on('webhook_event')
      .columns(['portal_id', 'object_id', 'occurred_at'])
      .where(sql.ref('object_type'), '=', 'contact')
      .where(sql.ref('change'), '=', 'propertyChange')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('webhook_event_contact_change').execute();
  },
};
