import { Registry } from 'prom-client';

import type { WebhookEventStatus } from '../../../server/db/schema';
import { createLogger } from '../../../server/logger';
import {
  InboxRetention,
  pruneInbox,
  retentionCutoff,
} from '../../../server/webhooks/inbox-retention';
import {
  countPrunableEvents,
  insertWebhookEvents,
  type NewWebhookEvent,
  pruneDoneEvents,
} from '../../../server/webhooks/webhook-event.repository';
import { createWebhookMetrics } from '../../../server/webhooks/webhook-metrics';
import { createTestDatabase, dialects, type TestDatabase } from '../../helpers/database';
import { capturePreparedStatements, queryPlan } from '../../helpers/sqlite-plan';

const DAY = 86_400_000;
const NOW = 1_764_000_000_000;
const CUTOFF = retentionCutoff(NOW, 30);
const OLD = CUTOFF - DAY;
const RECENT = CUTOFF + DAY;

let nextEventId = 1;

/** An inbox row as the worker leaves it; `at` is when it occurred, was due and was processed, unless given. */
function event(
  name: string,
  status: WebhookEventStatus,
  at: number,
  fields: Partial<NewWebhookEvent> = {},
): NewWebhookEvent {
  return {
    portal_id: 42,
    subscription_id: 7,
    event_id: nextEventId++,
    occurred_at: at,
    object_id: 1,
    property_name: name,
    subscription_type: 'contact.propertyChange',
    object_type: 'contact',
    change: 'propertyChange',
    payload: '{}',
    status,
    outcome: status === 'done' ? 'applied' : null,
    attempts: 1,
    next_attempt_at: at,
    received_at: at,
    processed_at: status === 'done' ? at + 1000 : null,
    ...fields,
  };
}

async function remaining(database: TestDatabase): Promise<string[]> {
  const rows = await database.db
    .selectFrom('webhook_event')
    .select('property_name')
    .orderBy('property_name')
    .execute();
  return rows.map((row) => row.property_name);
}

const silent = createLogger('silent');

