import type { Kysely, Migration } from 'kysely';

import { autoId } from './helpers';

/**
 * The webhook inbox: every event of a verified batch, stored before HubSpot gets its answer. The unique index
 * is HubSpot's dedupe key; `property_name` is '' (not NULL) when absent because NULLs never collide in a
 * unique index, which would let redelivered creation events in twice.
 */
export const webhookEventMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const id = autoId(db);
    await db.schema
      .createTable('webhook_event')
      .addColumn('id', id.type, id.build)
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('subscription_id', 'bigint', (col) => col.notNull())
      .addColumn('event_id', 'bigint', (col) => col.notNull())
      .addColumn('occurred_at', 'bigint', (col) => col.notNull())
      .addColumn('object_id', 'bigint', (col) => col.notNull())
      .addColumn('property_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('subscription_type', 'text', (col) => col.notNull())
      .addColumn('object_type', 'text', (col) => col.notNull())
      .addColumn('change', 'text', (col) => col.notNull())
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
      .addColumn('outcome', 'text')
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
      .addColumn('last_error', 'text')
      .addColumn('received_at', 'bigint', (col) => col.notNull())
      .addColumn('processed_at', 'bigint')
      .addColumn('claimed_by', 'text')
      .addColumn('claim_expires_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('webhook_event_dedupe')
      .on('webhook_event')
      .columns([
        'portal_id',
        'subscription_id',
        'event_id',
        'occurred_at',
        'object_id',
        'property_name',
      ])
      .unique()
      .execute();
    await db.schema
      .createIndex('webhook_event_due')
      .on('webhook_event')
      .columns(['status', 'next_attempt_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('webhook_event').execute();
  },
};
