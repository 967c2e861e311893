import type { Kysely, Migration } from 'kysely';

import { autoId } from './helpers';

/**
 * Closed-loop attribution storage: the touches of every contact, the work queue that keeps them and the deal
 * credits current, the credits themselves with the inputs they were computed from, and campaign spend.
 */
export const attributionMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const touchId = autoId(db);
    await db.schema
      .createTable('touchpoint')
      .addColumn('id', touchId.type, touchId.build)
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('contact_id', 'bigint', (col) => col.notNull())
      .addColumn('at', 'bigint', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('channel', 'text', (col) => col.notNull())
      .addColumn('campaign', 'text')
      .addColumn('matched_rule', 'text', (col) => col.notNull())
      .addColumn('raw_source', 'text', (col) => col.notNull())
      .addColumn('cost_cents', 'bigint')
      .addColumn('cost_currency', 'text')
      .addColumn('note', 'text')
      .addColumn('origin', 'text', (col) => col.notNull())
      .addColumn('idempotency_key', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('touchpoint_idempotency', ['portal_id', 'idempotency_key'])
      .execute();
    await db.schema
      .createIndex('touchpoint_by_contact')
      .on('touchpoint')
      .columns(['portal_id', 'contact_id', 'at'])
      .execute();

    const jobId = autoId(db);
    await db.schema
      .createTable('attribution_job')
      .addColumn('id', jobId.type, jobId.build)
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('object_id', 'bigint', (col) => col.notNull())
      .addColumn('version', 'integer', (col) => col.notNull())
      .addColumn('due_at', 'bigint', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('claimed_until', 'bigint')
      .addColumn('claimed_by', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('attribution_job_object', ['portal_id', 'kind', 'object_id'])
      .execute();
    await db.schema
      .createIndex('attribution_job_due')
      .on('attribution_job')
      .columns(['kind', 'due_at'])
      .execute();

    await db.schema
      .createTable('deal_attribution_state')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'bigint', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('inputs_hash', 'text', (col) => col.notNull())
      .addColumn('amount_cents', 'bigint')
      .addColumn('currency', 'text')
      .addColumn('closed_at', 'bigint')
      .addColumn('contacts', 'integer', (col) => col.notNull())
      .addColumn('touches', 'integer', (col) => col.notNull())
      .addColumn('computed_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('deal_attribution_state_pk', ['portal_id', 'deal_id'])
      .execute();

    const creditId = autoId(db);
    await db.schema
      .createTable('attribution_credit')
      .addColumn('id', creditId.type, creditId.build)
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'bigint', (col) => col.notNull())
      .addColumn('model', 'text', (col) => col.notNull())
      .addColumn('touchpoint_id', 'bigint')
      .addColumn('contact_id', 'bigint')
      .addColumn('campaign', 'text')
      .addColumn('channel', 'text', (col) => col.notNull())
      .addColumn('currency', 'text', (col) => col.notNull())
      .addColumn('gross_cents', 'bigint', (col) => col.notNull())
      .addColumn('discount_cents', 'bigint', (col) => col.notNull())
      .addColumn('net_cents', 'bigint', (col) => col.notNull())
      .addColumn('closed_at', 'bigint', (col) => col.notNull())
      .addColumn('period', 'text', (col) => col.notNull())
      .addColumn('computed_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('attribution_credit_by_deal')
      .on('attribution_credit')
      .columns(['portal_id', 'deal_id'])
      .execute();
    await db.schema
      .createIndex('attribution_credit_by_close')
      .on('attribution_credit')
      .columns(['portal_id', 'closed_at'])
      .execute();

    const spendId = autoId(db);
    await db.schema
      .createTable('campaign_spend')
      .addColumn('id', spendId.type, spendId.build)
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('campaign', 'text', (col) => col.notNull())
      .addColumn('period', 'text', (col) => col.notNull())
      .addColumn('period_start', 'bigint', (col) => col.notNull())
      .addColumn('period_end', 'bigint', (col) => col.notNull())
      .addColumn('currency', 'text', (col) => col.notNull())
      .addColumn('cents', 'bigint', (col) => col.notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('campaign_spend_entry', [
        'portal_id',
        'campaign',
        'period',
        'currency',
        'source',
      ])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'campaign_spend',
      'attribution_credit',
      'deal_attribution_state',
      'attribution_job',
      'touchpoint',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
