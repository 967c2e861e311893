import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import {
  DEFAULT_SUBSCRIPTIONS,
  subscriptionsFromHsMeta,
  type WebhookEvent,
} from '../../sandbox/webhook-events';
import {
  type ReceivedRequest,
  type Receiver,
  sandboxClient,
  startReceiver,
} from '../helpers/sandbox';

const SECRET = 'test-client-secret-0123456789';

/** An HMAC check written from HUBSPOT.md §3 in the test itself, independent of the sandbox's signer. */
function v3Valid(request: ReceivedRequest, targetUrl: string): boolean {
  const timestamp = String(request.headers['x-hubspot-request-timestamp']);
  const decoded = targetUrl.replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%40/gi, '@');
  const expected = createHmac('sha256', SECRET)
    .update(`POST${decoded}${request.rawBody}${timestamp}`)
    .digest();
  const given = Buffer.from(String(request.headers['x-hubspot-signature-v3']), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function events(receiver: Receiver): WebhookEvent[] {
  return receiver.requests.flatMap((r) => JSON.parse(r.rawBody) as WebhookEvent[]);
}

describe('sandbox webhooks', () => {
  let receiver: Receiver;
  let sandbox: Sandbox;

  const start = async (webhooks: Partial<Parameters<Sandbox['webhooks']['connect']>[0]> = {}) => {
    receiver = await startReceiver();
    sandbox = await createSandbox({ seed: 11 });
    sandbox.webhooks.connect({
      targetUrl: receiver.url,
      clientSecret: SECRET,
      retryTimeScale: 1e-5,
      ...webhooks,
    });
  };
  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('sends creation and subscribed property changes of an API write, signed v3 and v2', async () => {
    await start();
    const client = sandboxClient(sandbox);
    const contact = await client.crm.contacts.basicApi.create({
      properties: { email: 'hook@example.test', lifecyclestage: 'lead', firstname: 'Ada' },
      associations: [],
    });
    await sandbox.flush();
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(v3Valid(request, receiver.url)).toBe(true);
      expect(request.headers['x-hubspot-signature-version']).toBe('v2');
      const v2 = createHash('sha256')
        .update(`${SECRET}POST${receiver.url}${request.rawBody}`)
        .digest('hex');
      expect(request.headers['x-hubspot-signature']).toBe(v2);
    }
    const received = events(receiver);
    expect(received.map((e) => [e.subscriptionType, e.propertyName ?? null])).toEqual([
      ['object.creation', null],
      ['object.propertyChange', 'lifecyclestage'],
    ]);
    const [creation, change] = received;
    expect(creation).toMatchObject({
      portalId: sandbox.portalId,
      appId: sandbox.appId,
      objectId: Number(contact.id),
      objectTypeId: '0-1',
      attemptNumber: 0,
      changeSource: 'INTEGRATION',
      sourceId: String(sandbox.appId),
      changeFlag: 'CREATED',
    });
    expect(change).toMatchObject({ propertyValue: 'lead', occurredAt: expect.any(Number) });
    expect(change?.eventId).not.toBe(creation?.eventId);
    expect(change?.subscriptionId).not.toBe(creation?.subscriptionId);
  });

  it('signs v1 when asked, and signs over the URI with only the documented escapes decoded', async () => {
    receiver = await startReceiver('/hooks/a%3Ab');
    sandbox = await createSandbox({ seed: 12 });
    sandbox.webhooks.connect({
      targetUrl: receiver.url,
      clientSecret: SECRET,
      legacySignatureVersion: 'v1',
    });
    sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
    await sandbox.flush();
    const [request] = receiver.requests;
    expect(request && v3Valid(request, receiver.url)).toBe(true);
    expect(request?.headers['x-hubspot-signature']).toBe(
      createHash('sha256').update(`${SECRET}${request?.rawBody}`).digest('hex'),
    );
  });

  it('sends deal stage moves, association changes and deletions from admin changes', async () => {
    await start({
      subscriptions: [
        ...DEFAULT_SUBSCRIPTIONS,
        { subscriptionType: 'object.associationChange', objectType: 'deal' },
      ],
    });
    const { admin } = sandbox;
    const contact = admin.create('contacts', { email: 'd@example.test' });
    const deal = admin.create('deals', {
      dealname: 'D',
      dealstage: sandbox.seeded.pipeline.stages.discovery,
    });
    admin.associate('deals', deal, 'contacts', contact);
    admin.update('deals', deal, { dealstage: sandbox.seeded.pipeline.stages.won });
    admin.delete('deals', deal);
    await sandbox.flush();
    const dealEvents = events(receiver).filter((e) => e.objectTypeId === '0-3');
    expect(
      dealEvents.map((e) => [e.subscriptionType, e.propertyValue ?? e.associationType ?? null]),
    ).toEqual([
      ['object.creation', null],
      ['object.propertyChange', sandbox.seeded.pipeline.stages.discovery],
      ['object.associationChange', 'DEAL_TO_CONTACT'],
      ['object.propertyChange', sandbox.seeded.pipeline.stages.won],
      ['object.associationChange', 'DEAL_TO_CONTACT'],
      ['object.deletion', null],
    ]);
    expect(dealEvents[2]).toMatchObject({
      fromObjectId: Number(deal),
      toObjectId: Number(contact),
      associationTypeId: 3,
      associationRemoved: false,
      changeSource: 'CRM_UI',
    });
    expect(dealEvents[4]).toMatchObject({ associationRemoved: true });
  });

  it('batches fewer than 100 events per request', async () => {
    await start({ maxEventsPerRequest: 99 });
    const client = sandboxClient(sandbox);
    for (let round = 0; round < 3; round++) {
      await client.crm.contacts.batchApi.create({
        inputs: Array.from({ length: 100 }, () => ({ properties: {}, associations: [] })),
      });
    }
    await sandbox.flush();
    const sizes = receiver.requests.map((r) => (JSON.parse(r.rawBody) as unknown[]).length);
    expect(Math.max(...sizes)).toBeLessThan(100);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('keeps at most the configured number of requests in flight', async () => {
    await start({ maxEventsPerRequest: 1, maxConcurrentRequests: 10 });
    receiver.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 20));
    for (let i = 0; i < 40; i++) sandbox.admin.create('contacts', {});
    await sandbox.flush();
    expect(receiver.requests).toHaveLength(40);
    expect(receiver.maxInFlight).toBe(10);
  });

  it('retries failed deliveries with a rising attemptNumber until the receiver answers 2xx', async () => {
    await start();
    receiver.respond = (_request, index) => (index < 3 ? (index === 1 ? 400 : 503) : 204);
    sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
    await sandbox.flush();
    expect(
      receiver.requests.map((r) => (JSON.parse(r.rawBody) as WebhookEvent[])[0]?.attemptNumber),
    ).toEqual([0, 1, 2, 3]);
    expect(receiver.requests.every((r) => v3Valid(r, receiver.url))).toBe(true);
    expect(sandbox.webhooks.stats()).toMatchObject({
      retries: 3,
      deliveredEvents: 2,
      deadEvents: 0,
    });
  });

  it('counts an answer slower than the timeout as a failure and retries it', async () => {
    await start({ timeoutMs: 100 });
    receiver.respond = (_request, index) =>
      index === 0 ? new Promise((resolve) => setTimeout(() => resolve(200), 1_000)) : 200;
    sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
    await sandbox.flush();
    expect(sandbox.webhooks.log().map((d) => [d.attemptNumber, d.status])).toEqual([
      [0, 0],
      [1, 200],
    ]);
  });

  it('gives up after 10 retries', async () => {
    await start();
    receiver.respond = () => 500;
    sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
    await sandbox.flush();
    expect(receiver.requests).toHaveLength(11);
    expect(sandbox.webhooks.stats()).toMatchObject({ deadEvents: 2, deliveredEvents: 0 });
  });

  it('duplicates every event when the duplicate switch is at 1', async () => {
    await start();
    sandbox.webhooks.setFaults({ duplicateRate: 1 });
    for (let i = 0; i < 5; i++) sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
    await sandbox.flush();
    const ids = events(receiver).map((e) => e.eventId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(10);
  });

  it('delivers out of order when switched, with the same set of events', async () => {
    await start({ maxEventsPerRequest: 5 });
    sandbox.webhooks.setFaults({ outOfOrder: true });
    for (let i = 0; i < 30; i++) {
      sandbox.admin.setTime(Date.UTC(2026, 6, 1) + i * 60_000);
      sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
    }
    await sandbox.flush();
    const received = events(receiver).map((e) => e.eventId);
    const generated = sandbox.webhooks.generated.map((e) => e.eventId);
    expect(received).not.toEqual(generated);
    expect([...received].sort()).toEqual([...generated].sort());
  });

  it('holds deliveries while paused and sends them on resume', async () => {
    await start();
    sandbox.webhooks.setFaults({ paused: true });
    sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(receiver.requests).toHaveLength(0);
    sandbox.webhooks.setFaults({ paused: false });
    await sandbox.flush();
    expect(events(receiver)).toHaveLength(2);
  });

  it('connects and changes the portal over the HTTP admin API', async () => {
    receiver = await startReceiver();
    sandbox = await createSandbox({ seed: 6 });
    const admin = (path: string, body: unknown, method = 'POST') =>
      fetch(`${sandbox.url}/_sandbox${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await admin('/webhooks/connect', { targetUrl: receiver.url, clientSecret: SECRET });
    await admin('/time', { at: Date.UTC(2026, 6, 1) });
    const created = (await (await admin('/objects/contacts', { properties: {} })).json()) as {
      id: string;
    };
    await admin(
      `/objects/contacts/${created.id}`,
      { properties: { hs_lead_status: 'OPEN' } },
      'PATCH',
    );
    const flushed = await admin('/webhooks/flush', {});
    expect(await flushed.json()).toMatchObject({ deliveredEvents: 2 });
    const received = events(receiver);
    expect(received.map((e) => e.subscriptionType)).toEqual([
      'object.creation',
      'object.propertyChange',
    ]);
    expect(received[1]).toMatchObject({
      propertyName: 'hs_lead_status',
      occurredAt: Date.UTC(2026, 6, 1),
    });
    expect(receiver.requests.every((r) => v3Valid(r, receiver.url))).toBe(true);
  });

  it('reads its subscriptions from a webhooks-hsmeta.json and sends only those', async () => {
    const hsMeta = {
      uid: 'truce_webhooks',
      type: 'webhooks',
      config: {
        settings: {
          targetUrl: 'https://truce.example.com/webhooks/hubspot',
          maxConcurrentRequests: 10,
        },
        subscriptions: {
          crmObjects: [
            {
              subscriptionType: 'object.propertyChange',
              objectType: 'deal',
              propertyName: 'dealstage',
              active: true,
            },
            { subscriptionType: 'object.creation', objectType: 'contact', active: false },
          ],
        },
      },
    };
    await start({ subscriptions: subscriptionsFromHsMeta(hsMeta) });
    sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
    sandbox.admin.create('deals', {
      dealstage: sandbox.seeded.pipeline.stages.discovery,
      amount: '5',
    });
    await sandbox.flush();
    expect(events(receiver).map((e) => [e.objectTypeId, e.propertyName])).toEqual([
      ['0-3', 'dealstage'],
    ]);
    expect(() => subscriptionsFromHsMeta({ type: 'card' })).toThrow();
  });

  it('sends nothing for seeded background contacts', async () => {
    receiver = await startReceiver();
    sandbox = await createSandbox({
      seed: 5,
      contacts: 50,
      webhooks: { targetUrl: receiver.url, clientSecret: SECRET },
    });
    await sandbox.flush();
    expect(receiver.requests).toHaveLength(0);
    expect(sandbox.portal.count('contacts')).toBe(50);
  });
});
