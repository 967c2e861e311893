import nock from 'nock';

import { staticHubSpotClients } from '../../server/hubspot/hubspot-client';
import { createRateBudget } from '../../server/hubspot/rate-budget';
import { createLogger } from '../../server/logger';
import { countOutboxByStatus, enqueueOutbox } from '../../server/outbox/outbox.repository';
import { taskMarker } from '../../server/outbox/outbox-executors';
import { createOutboxWorker, type OutboxWorker } from '../../server/outbox/outbox-worker';
import { registerStaticPortal } from '../../server/portals/portal.repository';
import { testConfig } from '../helpers/config';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/database';

const API = 'https://api.hubapi.test';
const PORTAL = 4242;
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

describe.each(dialects)('HubSpot outbox on %s', (dialect) => {
  let database: TestDatabase;
  let clock: number;
  let worker: OutboxWorker;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    clock = T0;
    await registerStaticPortal(database.db, PORTAL, T0);
    const settings = testConfig().settings.hubspot.outbox;
    worker = createOutboxWorker({
      database,
      clients: staticHubSpotClients({ accessToken: 'test-token', apiBase: API, portalId: PORTAL }),
      budget: createRateBudget({ requestsPerWindow: 1000, now: () => clock }),
      logger: createLogger('silent'),
      now: () => clock,
      settings,
      random: () => 0.5,
    });
  });

  afterEach(async () => {
    nock.cleanAll();
    await database.destroy();
  });

  const enqueueContactUpdate = (key = 'handoff-1:score') =>
    enqueueOutbox(
      database.db,
      {
        portalId: PORTAL,
        idempotencyKey: key,
        operation: 'contact.update',
        payload: {
          contactId: '501',
          properties: { truce_handoff_score: '72', truce_handoff_grade: 'B' },
        },
      },
      clock,
    );

  it('delivers a contact update with the exact payload and the bearer token', async () => {
    const scope = nock(API, { reqheaders: { authorization: 'Bearer test-token' } })
      .patch('/crm/v3/objects/contacts/501', {
        properties: { truce_handoff_score: '72', truce_handoff_grade: 'B' },
      })
      .reply(200, {
        id: '501',
        properties: {},
        createdAt: new Date(T0).toISOString(),
        updatedAt: new Date(T0).toISOString(),
        archived: false,
      });
    await enqueueContactUpdate();
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(scope.isDone()).toBe(true);
    expect(await countOutboxByStatus(database.db)).toEqual({ pending: 0, done: 1, dead: 0 });
    expect(await worker.drainOnce()).toEqual({ delivered: 0, retried: 0, dead: 0 });
  });

  it('ignores a second enqueue with the same idempotency key', async () => {
    expect(await enqueueContactUpdate()).toBe(true);
    expect(await enqueueContactUpdate()).toBe(false);
    expect(await countOutboxByStatus(database.db)).toEqual({ pending: 1, done: 0, dead: 0 });
  });

  it('waits out a ten-secondly 429 without spending an attempt, then writes once', async () => {
    const scope = nock(API)
      .patch('/crm/v3/objects/contacts/501')
      .reply(429, {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        policyName: 'TEN_SECONDLY_ROLLING',
        category: 'RATE_LIMITS',
      })
      .patch('/crm/v3/objects/contacts/501')
      .reply(200, { id: '501', properties: {} });
    await enqueueContactUpdate();
    expect(await worker.drainOnce()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    // Not due yet: the 429 pushed it 10 s out.
    clock += 5_000;
    expect(await worker.drainOnce()).toEqual({ delivered: 0, retried: 0, dead: 0 });
    clock += 5_001;
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(scope.isDone()).toBe(true);
    const row = await database.db
      .selectFrom('hubspot_outbox')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(0);
  });

  it('holds writes through a 10-minute HubSpot outage and delivers them once when it is back', async () => {
    const outageEnds = T0 + 10 * 60_000;
    let failures = 0;
    let successes = 0;
    nock(API)
      .persist()
      .patch('/crm/v3/objects/contacts/501')
      .reply(() => {
        if (clock < outageEnds) {
          failures += 1;
          return [
            503,
            { status: 'error', message: 'Service Unavailable', category: 'SERVICE_UNAVAILABLE' },
          ];
        }
        successes += 1;
        return [200, { id: '501', properties: {} }];
      });
    await enqueueContactUpdate();
    while (clock < outageEnds + 15 * 60_000) {
      await worker.drainOnce();
      clock += 15_000;
    }
    expect(failures).toBeGreaterThan(3);
    expect(successes).toBe(1);
    expect(await countOutboxByStatus(database.db)).toEqual({ pending: 0, done: 1, dead: 0 });
  });

  it('marks a write dead on a permanent 4xx and keeps the reason', async () => {
    nock(API).patch('/crm/v3/objects/contacts/501').reply(400, {
      status: 'error',
      message: 'Property values were not valid',
      category: 'VALIDATION_ERROR',
    });
    await enqueueContactUpdate();
    expect(await worker.drainOnce()).toEqual({ delivered: 0, retried: 0, dead: 1 });
    const row = await database.db
      .selectFrom('hubspot_outbox')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('dead');
    expect(row.last_error).toMatch(/Property values were not valid/);
  });

  it('creates a task associated with the contact, owned and due at the SLA time', async () => {
    const dueAt = T0 + 4 * 3_600_000;
    const marker = taskMarker('handoff-1:task');
    let sent: unknown;
    const scope = nock(API)
      .post('/crm/v3/objects/tasks', (body: unknown) => {
        sent = body;
        return true;
      })
      .reply(201, { id: '9001', properties: {} });
    await enqueueOutbox(
      database.db,
      {
        portalId: PORTAL,
        idempotencyKey: 'handoff-1:task',
        operation: 'task.create',
        payload: {
          contactId: '501',
          ownerId: '77',
          subject: 'Follow up MQL',
          body: 'Score 72 (B)',
          dueAt,
          priority: 'HIGH',
        },
      },
      clock,
    );
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({
      properties: {
        hs_timestamp: new Date(dueAt).toISOString(),
        hs_task_subject: 'Follow up MQL',
        hs_task_body: `Score 72 (B)\n\n(${marker})`,
        hs_task_status: 'NOT_STARTED',
        hs_task_priority: 'HIGH',
        hs_task_type: 'TODO',
        hubspot_owner_id: '77',
      },
      associations: [
        {
          to: { id: '501' },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }],
        },
      ],
    });
  });

  it('does not create a second task when a retried attempt finds the first one', async () => {
    nock(API)
      .post('/crm/v3/objects/tasks')
      .reply(504, { status: 'error', message: 'Gateway Timeout', category: 'GATEWAY_TIMEOUT' })
      .post(
        '/crm/v3/objects/tasks/search',
        (body: { filterGroups: { filters: { value: string }[] }[] }) =>
          body.filterGroups[0]?.filters[0]?.value === taskMarker('handoff-2:task'),
      )
      .reply(200, { total: 1, results: [{ id: '9002', properties: {} }] });
    await enqueueOutbox(
      database.db,
      {
        portalId: PORTAL,
        idempotencyKey: 'handoff-2:task',
        operation: 'task.create',
        payload: { contactId: '502', subject: 'Follow up', body: '', dueAt: T0 },
      },
      clock,
    );
    expect(await worker.drainOnce()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    clock += 60_000;
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    const row = await database.db
      .selectFrom('hubspot_outbox')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.result ?? '{}')).toEqual({ id: '9002', reused: true });
    expect(nock.pendingMocks()).toEqual([]);
  });

  const ensurePayload = {
    objectType: 'contacts' as const,
    group: { name: 'truce', label: 'Truce' },
    properties: [
      { name: 'truce_handoff_score', label: 'Score', type: 'number', fieldType: 'number' } as const,
      { name: 'truce_handoff_grade', label: 'Grade', type: 'string', fieldType: 'text' } as const,
      { name: 'truce_sla_due', label: 'SLA due', type: 'string', fieldType: 'text' } as const,
    ],
  };

  it('resumes a properties.ensure cut off by a 429 where it stopped (regression: a small budget livelocked)', async () => {
    const posted: string[] = [];
    const created = (_uri: string, body: Record<string, unknown>) => {
      posted.push(String(body.name));
      return [201, { name: body.name, groupName: 'truce' }] as const;
    };
    nock(API)
      .get('/crm/v3/properties/contacts')
      .query(true)
      .reply(200, { results: [{ name: 'email', groupName: 'contactinformation' }] })
      .post('/crm/v3/properties/contacts/groups')
      .reply(201, (_uri, body) => {
        posted.push(`group:${(body as { name: string }).name}`);
        return { name: 'truce', label: 'Truce' };
      })
      .post('/crm/v3/properties/contacts')
      .reply((uri, body) => created(uri, body as Record<string, unknown>))
      .post('/crm/v3/properties/contacts')
      .reply(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { 'Retry-After': '1' },
      );
    await enqueueOutbox(
      database.db,
      {
        portalId: PORTAL,
        idempotencyKey: 'install:429',
        operation: 'properties.ensure',
        payload: ensurePayload,
      },
      clock,
    );
    expect(await worker.drainOnce()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    expect(posted).toEqual(['group:truce', 'truce_handoff_score']);

    // The retry reads what exists and creates only the two missing properties: no group, no 409s.
    nock(API)
      .get('/crm/v3/properties/contacts')
      .query(true)
      .reply(200, {
        results: [
          { name: 'email', groupName: 'contactinformation' },
          { name: 'truce_handoff_score', groupName: 'truce' },
        ],
      })
      .post('/crm/v3/properties/contacts')
      .times(2)
      .reply((uri, body) => created(uri, body as Record<string, unknown>));
    clock += 2_000;
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(posted).toEqual([
      'group:truce',
      'truce_handoff_score',
      'truce_handoff_grade',
      'truce_sla_due',
    ]);
    const row = await database.db
      .selectFrom('hubspot_outbox')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.result ?? '{}')).toEqual({
      group: 'existed',
      properties: {
        truce_handoff_score: 'existed',
        truce_handoff_grade: 'created',
        truce_sla_due: 'created',
      },
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('delivers writes to one contact in queue order when the first one has to be retried', async () => {
    const delivered: unknown[] = [];
    const enqueue = (key: string, status: string) =>
      enqueueOutbox(
        database.db,
        {
          portalId: PORTAL,
          idempotencyKey: key,
          operation: 'contact.update',
          payload: { contactId: '501', properties: { truce_handoff_status: status } },
        },
        clock,
      );
    await enqueue('handoff-1:assign', 'pending');
    await enqueue('handoff-1:accept', 'accepted');
    nock(API).patch('/crm/v3/objects/contacts/501').reply(503, { message: 'down' });
    // Regression: the second write used to go out while the first waited for its retry, and the retried
    // first write then left HubSpot with the stale 'pending'.
    expect(await worker.drainOnce()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    nock(API)
      .patch('/crm/v3/objects/contacts/501', (body: unknown) => {
        delivered.push(body);
        return true;
      })
      .times(2)
      .reply(200, { id: '501', properties: {} });
    clock += 60_000;
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(delivered).toEqual([
      { properties: { truce_handoff_status: 'pending' } },
      { properties: { truce_handoff_status: 'accepted' } },
    ]);
  });

  it("keeps a contact's later lifecycle stage: a late decision write does not pull it back", async () => {
    const patched: unknown[] = [];
    nock(API)
      .get('/crm/v3/objects/contacts/501')
      .query(true)
      .reply(200, { id: '501', properties: { lifecyclestage: 'opportunity' } })
      .patch('/crm/v3/objects/contacts/501', (body: unknown) => {
        patched.push(body);
        return true;
      })
      .reply(200, { id: '501', properties: {} });
    await enqueueOutbox(
      database.db,
      {
        portalId: PORTAL,
        idempotencyKey: 'handoff-1:accept',
        operation: 'contact.update',
        payload: {
          contactId: '501',
          properties: { truce_handoff_status: 'accepted', lifecyclestage: 'salesqualifiedlead' },
          lifecycleStageUnlessAt: ['salesqualifiedlead', 'opportunity', 'customer', 'evangelist'],
        },
      },
      clock,
    );
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(patched).toEqual([{ properties: { truce_handoff_status: 'accepted' } }]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('ensures properties, treating existing ones (409) as done', async () => {
    const created: string[] = [];
    nock(API)
      .get('/crm/v3/properties/contacts')
      .query(true)
      .reply(200, { results: [] })
      .post('/crm/v3/properties/contacts/groups')
      .reply(409, { status: 'error', message: 'group already exists', category: 'CONFLICT' })
      .post('/crm/v3/properties/contacts')
      .times(2)
      .reply((_uri, body) => {
        const { name, groupName } = body as { name: string; groupName: string };
        expect(groupName).toBe('truce');
        if (name === 'truce_handoff_score')
          return [409, { status: 'error', message: 'exists', category: 'CONFLICT' }];
        created.push(name);
        return [201, { name }];
      });
    await enqueueOutbox(
      database.db,
      {
        portalId: PORTAL,
        idempotencyKey: 'install:contacts',
        operation: 'properties.ensure',
        payload: {
          objectType: 'contacts',
          group: { name: 'truce', label: 'Truce' },
          properties: [
            {
              name: 'truce_handoff_score',
              label: 'Handoff score',
              type: 'number',
              fieldType: 'number',
            },
            {
              name: 'truce_handoff_grade',
              label: 'Handoff grade',
              type: 'enumeration',
              fieldType: 'select',
              options: [
                { label: 'A', value: 'A' },
                { label: 'B', value: 'B' },
              ],
            },
          ],
        },
      },
      clock,
    );
    expect(await worker.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(created).toEqual(['truce_handoff_grade']);
  });

  it('gives a stalled claim back after its lease expires', async () => {
    await enqueueContactUpdate();
    const { claimDueOutbox } = await import('../../server/outbox/outbox.repository');
    const first = await claimDueOutbox(database.db, {
      now: clock,
      limit: 10,
      leaseMs: 60_000,
      workerId: 'a',
      rowLocks: database.supportsRowLocks,
    });
    expect(first).toHaveLength(1);
    const during = await claimDueOutbox(database.db, {
      now: clock + 1_000,
      limit: 10,
      leaseMs: 60_000,
      workerId: 'b',
      rowLocks: database.supportsRowLocks,
    });
    expect(during).toHaveLength(0);
    const after = await claimDueOutbox(database.db, {
      now: clock + 61_000,
      limit: 10,
      leaseMs: 60_000,
      workerId: 'b',
      rowLocks: database.supportsRowLocks,
    });
    expect(after.map((item) => item.id)).toEqual(first.map((item) => item.id));
  });
});

describe('HubSpot outbox against a stalled HubSpot', () => {
  it('gives up on a call that never answers and retries it later', async () => {
    const database = await createTestDatabase('sqlite');
    await registerStaticPortal(database.db, PORTAL, T0);
    const http = await import('node:http');
    const stalled = http.createServer(() => undefined);
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', () => resolve()));
    const address = stalled.address() as { port: number };
    const settings = { ...testConfig().settings.hubspot.outbox, requestTimeoutMs: 200 };
    const worker = createOutboxWorker({
      database,
      clients: staticHubSpotClients({
        accessToken: 't',
        apiBase: `http://127.0.0.1:${address.port}`,
        portalId: PORTAL,
      }),
      budget: createRateBudget({ requestsPerWindow: 1000 }),
      logger: createLogger('silent'),
      now: () => T0,
      settings,
      random: () => 0.5,
    });
    await enqueueOutbox(
      database.db,
      {
        portalId: PORTAL,
        idempotencyKey: 'k',
        operation: 'contact.update',
        payload: { contactId: '1', properties: { a: 'b' } },
      },
      T0,
    );
    expect(await worker.drainOnce()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    const row = await database.db
      .selectFrom('hubspot_outbox')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row.last_error).toMatch(/no answer from HubSpot within 200 ms/);
    stalled.closeAllConnections();
    stalled.close();
    await database.destroy();
  });
});
