import fc from 'fast-check';

import { decodeV3Uri } from '../../../server/hubspot/webhook-signature';
import { testConfig } from '../../helpers/config';
import { cardRequest, HANDOFF_SETTINGS_YAML } from '../../helpers/handoff';
import { startTestService, type TestService } from '../../helpers/service';
import {
  hubspotEvent,
  PORTAL_ID,
  postWebhook,
  settingsFile,
  webhookEnv,
} from '../../helpers/webhooks';

/**
 * Property-based fuzzing of the service over HTTP: random bodies, content types, query strings and path
 * segments on every route that takes input. Whatever arrives, the answer is a success or a 4xx carrying
 * `{ error: { code, message } }` with a reason; never a 5xx, never a dropped connection.
 */
const RUNS = Math.ceil(Number(process.env.FUZZ_RUNS ?? 300) / 3);
const params = { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261126) };
const T0 = 1_764_100_000_000;
const API_KEY = 'fuzz-http-key-0123456789';

let requests = 0;

async function expectHandled(response: Response, allowed: readonly number[]): Promise<void> {
  requests += 1;
  const text = await response.text();
  expect([response.status, allowed]).toEqual([
    response.status,
    expect.arrayContaining([response.status]),
  ]);
  if (response.status >= 400) {
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toMatch(/^[a-z_]+$/);
    expect(body.error.message.length).toBeGreaterThan(0);
  }
}

/** JSON shaped like the route's body often enough to reach the deeper checks. */
const touchBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      contactId: fc.oneof(fc.stringMatching(/^\d{1,20}$/), fc.integer(), fc.string(), fc.double()),
      at: fc.oneof(
        fc.integer(),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      kind: fc.oneof(fc.constantFrom('offline', 'event_attendance', 'ad_click'), fc.string()),
      channel: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,70}$/), fc.string()),
      source: fc.string({ maxLength: 300 }),
      url: fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.string()),
      campaign: fc.string({ maxLength: 600 }),
      cost: fc.oneof(
        fc.record({ cents: fc.integer(), currency: fc.constantFrom('EUR', 'usd', '') }),
        fc.jsonValue(),
      ),
      note: fc.string({ maxLength: 2100 }),
      idempotencyKey: fc.string({ maxLength: 210 }),
    },
    { requiredKeys: [] },
  ),
);

const spendEntry = fc.record(
  {
    campaign: fc.string({ maxLength: 510 }),
    period: fc.oneof(
      fc.constantFrom('2026', '2026-Q3', '2026-07', '2026-07-15', '2026-Q5', '2026-02-30'),
      fc.string(),
    ),
    currency: fc.oneof(fc.constantFrom('EUR', 'USD'), fc.string()),
    cents: fc.oneof(fc.integer(), fc.double(), fc.maxSafeInteger(), fc.string()),
    source: fc.string({ maxLength: 110 }),
  },
  { requiredKeys: [] },
);
const spendBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  spendEntry,
  fc.record({ entries: fc.array(spendEntry, { maxLength: 5 }) }),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=nope',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
);

