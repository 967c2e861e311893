import type { Kysely, Migration } from 'kysely';

import { autoId } from './helpers';

/**
 * The durable outbox of writes to HubSpot. A domain change and the HubSpot writes it implies are stored in
 * one transaction; the outbox worker delivers them later, retrying, so a HubSpot outage loses nothing.
 */
export const hubspotOutboxMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const id = autoId(db);
    await db.schema
      .createTable('hubspot_outbox')
      .addColumn('id', id.type, id.build)
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('idempotency_key', 'text', (col) => col.notNull())
      .addColumn('operation', 'text', (col) => col.notNull())
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
      .addColumn('claimed_until', 'bigint')
      .addColumn('claimed_by', 'text')
      .addColumn('last_error', 'text')
      .addColumn('result', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('hubspot_outbox_idempotency', ['portal_id', 'idempotency_key'])
      .execute();
    await db.schema
      .createIndex('hubspot_outbox_due')
      .on('hubspot_outbox')
      .columns(['status', 'next_attempt_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('hubspot_outbox').execute();
  },
};
