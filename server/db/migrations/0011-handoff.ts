import type { Kysely, Migration } from 'kysely';

import { autoId } from './helpers';

/**
 * Handoff episodes (one per time a contact became an MQL), their audit trail, and the routing rotation. The
 * unique trigger key makes a redelivered MQL event open nothing new; the lease columns let a worker and the
 * SLA sweeper claim episodes without two replicas acting on the same one.
 */
export const handoffMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const id = autoId(db);
    await db.schema
      .createTable('handoff')
      .addColumn('id', id.type, id.build)
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('contact_id', 'bigint', (col) => col.notNull())
      .addColumn('episode', 'integer', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('trigger_at', 'bigint', (col) => col.notNull())
      .addColumn('scoring_attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
      .addColumn('claimed_until', 'bigint')
      .addColumn('claimed_by', 'text')
      .addColumn('last_error', 'text')
      .addColumn('scored_at', 'bigint')
      .addColumn('score', 'double precision')
      .addColumn('grade', 'text')
      .addColumn('explanation', 'text')
      .addColumn('owner_id', 'text')
      .addColumn('assignment_reason', 'text')
      .addColumn('assigned_at', 'bigint')
      .addColumn('sla_due_at', 'bigint')
      .addColumn('sla_reminder_at', 'bigint')
      .addColumn('reminder_sent_at', 'bigint')
      .addColumn('breached_at', 'bigint')
      .addColumn('escalated_at', 'bigint')
      .addColumn('first_touch_at', 'bigint')
      .addColumn('first_touch_source', 'text')
      .addColumn('decision', 'text')
      .addColumn('reason_code', 'text')
      .addColumn('note', 'text')
      .addColumn('decided_by', 'text')
      .addColumn('decided_by_name', 'text')
      .addColumn('decided_at', 'bigint')
      .addColumn('sql_at', 'bigint')
      .addColumn('closed_at', 'bigint')
      .addColumn('written_stage', 'text')
      .addColumn('source', 'text')
      .addColumn('campaign', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('handoff_trigger', ['portal_id', 'contact_id', 'trigger_at'])
      .execute();
    await db.schema
      .createIndex('handoff_contact')
      .on('handoff')
      .columns(['portal_id', 'contact_id', 'episode'])
      .execute();
    await db.schema
      .createIndex('handoff_status_due')
      .on('handoff')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('handoff_sla_due')
      .on('handoff')
      .columns(['status', 'sla_due_at'])
      .execute();

    await db.schema
      .createTable('handoff_history')
      .addColumn('id', id.type, id.build)
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('handoff_id', 'bigint', (col) => col.notNull())
      .addColumn('event', 'text', (col) => col.notNull())
      .addColumn('from_status', 'text')
      .addColumn('to_status', 'text', (col) => col.notNull())
      .addColumn('actor', 'text', (col) => col.notNull())
      .addColumn('detail', 'text')
      .addColumn('at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('handoff_history_handoff')
      .on('handoff_history')
      .columns(['handoff_id', 'id'])
      .execute();

    await db.schema
      .createTable('routing_counter')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('pool', 'text', (col) => col.notNull())
      .addColumn('owner_id', 'text', (col) => col.notNull())
      .addColumn('current', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('routing_counter_pk', ['portal_id', 'pool', 'owner_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('routing_counter').execute();
    await db.schema.dropTable('handoff_history').execute();
    await db.schema.dropTable('handoff').execute();
  },
};