describe('fuzz over HTTP: every input route answers 2xx or a reasoned 4xx', () => {
  let running: TestService;

  beforeAll(async () => {
    running = await startTestService(
      testConfig(
        webhookEnv({ TRUCE_API_KEY: API_KEY, TRUCE_CONFIG: settingsFile(HANDOFF_SETTINGS_YAML) }),
      ),
      'sqlite',
      { now: () => T0, startWorkers: false },
    );
  });
  afterAll(async () => {
    await running.stop();
    // Reported in SECURITY.md: how many requests one run sends.
    process.stdout.write(`[fuzz-http] ${requests} requests, none answered 5xx\n`);
  });

  const post = (path: string, body: string, type: string) =>
    fetch(`${running.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, ...(type ? { 'content-type': type } : {}) },
      body,
    });

  it.each([
    ['/api/v1/touchpoints', touchBody, [200, 201]],
    ['/api/v1/spend', spendBody, [201]],
  ] as const)('POST %s with random JSON', async (path, body, ok) => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        await expectHandled(await post(path, JSON.stringify(value), 'application/json'), [
          ...ok,
          400,
        ]);
      }),
      params,
    );
  });

  it.each(['/api/v1/touchpoints', '/api/v1/spend'])(
    'POST %s with random bytes and content types',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'binary', maxLength: 400 }),
          contentType,
          async (body, type) => {
            await expectHandled(await post(path, body, type), [200, 201, 400, 415]);
          },
        ),
        params,
      );
    },
  );

  it('POST /webhooks/hubspot with signed random batches', async () => {
    const field = fc.constantFrom(...Object.keys(hubspotEvent()));
    const event = fc
      .array(fc.tuple(field, fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 })
      .map((changes) => {
        const base = hubspotEvent({ portalId: PORTAL_ID });
        for (const [key, value] of changes) base[key] = value;
        return base;
      });
    const body = fc.oneof(
      fc.array(event, { maxLength: 5 }).map((events) => JSON.stringify(events)),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        await expectHandled(
          await postWebhook(running.baseUrl, text, { timestamp: T0 }),
          [204, 400, 404],
        );
      }),
      params,
    );
  });

  it('card POST accept/reject with signed random bodies and contact ids', async () => {
    const contactId = fc.oneof(
      fc.stringMatching(/^\d{1,25}$/),
      fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
    );
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          handoffId: fc.oneof(fc.stringMatching(/^\d{1,20}$/), fc.string(), fc.integer()),
          reasonCode: fc.oneof(fc.constantFrom('bad_fit', 'no_intent'), fc.string()),
          note: fc.oneof(fc.string({ maxLength: 600 }), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('accept', 'reject'),
        contactId,
        body,
        async (action, id, value) => {
          const response = await cardRequest(
            running.baseUrl,
            'POST',
            `/api/card/contacts/${id}/handoff/${action}`,
            // Random segments are percent-encoded, and HubSpot decodes a fixed set of escapes before signing.
            { timestamp: T0, body: value, signedUri: decodeV3Uri },
          );
          await expectHandled(response, [200, 400, 404, 409]);
        },
      ),
      params,
    );
  });

  it('card GET views with signed random ids and query strings', async () => {
    const segment = fc.oneof(
      fc.stringMatching(/^\d{1,25}$/),
      fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
    );
    const query = fc.dictionary(
      fc.constantFrom('portalId', 'userId', 'userEmail', 'model', 'x'),
      fc.oneof(
        fc.stringMatching(/^-?\d{0,20}$/),
        fc.string({ maxLength: 20 }).map(encodeURIComponent),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('contacts', 'deals'),
        segment,
        query,
        async (kind, id, values) => {
          const search = Object.entries(values)
            .map(([name, value]) => `${name}=${value}`)
            .join('&');
          const route =
            kind === 'contacts'
              ? `/api/card/contacts/${id}/handoff`
              : `/api/card/deals/${id}/attribution`;
          const response = await cardRequest(
            running.baseUrl,
            'GET',
            `${route}${search ? `?${search}` : ''}`,
            { timestamp: T0, signedUri: decodeV3Uri },
          );
          await expectHandled(response, [200, 400, 404]);
        },
      ),
      params,
    );
  });

  it('report GETs with random query strings', async () => {
    const value = fc.oneof(
      fc.constantFrom(
        'json',
        'csv',
        'xlsx',
        'all',
        'linear',
        'campaign',
        'channel',
        'owner',
        'quarter',
        '2026',
        '2026-Q3',
        '2026-13-01',
      ),
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
    );
    const query = fc.array(
      fc.tuple(fc.constantFrom('format', 'from', 'to', 'by', 'period', 'model', 'from[]'), value),
      { maxLength: 5 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('handoffs', 'attribution'), query, async (report, pairs) => {
        const search = pairs.map(([name, text]) => `${name}=${text}`).join('&');
        const response = await fetch(`${running.baseUrl}/api/v1/reports/${report}?${search}`, {
          headers: { authorization: `Bearer ${API_KEY}` },
        });
        await expectHandled(response, [200, 400]);
      }),
      params,
    );
  });
});
