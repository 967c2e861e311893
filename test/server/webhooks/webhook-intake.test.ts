import { createHash } from 'node:crypto';

import { testConfig } from '../../helpers/config';
import { dialects } from '../../helpers/database';
import { startTestService, type TestService } from '../../helpers/service';
import {
  errorOf,
  hubspotEvent,
  PORTAL_ID,
  postWebhook,
  PUBLIC_BASE_URL,
  settingsFile,
  storedEventCount,
  WEBHOOK_PATH,
  WEBHOOK_SECRET,
  webhookEnv,
} from '../../helpers/webhooks';

const T0 = 1_764_100_000_000;
const MINUTE = 60_000;

describe.each(dialects)('POST /webhooks/hubspot on %s', (dialect) => {
  let running: TestService;
  let clock = T0;

  beforeAll(async () => {
    running = await startTestService(testConfig(webhookEnv()), dialect, {
      now: () => clock,
      startWorkers: false,
    });
  });

  afterAll(async () => {
    await running.stop();
  });

  beforeEach(async () => {
    clock = T0;
    await running.database.db.deleteFrom('webhook_event').execute();
  });

  const storedCount = () => storedEventCount(running.database.db);

  it('stores a valid v3 batch and answers 204, keeping unknown fields', async () => {
    const events = [
      hubspotEvent({ objectId: 1, somethingNew: { nested: true } }),
      hubspotEvent({ objectId: 2, subscriptionType: 'contact.creation', propertyName: undefined }),
    ];
    const response = await postWebhook(running.baseUrl, events, { timestamp: clock });
    expect(response.status).toBe(204);
    const rows = await running.database.db
      .selectFrom('webhook_event')
      .selectAll()
      .orderBy('object_id')
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      portal_id: PORTAL_ID,
      object_type: 'contact',
      change: 'propertyChange',
      property_name: 'lifecyclestage',
      status: 'pending',
      received_at: T0,
    });
    expect(JSON.parse(rows[0]!.payload)).toEqual(events[0]);
    expect(rows[1]).toMatchObject({ change: 'creation', property_name: '' });
  });

  it('accepts a timestamp 4 minutes old (within the window)', async () => {
    const response = await postWebhook(running.baseUrl, [hubspotEvent()], {
      timestamp: clock - 4 * MINUTE,
    });
    expect(response.status).toBe(204);
  });

  const refusals: [string, (body: string) => Record<string, string | undefined>, number?][] = [
    [
      'a wrong signature',
      () => ({ 'x-hubspot-signature-v3': Buffer.alloc(32, 7).toString('base64') }),
    ],
    ['no signature header', () => ({ 'x-hubspot-signature-v3': undefined })],
    ['no timestamp header', () => ({ 'x-hubspot-request-timestamp': undefined })],
    [
      'no HubSpot headers at all',
      () => ({ 'x-hubspot-signature-v3': undefined, 'x-hubspot-request-timestamp': undefined }),
    ],
  ];

  it.each(refusals)('answers 401 to %s and stores nothing', async (_label, headers) => {
    const body = JSON.stringify([hubspotEvent()]);
    const response = await postWebhook(running.baseUrl, body, {
      timestamp: clock,
      headers: headers(body),
    });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('invalid_signature');
    expect(await storedCount()).toBe(0);
  });

  it.each([
    ['6 minutes old', -6 * MINUTE],
    ['6 minutes in the future', 6 * MINUTE],
  ])('answers 401 to a correctly signed request whose timestamp is %s', async (_label, offset) => {
    const response = await postWebhook(running.baseUrl, [hubspotEvent()], {
      timestamp: clock + offset,
    });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toMatch(/timestamp_out_of_range/);
    expect(await storedCount()).toBe(0);
  });

  it('answers 401 to a body changed after signing', async () => {
    const signed = JSON.stringify([hubspotEvent({ propertyValue: 'lead' })]);
    const response = await postWebhook(running.baseUrl, signed.replace('"lead"', '"customer"'), {
      timestamp: clock,
      headers: {
        'x-hubspot-signature-v3': (await import('../../helpers/webhooks')).signV3(signed, clock),
      },
    });
    expect(response.status).toBe(401);
    expect(await storedCount()).toBe(0);
  });

  it('refuses v1 and v2 signatures while legacy signatures are not enabled', async () => {
    const body = JSON.stringify([hubspotEvent()]);
    for (const [version, signature] of [
      ['v1', sha256(WEBHOOK_SECRET + body)],
      ['v2', sha256(`${WEBHOOK_SECRET}POST${PUBLIC_BASE_URL}${WEBHOOK_PATH}${body}`)],
    ] as const) {
      const response = await postWebhook(running.baseUrl, body, {
        timestamp: clock,
        headers: {
          'x-hubspot-signature-v3': undefined,
          'x-hubspot-request-timestamp': undefined,
          'x-hubspot-signature': signature,
          'x-hubspot-signature-version': version,
        },
      });
      expect(response.status).toBe(401);
      expect((await errorOf(response)).message).toMatch(/legacy_not_allowed/);
    }
    expect(await storedCount()).toBe(0);
  });

  it.each([
    ['malformed JSON', '[{"eventId": 1,', /not valid JSON/],
    ['a JSON object instead of an array', JSON.stringify(hubspotEvent()), /expected array/],
    ['an empty array', '[]', /at least one event/],
    [
      '101 events',
      JSON.stringify(Array.from({ length: 101 }, () => hubspotEvent())),
      /at most 100 events/,
    ],
    [
      'an occurredAt that is a string',
      JSON.stringify([hubspotEvent({ occurredAt: 'yesterday' })]),
      /0\.occurredAt/,
    ],
    [
      'an objectId that is a string',
      JSON.stringify([hubspotEvent({ objectId: '501' })]),
      /0\.objectId/,
    ],
    [
      'an event without a portalId',
      JSON.stringify([hubspotEvent({ portalId: undefined })]),
      /0\.portalId/,
    ],
  ])('answers 400 to %s with the reason and stores nothing', async (_label, body, reason) => {
    const response = await postWebhook(running.baseUrl, body, { timestamp: clock });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(reason);
    expect(await storedCount()).toBe(0);
  });

  it('answers 413 to a 2 MB body', async () => {
    const body = JSON.stringify([hubspotEvent({ propertyValue: 'x'.repeat(2 * 1024 * 1024) })]);
    const response = await postWebhook(running.baseUrl, body, { timestamp: clock });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('payload_too_large');
    expect(await storedCount()).toBe(0);
  });

  it('answers 404 to a batch naming a portal that is not installed, and stores none of it', async () => {
    const response = await postWebhook(
      running.baseUrl,
      [hubspotEvent(), hubspotEvent({ portalId: 999_999 })],
      { timestamp: clock },
    );
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({
      code: 'portal_not_installed',
      message: 'Truce is not installed for portal 999999; nothing of this batch was stored',
    });
    expect(await storedCount()).toBe(0);
  });

  it('stores a redelivered batch once and still answers 204; counts duplicates in /metrics', async () => {
    const metricValue = async (name: string) => {
      const text = await (await fetch(`${running.baseUrl}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };
    const duplicatesBefore = await metricValue('truce_webhook_events_duplicate_total');
    const batch = [
      hubspotEvent(),
      hubspotEvent(),
      hubspotEvent({ subscriptionType: 'contact.creation', propertyName: undefined }),
    ];
    expect((await postWebhook(running.baseUrl, batch, { timestamp: clock })).status).toBe(204);
    const retried = batch.map((event) => ({ ...event, attemptNumber: 1 }));
    expect((await postWebhook(running.baseUrl, retried, { timestamp: clock })).status).toBe(204);
    expect(await storedCount()).toBe(3);
    expect(await metricValue('truce_webhook_events_duplicate_total')).toBe(duplicatesBefore + 3);
    expect(await metricValue('truce_webhook_queue_depth')).toBe(3);
  });

  it('keeps events that share an eventId but differ in another key field apart', async () => {
    const base = hubspotEvent();
    const batch = [
      base,
      { ...base, propertyName: 'hs_lead_status' },
      { ...base, occurredAt: T0 + 1 },
    ];
    expect((await postWebhook(running.baseUrl, batch, { timestamp: clock })).status).toBe(204);
    expect(await storedCount()).toBe(3);
  });
});

describe.each(dialects)('webhook intake configuration on %s', (dialect) => {
  it('accepts v1 and v2 signatures when allowLegacySignatures is set', async () => {
    const running = await startTestService(
      testConfig(
        webhookEnv({ TRUCE_CONFIG: settingsFile('webhooks:\n  allowLegacySignatures: true\n') }),
      ),
      dialect,
      { startWorkers: false },
    );
    try {
      for (const version of ['v1', 'v2'] as const) {
        const body = JSON.stringify([hubspotEvent()]);
        const signature =
          version === 'v1'
            ? sha256(WEBHOOK_SECRET + body)
            : sha256(`${WEBHOOK_SECRET}POST${PUBLIC_BASE_URL}${WEBHOOK_PATH}${body}`);
        const response = await fetch(`${running.baseUrl}${WEBHOOK_PATH}`, {
          method: 'POST',
          headers: { 'x-hubspot-signature': signature, 'x-hubspot-signature-version': version },
          body,
        });
        expect(response.status).toBe(204);
      }
    } finally {
      await running.stop();
    }
  });

  it('verifies against the Host header when PUBLIC_BASE_URL is unset', async () => {
    const env = webhookEnv();
    delete (env as Record<string, string | undefined>).PUBLIC_BASE_URL;
    const running = await startTestService(testConfig(env), dialect, { startWorkers: false });
    try {
      const body = JSON.stringify([hubspotEvent()]);
      const timestamp = Date.now();
      const url = `${running.baseUrl}${WEBHOOK_PATH}`;
      const { signV3 } = await import('../../helpers/webhooks');
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'x-hubspot-signature-v3': signV3(body, timestamp, url),
          'x-hubspot-request-timestamp': String(timestamp),
        },
        body,
      });
      expect(response.status).toBe(204);
    } finally {
      await running.stop();
    }
  });

  it('answers 503 when no client secret is configured (nothing can be verified)', async () => {
    const running = await startTestService(
      testConfig({ HUBSPOT_PORTAL_ID: String(PORTAL_ID) }),
      dialect,
      {
        startWorkers: false,
      },
    );
    try {
      const response = await postWebhook(running.baseUrl, [hubspotEvent()], {
        timestamp: Date.now(),
      });
      expect(response.status).toBe(503);
      expect((await errorOf(response)).code).toBe('webhooks_not_configured');
    } finally {
      await running.stop();
    }
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
