import { sql } from 'kysely';

import { newAppMetrics } from '../../../server/app';
import {
  findContact,
  findDeal,
  findDealContactIds,
} from '../../../server/crm/crm-object.repository';
import { createLogger } from '../../../server/logger';
import { WebhookDispatcher } from '../../../server/webhooks/dispatcher';
import { registerWebhookHandlers } from '../../../server/webhooks/handlers';
import {
  claimDueEvents,
  completeClaimedEvent,
  requeueEvents,
} from '../../../server/webhooks/webhook-event.repository';
import { retryDelay, WebhookWorker } from '../../../server/webhooks/webhook-worker';
import { testConfig } from '../../helpers/config';
import { dialects } from '../../helpers/database';
import { startTestService, type TestService } from '../../helpers/service';
import {
  hubspotEvent,
  PORTAL_ID,
  postWebhook,
  settingsFile,
  webhookEnv,
} from '../../helpers/webhooks';

const T0 = 1_764_100_000_000;

describe.each(dialects)('webhook processing on %s', (dialect) => {
  let running: TestService;
  let clock = T0;
  let explode = true;

  beforeAll(async () => {
    const dispatcher = registerWebhookHandlers(new WebhookDispatcher())
      .register(
        'test:count',
        { objectType: '*', change: 'propertyChange' },
        async (event, { trx }) => {
          await sql`insert into test_application (event_row_id) values (${event.id})`.execute(trx);
          return 'ignored';
        },
      )
      .register(
        'test:explode',
        { objectType: 'contact', change: 'propertyChange', properties: ['lifecyclestage'] },
        async (event) => {
          if (explode && event.payload.propertyValue === 'boom')
            throw new Error('handler exploded');
          return 'ignored';
        },
      );
    const settings = settingsFile('webhooks:\n  maxAttempts: 3\n  retryBaseMs: 1000\n');
    running = await startTestService(testConfig(webhookEnv({ TRUCE_CONFIG: settings })), dialect, {
      now: () => clock,
      startWorkers: false,
      dispatcher,
    });
    await sql`create table test_application (event_row_id bigint not null)`.execute(
      running.database.db,
    );
  });

  afterAll(async () => {
    await running.stop();
  });

  beforeEach(async () => {
    clock = T0;
    explode = true;
    const db = running.database.db;
    for (const table of ['webhook_event', 'contact', 'deal', 'deal_contact'] as const) {
      await db.deleteFrom(table).execute();
    }
    await sql`delete from test_application`.execute(db);
  });

  const post = async (events: unknown[]) => {
    const response = await postWebhook(running.baseUrl, events, { timestamp: clock });
    expect(response.status).toBe(204);
  };
  const drain = () => running.service.webhookWorker.drain();
  const db = () => running.database.db;
  const applications = async () => {
    const { rows } = await sql<{ n: number; distinct_n: number }>`
      select count(*) as n, count(distinct event_row_id) as distinct_n from test_application`.execute(
      db(),
    );
    return { n: Number(rows[0]!.n), distinct: Number(rows[0]!.distinct_n) };
  };
  const statuses = async () =>
    (
      await db().selectFrom('webhook_event').select(['status', 'outcome']).orderBy('id').execute()
    ).map((row) => `${row.status}:${row.outcome ?? ''}`);

  it('applies each event exactly once when a batch is redelivered and batches overlap', async () => {
    const events = Array.from({ length: 6 }, (_, i) =>
      hubspotEvent({ objectId: 100 + i, occurredAt: T0 - 1000 + i }),
    );
    await post(events.slice(0, 4));
    await post(events.slice(0, 4)); // HubSpot redelivers the whole batch
    await post(events.slice(2, 6)); // an overlapping batch
    expect(await drain()).toBe(6);
    await post(events); // redelivered after processing
    expect(await drain()).toBe(0);
    expect(await applications()).toEqual({ n: 6, distinct: 6 });
    expect(await statuses()).toEqual(Array(6).fill('done:applied'));
  });

  it('lets the newest change win when events arrive out of order, across and within batches', async () => {
    const change = (occurredAt: number, propertyValue: string) =>
      hubspotEvent({ objectId: 7, occurredAt, propertyValue });
    await post([change(T0 - 1000, 'customer')]);
    await drain();
    await post([change(T0 - 3000, 'lead')]);
    await drain();
    await post([change(T0 - 2000, 'marketingqualifiedlead'), change(T0 - 4000, 'subscriber')]);
    await drain();
    expect(await findContact(db(), PORTAL_ID, 7)).toMatchObject({
      lifecyclestage: 'customer',
      lifecyclestage_at: T0 - 1000,
    });
    expect(await statuses()).toEqual(['done:applied', 'done:stale', 'done:stale', 'done:stale']);

    await post([change(T0 - 500, 'evangelist'), change(T0 - 600, 'opportunity')]);
    await drain();
    expect((await findContact(db(), PORTAL_ID, 7))?.lifecyclestage).toBe('evangelist');
  });

  it('retries a throwing handler with backoff, then marks it dead, without blocking other events', async () => {
    await post([
      hubspotEvent({ objectId: 8, occurredAt: T0 - 3000, propertyValue: 'boom' }),
      hubspotEvent({
        objectId: 8,
        occurredAt: T0 - 2000,
        propertyName: 'hs_lead_status',
        propertyValue: 'NEW',
      }),
      hubspotEvent({ objectId: 9, occurredAt: T0 - 3000, propertyValue: 'lead' }),
    ]);
    await running.service.webhookWorker.drainOnce();
    expect(await statuses()).toEqual(['failed:', 'done:applied', 'done:applied']);
    // The slice handler ran before the throwing one; its write rolled back with the event.
    expect((await findContact(db(), PORTAL_ID, 8))?.lifecyclestage ?? null).toBeNull();
    expect((await findContact(db(), PORTAL_ID, 8))?.hs_lead_status).toBe('NEW');
    expect((await findContact(db(), PORTAL_ID, 9))?.lifecyclestage).toBe('lead');

    const failed = await db()
      .selectFrom('webhook_event')
      .selectAll()
      .where('status', '=', 'failed')
      .executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ attempts: 1, last_error: 'handler exploded' });
    expect(failed.next_attempt_at).toBeGreaterThanOrEqual(T0 + 500);
    expect(failed.next_attempt_at).toBeLessThanOrEqual(T0 + 1000);
    expect(await drain()).toBe(0); // not due yet

    clock = T0 + 1000;
    expect(await drain()).toBe(1);
    clock = T0 + 3000;
    expect(await drain()).toBe(1);
    const dead = await db()
      .selectFrom('webhook_event')
      .selectAll()
      .where('id', '=', failed.id)
      .executeTakeFirstOrThrow();
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, last_error: 'handler exploded' });
    clock = T0 + 3_600_000;
    expect(await drain()).toBe(0);

    const metrics = await (await fetch(`${running.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^truce_webhook_dead_events 1$/m);
    expect(metrics).toMatch(/^truce_webhook_queue_depth 0$/m);

    explode = false;
    expect(await requeueEvents(db(), { ids: [failed.id] }, clock)).toBe(1);
    expect(await drain()).toBe(1);
    expect((await findContact(db(), PORTAL_ID, 8))?.lifecyclestage).toBe('boom');
  });

  it('keeps the deal slice and deal↔contact associations current', async () => {
    const deal = (overrides: Record<string, unknown>) =>
      hubspotEvent({ subscriptionType: 'deal.propertyChange', objectId: 77, ...overrides });
    await post([
      deal({
        subscriptionType: 'deal.creation',
        propertyName: undefined,
        propertyValue: undefined,
        occurredAt: T0 - 9000,
      }),
      deal({ propertyName: 'amount', propertyValue: '1234.565', occurredAt: T0 - 8000 }),
      deal({ propertyName: 'closedate', propertyValue: '1767225600000', occurredAt: T0 - 8000 }),
      deal({ propertyName: 'dealstage', propertyValue: 'closedwon', occurredAt: T0 - 8000 }),
      deal({ propertyName: 'pipeline', propertyValue: 'default', occurredAt: T0 - 8000 }),
      deal({ propertyName: 'deal_currency_code', propertyValue: 'EUR', occurredAt: T0 - 8000 }),
      hubspotEvent({
        subscriptionType: 'object.propertyChange',
        objectTypeId: '0-3',
        objectId: 77,
        propertyName: 'hubspot_owner_id',
        propertyValue: '9',
        occurredAt: T0 - 8000,
      }),
      hubspotEvent({
        subscriptionType: 'contact.associationChange',
        objectId: undefined,
        propertyName: undefined,
        propertyValue: undefined,
        fromObjectId: 501,
        toObjectId: 77,
        associationType: 'CONTACT_TO_DEAL',
        associationRemoved: false,
        occurredAt: T0 - 7000,
      }),
      hubspotEvent({
        subscriptionType: 'object.associationChange',
        objectId: undefined,
        propertyName: undefined,
        propertyValue: undefined,
        fromObjectTypeId: '0-3',
        toObjectTypeId: '0-1',
        fromObjectId: 77,
        toObjectId: 502,
        associationTypeId: 3,
        associationRemoved: false,
        occurredAt: T0 - 7000,
      }),
      hubspotEvent({
        subscriptionType: 'contact.privacyDeletion',
        objectId: 503,
        propertyName: undefined,
        occurredAt: T0 - 7000,
      }),
      hubspotEvent({
        subscriptionType: 'ticket.creation',
        objectId: 1,
        propertyName: undefined,
        occurredAt: T0 - 7000,
      }),
    ]);
    await drain();
    expect(await findDeal(db(), PORTAL_ID, 77)).toMatchObject({
      amount_cents: 123457,
      closedate: 1767225600000,
      dealstage: 'closedwon',
      pipeline: 'default',
      deal_currency_code: 'EUR',
      hubspot_owner_id: '9',
      created_at: T0 - 9000,
      deleted: 0,
    });
    expect(await findDealContactIds(db(), PORTAL_ID, 77)).toEqual([501, 502]);
    expect((await findContact(db(), PORTAL_ID, 503))?.deleted).toBe(1);
    expect((await statuses()).at(-1)).toBe('done:ignored');

    await post([
      hubspotEvent({
        subscriptionType: 'deal.associationChange',
        objectId: undefined,
        fromObjectId: 77,
        toObjectId: 501,
        associationType: 'DEAL_TO_CONTACT',
        associationRemoved: true,
        occurredAt: T0 - 6000,
      }),
      // A late "added" for the same pair must not bring the association back.
      hubspotEvent({
        subscriptionType: 'contact.associationChange',
        objectId: undefined,
        fromObjectId: 501,
        toObjectId: 77,
        associationType: 'CONTACT_TO_DEAL',
        associationRemoved: false,
        occurredAt: T0 - 6500,
      }),
      deal({ subscriptionType: 'deal.deletion', propertyName: undefined, occurredAt: T0 - 5000 }),
      deal({ propertyName: 'amount', propertyValue: '', occurredAt: T0 - 5000 }),
    ]);
    await drain();
    expect(await findDealContactIds(db(), PORTAL_ID, 77)).toEqual([502]);
    expect(await findDeal(db(), PORTAL_ID, 77)).toMatchObject({ deleted: 1, amount_cents: null });
  });

  it('never lets a worker whose lease expired complete an event another worker took over', async () => {
    await post([hubspotEvent({ objectId: 11 })]);
    const [claimed] = await claimDueEvents(db(), {
      workerId: 'crashed-worker',
      now: clock,
      leaseMs: 60_000,
      limit: 10,
      skipLocked: running.database.supportsRowLocks,
    });
    expect(claimed).toBeDefined();
    expect(await drain()).toBe(0); // the lease is live

    clock += 60_001;
    expect(await drain()).toBe(1);
    const late = await db()
      .transaction()
      .execute((trx) =>
        completeClaimedEvent(trx, {
          id: claimed!.id,
          workerId: 'crashed-worker',
          now: clock,
          outcome: 'applied',
        }),
      );
    expect(late).toBe(false);
    expect(await applications()).toEqual({ n: 1, distinct: 1 });
  });

  it('wakes its background loop as soon as a batch is stored', async () => {
    running.service.webhookWorker.start();
    try {
      await post([hubspotEvent({ objectId: 12, propertyValue: 'opportunity' })]);
      for (let i = 0; i < 200 && (await statuses())[0] !== 'done:applied'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await statuses()).toEqual(['done:applied']);
    } finally {
      await running.service.webhookWorker.stop();
    }
  });

  (dialect === 'postgres' ? it : it.skip)(
    'lets two workers drain one PostgreSQL inbox concurrently, each event applied once',
    async () => {
      const events = Array.from({ length: 400 }, (_, i) =>
        hubspotEvent({
          objectId: 1000 + (i % 37),
          occurredAt: T0 - 10_000 + i,
          propertyValue: `v${i}`,
        }),
      );
      for (let i = 0; i < events.length; i += 100) await post(events.slice(i, i + 100));
      const worker = () =>
        new WebhookWorker({
          database: running.database,
          dispatcher: registerWebhookHandlers(new WebhookDispatcher()).register(
            'test:count',
            { objectType: '*', change: 'propertyChange' },
            async (event, { trx }) => {
              await sql`insert into test_application (event_row_id) values (${event.id})`.execute(
                trx,
              );
              return 'ignored';
            },
          ),
          metrics: newAppMetrics({ database: running.database, now: () => clock }).webhooks,
          logger: createLogger('silent'),
          now: () => clock,
          settings: { ...testConfig().settings.webhooks, batchSize: 25 },
        });
      const [a, b] = await Promise.all([worker().drain(), worker().drain()]);
      expect(a + b).toBe(400);
      expect(await applications()).toEqual({ n: 400, distinct: 400 });
    },
  );
});

describe('retryDelay', () => {
  const settings = { retryBaseMs: 1000, retryMaxMs: 60_000 };
  it.each([
    ['first retry, no jitter drawn', 1, 0, 500],
    ['first retry, full jitter', 1, 0.999999, 1000],
    ['third retry doubles twice', 3, 0.5, 3000],
    ['capped at retryMaxMs', 20, 0, 30_000],
  ])('%s', (_label, attempt, random, expected) => {
    expect(retryDelay(attempt, settings, () => random)).toBe(expected);
  });
});
