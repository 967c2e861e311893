import { createHmac, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';

import nock from 'nock';

import { createLogger } from '../../../server/logger';
import { type RunningService, startService } from '../../../server/service';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { HANDOFF_SETTINGS_YAML } from '../../helpers/handoff';
import {
  hubspotEvent,
  PORTAL_ID,
  PUBLIC_BASE_URL,
  settingsFile,
  signV3,
  WEBHOOK_SECRET,
  webhookEnv,
} from '../../helpers/webhooks';

/**
 * A full run of the service at log level `trace` with its pino output captured: signed webhooks, scoring
 * with a HubSpot read, outbox writes that HubSpot answers with 200, 401 and 500, card requests, the bearer
 * API with the right and a wrong key. Then every secret value is looked for in every log line: the client
 * secret, the private app token, the API key, every signature sent, and the rep's e-mail address.
 */

const API = 'https://api.hubapi.test';
const ACCESS_TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const API_KEY = 'secret-report-key-9f8e7d6c5b4a';
const REP_EMAIL = 'rep.secret@example.org';
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const HOUR = 3_600_000;

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

describe('secrets never reach the log', () => {
  const capture = new Capture();
  const signatures: string[] = [];
  let database: TestDatabase;
  let service: RunningService;
  let baseUrl: string;
  let clock = T0;

  beforeAll(async () => {
    const config = testConfig(
      webhookEnv({
        LOG_LEVEL: 'trace',
        HUBSPOT_ACCESS_TOKEN: ACCESS_TOKEN,
        HUBSPOT_API_BASE: API,
        TRUCE_API_KEY: API_KEY,
        TRUCE_CONFIG: settingsFile(HANDOFF_SETTINGS_YAML),
      }),
    );
    database = await createTestDatabase('sqlite', { migrate: false });
    service = await startService(config, createLogger('trace', capture), {
      database,
      now: () => clock,
      startWorkers: false,
    });
    baseUrl = `http://127.0.0.1:${service.port}`;
  });

  afterAll(async () => {
    nock.cleanAll();
    await service.close();
    await database.destroy();
  });

  async function webhook(events: unknown[], secret = WEBHOOK_SECRET): Promise<number> {
    const body = JSON.stringify(events);
    const signature =
      secret === WEBHOOK_SECRET
        ? signV3(body, clock)
        : createHmac('sha256', secret).update(body).digest('base64');
    signatures.push(signature);
    const response = await fetch(`${baseUrl}/webhooks/hubspot`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': String(clock),
      },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  async function card(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    body?: unknown,
  ): Promise<Response> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const signature = createHmac('sha256', WEBHOOK_SECRET)
      .update(`${method}${PUBLIC_BASE_URL}${pathAndQuery}${text}${clock}`)
      .digest('base64');
    signatures.push(signature);
    return fetch(`${baseUrl}${pathAndQuery}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': String(clock),
      },
      ...(method === 'POST' ? { body: text } : {}),
    });
  }

  const bearer = (path: string, key: string, body?: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('runs the whole flow, then finds none of the secrets in any log line', async () => {
    const mql = (objectId: number) =>
      hubspotEvent({
        objectId,
        propertyName: 'lifecyclestage',
        propertyValue: 'marketingqualifiedlead',
        occurredAt: clock,
      });
    expect(await webhook([mql(501), mql(502)])).toBe(204);
    expect(await webhook([mql(503)], 'a-wrong-secret')).toBe(401);
    await service.webhookWorker.drain();

    // HubSpot answers the read, then 200 to some writes, 401 and 500 to others (error paths log the most).
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .reply(200, {
        status: 'COMPLETE',
        results: [501, 502].map((id) => ({
          id: String(id),
          properties: { hs_object_id: String(id), jobtitle: 'VP Sales', email: REP_EMAIL },
          createdAt: new Date(T0 - 30 * 24 * HOUR).toISOString(),
          updatedAt: new Date(T0).toISOString(),
          archived: false,
        })),
        startedAt: new Date(T0).toISOString(),
        completedAt: new Date(T0).toISOString(),
      });
    expect((await service.handoffWorker!.scoreOnce()).assigned).toBe(2);
    let call = 0;
    const answer = (): [number, unknown] => {
      call += 1;
      if (call % 3 === 1)
        return [
          401,
          {
            status: 'error',
            message: `Authentication credentials not found (${ACCESS_TOKEN.slice(0, 4)}…)`,
            category: 'INVALID_AUTHENTICATION',
          },
        ];
      if (call % 3 === 2) return [500, { status: 'error', message: 'internal error' }];
      return [200, { id: '7001', properties: {} }];
    };
    for (const method of ['get', 'post', 'patch', 'put'] as const) {
      nock(API).persist()[method](/.*/).query(true).reply(answer);
    }
    for (let round = 0; round < 4; round += 1) {
      await service.outbox!.drainOnce();
      clock += HOUR;
    }
    expect(call).toBeGreaterThan(3);

    const handoff = await database.db
      .selectFrom('handoff')
      .select('id')
      .where('contact_id', '=', 501)
      .executeTakeFirstOrThrow();
    const query = `portalId=${PORTAL_ID}&userId=77&userEmail=${REP_EMAIL}`;
    expect((await card('GET', `/api/card/contacts/501/handoff?${query}`)).status).toBe(200);
    expect(
      (
        await card('POST', `/api/card/contacts/501/handoff/accept?${query}`, {
          handoffId: String(handoff.id),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await card('POST', `/api/card/contacts/502/handoff/reject?${query}`, {
          handoffId: '0',
          reasonCode: 'nope',
        })
      ).status,
    ).toBe(400);
    expect((await bearer('/api/v1/reports/handoffs?format=csv', API_KEY)).status).toBe(200);
    expect((await bearer('/api/v1/reports/attribution', API_KEY)).status).toBe(200);
    expect((await bearer('/api/v1/reports/attribution', `${API_KEY}-wrong`)).status).toBe(401);
    expect(
      (
        await bearer('/api/v1/touchpoints', API_KEY, {
          contactId: '501',
          at: clock,
          kind: 'offline',
          channel: 'events',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await bearer('/api/v1/spend', API_KEY, {
          campaign: 'x',
          period: 'nope',
          currency: 'EUR',
          cents: 1,
        })
      ).status,
    ).toBe(400);
    await service.outbox!.drainOnce();

    // The run logged plenty, including requests, HubSpot failures and decisions.
    const log = capture.lines.join('\n');
    expect(capture.lines.length).toBeGreaterThan(20);
    expect(log).toContain('/api/card/contacts/501/handoff/accept');
    expect(log).toContain('failed (Authentication credentials not found');
    expect(log).toContain('failed (internal error)');
    expect(log).toContain('HubSpot signature refused');
    expect(log).toContain('missing or invalid bearer key');

    const secrets: Record<string, string> = {
      'client secret': WEBHOOK_SECRET,
      'private app token': ACCESS_TOKEN,
      'API key': API_KEY,
      'rep e-mail': REP_EMAIL,
      'rep e-mail (URL-encoded)': encodeURIComponent(REP_EMAIL),
    };
    signatures.forEach((signature, index) => (secrets[`signature ${index + 1}`] = signature));
    const leaks = Object.entries(secrets)
      .filter(([, value]) => log.includes(value))
      .map(([name]) => name);
    expect(leaks).toEqual([]);
    // The acting user's e-mail is masked in the request line (regression: it was logged in full).
    expect(log).toContain('userEmail=%5Bredacted%5D');
    expect(log).toContain('"userEmail":"[redacted]"');
  });
});

describe('secrets never reach the log: the OAuth install', () => {
  const OAUTH_API = 'https://api.hubspot.test';
  const ENCRYPTION_KEY = randomBytes(32).toString('base64');
  const ACCESS = 'oauth-access-secret-5e4d3c2b1a';
  const REFRESH = 'oauth-refresh-secret-a1b2c3d4e5';
  const CODE = 'oauth-authorization-code-77aa';
  const PORTAL = 71_501;
  const capture = new Capture();
  let database: TestDatabase;
  let service: RunningService;

  beforeAll(async () => {
    const config = testConfig({
      LOG_LEVEL: 'trace',
      HUBSPOT_AUTH: 'oauth',
      HUBSPOT_CLIENT_ID: 'truce-client-id-logs',
      HUBSPOT_CLIENT_SECRET: WEBHOOK_SECRET,
      HUBSPOT_API_BASE: OAUTH_API,
      PUBLIC_BASE_URL,
      TRUCE_ENCRYPTION_KEY: `k1:${ENCRYPTION_KEY}`,
    });
    database = await createTestDatabase('sqlite', { migrate: false });
    service = await startService(config, createLogger('trace', capture), {
      database,
      now: () => T0,
      startWorkers: false,
    });
  });

  afterAll(async () => {
    nock.cleanAll();
    await service.close();
    await database.destroy();
  });

  it('install, callback with a code, token exchange and HubSpot writes with the new token: no secret in the log', async () => {
    const baseUrl = `http://127.0.0.1:${service.port}`;
    const install = await fetch(`${baseUrl}/oauth/install`, { redirect: 'manual' });
    expect(install.status).toBe(302);
    const state = new URL(install.headers.get('location')!).searchParams.get('state')!;
    const cookie = install.headers.get('set-cookie')!.split(';')[0]!;
    // The new endpoints take every secret in the form body: the body and the answer must stay out of the log.
    nock(OAUTH_API)
      .post('/oauth/2026-03/token')
      .reply(200, {
        access_token: ACCESS,
        refresh_token: REFRESH,
        expires_in: 1800,
        token_type: 'bearer',
        hub_id: PORTAL,
        scopes: ['oauth'],
      });
    nock(OAUTH_API)
      .post('/oauth/2026-03/token/introspect')
      .reply(200, {
        active: true,
        token: ACCESS,
        user: 'admin@portal.example',
        hub_domain: 'portal.example',
        scopes: ['oauth'],
        hub_id: PORTAL,
        app_id: 4242,
        expires_in: 1790,
        user_id: 1234,
        token_type: 'bearer',
      });
    const page = await fetch(
      `${baseUrl}/oauth/callback?code=${CODE}&state=${encodeURIComponent(state)}`,
      {
        headers: { cookie },
      },
    );
    expect(page.status).toBe(200);
    // A replayed callback (the code used twice, no cookie) is refused and logged.
    const replay = await fetch(
      `${baseUrl}/oauth/callback?code=${CODE}&state=${encodeURIComponent(state)}`,
    );
    expect(replay.status).toBe(400);
    // A token exchange HubSpot answers with an error about the app itself is logged with its error, not the body.
    nock(OAUTH_API)
      .post('/oauth/2026-03/token')
      .reply(401, { error: 'invalid_client', error_description: 'client authentication failed' });
    const misconfigured = await fetch(
      `${baseUrl}/oauth/callback?code=${CODE}&state=${encodeURIComponent(state)}`,
      { headers: { cookie } },
    );
    expect(misconfigured.status).toBe(502);
    // HubSpot refuses the first call (properties.ensure reads what exists first: 401), then accepts.
    nock(OAUTH_API)
      .get(/.*/)
      .reply(401, { status: 'error', message: 'expired', category: 'EXPIRED_AUTHENTICATION' });
    nock(OAUTH_API).persist().get(/.*/).reply(200, { results: [] });
    nock(OAUTH_API).persist().post(/.*/).reply(201, { name: 'truce', label: 'Truce' });
    await service.outbox!.drainOnce();

    const log = capture.lines.join('\n');
    expect(log).toContain(`portal ${PORTAL} installed Truce`);
    expect(log).toContain('HubSpot answered 401 to POST /oauth/2026-03/token (invalid_client)');
    expect(log).toContain('HubSpot properties.ensure failed (expired)');
    expect(capture.lines.length).toBeGreaterThan(3);
    const secrets: Record<string, string> = {
      'client secret': WEBHOOK_SECRET,
      'encryption key': ENCRYPTION_KEY,
      'access token': ACCESS,
      'refresh token': REFRESH,
      'authorization code': CODE,
      'install cookie': cookie.split('=')[1]!,
    };
    const leaks = Object.entries(secrets)
      .filter(([, value]) => log.includes(value))
      .map(([name]) => name);
    expect(leaks).toEqual([]);
  });
});