describe.each(dialects)('inbox retention on %s', (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.destroy();
  });

  it('deletes only done events processed and occurred before the window, in every portal alike', async () => {
    await insertWebhookEvents(database.db, [
      event('done-old', 'done', OLD),
      event('done-old-other-portal', 'done', OLD, { portal_id: 43 }),
      event('done-recent', 'done', RECENT),
      // Processed inside the window after waiting long (retries), though it occurred before it.
      event('done-processed-recently', 'done', OLD, { processed_at: RECENT }),
      event('done-processed-recently-other-portal', 'done', OLD, {
        portal_id: 43,
        processed_at: RECENT,
      }),
      // Occurred inside the window by HubSpot's clock, processed before the cutoff by ours (clock skew): a
      // trigger inside the window may still read it back.
      event('done-occurred-recently', 'done', CUTOFF + 5, { processed_at: CUTOFF - 5 }),
      event('dead-old', 'dead', OLD),
      event('dead-old-other-portal', 'dead', OLD, { portal_id: 43 }),
      event('pending-old', 'pending', OLD),
      event('failed-old', 'failed', OLD),
    ]);
    const registry = new Registry();
    const metrics = createWebhookMetrics(registry, database, () => NOW);
    const retention = new InboxRetention({
      database,
      metrics,
      logger: silent,
      now: () => NOW,
      retentionDays: 30,
    });

    expect(await countPrunableEvents(database.db, CUTOFF)).toBe(2);
    expect(await retention.pruneOnce()).toEqual({ deleted: 2, batches: 1 });
    expect(await remaining(database)).toEqual([
      'dead-old',
      'dead-old-other-portal',
      'done-occurred-recently',
      'done-processed-recently',
      'done-processed-recently-other-portal',
      'done-recent',
      'failed-old',
      'pending-old',
    ]);
    expect((await metrics.pruned.get()).values[0]?.value).toBe(2);
    expect(await retention.pruneOnce()).toEqual({ deleted: 0, batches: 1 });
  });

  it('deletes at most the batch size per statement and goes on until a batch comes back short', async () => {
    await insertWebhookEvents(database.db, [
      ...Array.from({ length: 25 }, (_, i) => event(`old-${i}`, 'done', OLD - i)),
      event('recent', 'done', RECENT),
    ]);
    const first = await pruneDoneEvents(database.db, {
      before: CUTOFF,
      limit: 10,
      skipLocked: database.supportsRowLocks,
    });
    expect(first.deleted).toBe(10);
    expect(await countPrunableEvents(database.db, CUTOFF)).toBe(15);

    const batches: number[] = [];
    const run = await pruneInbox(database, {
      before: CUTOFF,
      batchSize: 10,
      onBatch: (deleted) => batches.push(deleted),
    });
    expect(run).toEqual({ deleted: 15, batches: 2 });
    expect(batches).toEqual([10, 5]);
    expect(await remaining(database)).toEqual(['recent']);
  });

  it('stops between batches when told to', async () => {
    await insertWebhookEvents(
      database.db,
      Array.from({ length: 25 }, (_, i) => event(`old-${i}`, 'done', OLD - i)),
    );
    const run = await pruneInbox(database, {
      before: CUTOFF,
      batchSize: 10,
      between: () => Promise.resolve(false),
    });
    expect(run).toEqual({ deleted: 10, batches: 1 });
    expect(await countPrunableEvents(database.db, CUTOFF)).toBe(15);
  });

  it('a dry run (the count) deletes nothing', async () => {
    await insertWebhookEvents(database.db, [
      event('done-old', 'done', OLD),
      event('dead-old', 'dead', OLD),
    ]);
    expect(await countPrunableEvents(database.db, CUTOFF)).toBe(1);
    expect(await remaining(database)).toEqual(['dead-old', 'done-old']);
  });

  it('two pruners at once delete every old event exactly once between them', async () => {
    await insertWebhookEvents(database.db, [
      ...Array.from({ length: 60 }, (_, i) => event(`old-${i}`, 'done', OLD - i)),
      event('recent', 'done', RECENT),
    ]);
    const runs = await Promise.all(
      [1, 2].map(() => pruneInbox(database, { before: CUTOFF, batchSize: 7 })),
    );
    expect(runs[0]!.deleted + runs[1]!.deleted).toBe(60);
    expect(await remaining(database)).toEqual(['recent']);
  });

  it('runs in the background once started and stops when asked', async () => {
    await insertWebhookEvents(database.db, [
      ...Array.from({ length: 30 }, (_, i) => event(`old-${i}`, 'done', OLD - i)),
      event('recent', 'done', RECENT),
    ]);
    const retention = new InboxRetention({
      database,
      metrics: createWebhookMetrics(new Registry(), database, () => NOW),
      logger: silent,
      now: () => NOW,
      retentionDays: 30,
      intervalMs: 10,
      maxIntervalMs: 20,
    });
    retention.start();
    try {
      for (let polls = 0; (await remaining(database)).length > 1 && polls < 500; polls += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await retention.stop();
    }
    expect(await remaining(database)).toEqual(['recent']);
  });
});

describe('inbox retention on SQLite', () => {
  it('deletes through the (status, next_attempt_at) index, not by scanning the inbox', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const sqlite = database.sqlite!;
      const { statements } = await capturePreparedStatements(sqlite, () =>
        pruneDoneEvents(database.db, { before: CUTOFF, limit: 1000, skipLocked: false }),
      );
      const remove = statements.find((text) => /^delete from "webhook_event"/i.test(text));
      expect(remove).toBeDefined();
      const plan = queryPlan(sqlite, remove!, ['done', 0, CUTOFF, CUTOFF, CUTOFF]);
      expect(plan).toContainEqual(expect.stringMatching(/USING INDEX webhook_event_due/));
      expect(plan.join('\n')).not.toMatch(/SCAN webhook_event(?! USING)|TEMP B-TREE/);
    } finally {
      await database.destroy();
    }
  });
});
