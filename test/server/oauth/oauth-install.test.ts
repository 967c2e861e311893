import { randomBytes } from 'node:crypto';

import nock from 'nock';

import { createLogger } from '../../../server/logger';
import { createHubSpotOAuth } from '../../../server/oauth/hubspot-oauth';
import { createOAuthHubSpotClients } from '../../../server/oauth/oauth-clients';
import { revokePortalToken } from '../../../server/oauth/revoke-portal-token';
import { rotateTokenKeys } from '../../../server/oauth/rotate-keys';
import { enqueueOutbox } from '../../../server/outbox/outbox.repository';
import { deactivatePortal } from '../../../server/portals/portal.repository';
import {
  executePortalPurge,
  planPortalPurge,
  PurgeRefused,
} from '../../../server/portals/portal-purge';
import { parseKeyring } from '../../../server/security/token-cipher';
import { testConfig } from '../../helpers/config';
import { dialects } from '../../helpers/database';
import { cardRequest } from '../../helpers/handoff';
import { startTestService, type TestService } from '../../helpers/service';
import {
  hubspotEvent,
  postWebhook,
  PUBLIC_BASE_URL,
  settingsFile,
  WEBHOOK_SECRET,
} from '../../helpers/webhooks';

const API = 'https://api.hubspot.test';
const CLIENT_ID = 'truce-client-id-1f2e';
const KEY_1 = randomBytes(32).toString('base64');
const KEY_2 = randomBytes(32).toString('base64');
const PORTAL_A = 71001;
const PORTAL_B = 71002;
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);

const TOKEN_PATH = '/oauth/2026-03/token';
const INTROSPECT_PATH = '/oauth/2026-03/token/introspect';
const SCOPES = ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'oauth'];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** What HubSpot's POST /oauth/2026-03/token answers; `hub_id` and `scopes` are there since August 2025. */
function tokenBody(access: string, refresh: string, portalId: number, expiresIn = 1800) {
  return {
    access_token: access,
    refresh_token: refresh,
    expires_in: expiresIn,
    token_type: 'bearer',
    token_use: 'access_token',
    hub_id: portalId,
    scopes: SCOPES,
    user_id: 1234,
  };
}

/** What POST /oauth/2026-03/token/introspect answers for an active access token. */
function tokenInfoBody(portalId: number, token: string) {
  return {
    active: true,
    token,
    token_use: 'access_token',
    user: `admin@portal${portalId}.example`,
    hub_domain: `portal${portalId}.example`,
    scopes: SCOPES,
    hub_id: portalId,
    app_id: 4242,
    client_id: CLIENT_ID,
    expires_in: 1790,
    user_id: 1234,
    token_type: 'bearer',
  };
}

/** The form fields Truce sends to introspect `token` with the app's credentials. */
const introspects = (token: string) => (body: Record<string, string>) =>
  body.token === token &&
  body.token_type_hint === 'access_token' &&
  body.client_id === CLIENT_ID &&
  body.client_secret === WEBHOOK_SECRET;

describe.each(dialects)('installing Truce in several HubSpot accounts on %s', (dialect) => {
  let running: TestService;
  let clock = T0;

  beforeAll(async () => {
    const config = testConfig({
      HUBSPOT_AUTH: 'oauth',
      HUBSPOT_CLIENT_ID: CLIENT_ID,
      HUBSPOT_CLIENT_SECRET: WEBHOOK_SECRET,
      HUBSPOT_API_BASE: API,
      PUBLIC_BASE_URL,
      TRUCE_ENCRYPTION_KEY: `k1:${KEY_1}`,
      TRUCE_CONFIG: settingsFile('oauth:\n  purgeRetentionDays: 30\n'),
    });
    running = await startTestService(config, dialect, { now: () => clock, startWorkers: false });
  });

  afterAll(async () => {
    await running.stop();
  });

  // Any request nock has no answer for, by path: a v1 OAuth call would land here (no test fakes v1 any more).
  const unanswered: string[] = [];
  const recordUnanswered = (req: { method?: string; path?: string }) =>
    unanswered.push(`${req.method} ${req.path}`);
  beforeAll(() => nock.emitter.on('no match', recordUnanswered));
  afterAll(() => nock.emitter.removeListener('no match', recordUnanswered));
  afterEach(() => {
    expect(unanswered.filter((request) => request.includes('/oauth/v1/'))).toEqual([]);
  });

  beforeEach(async () => {
    clock = T0;
    unanswered.length = 0;
    nock.cleanAll();
    const db = running.database.db;
    for (const table of [
      'webhook_event',
      'deal',
      'hubspot_outbox',
      'portal_token',
      'portal',
    ] as const)
      await db.deleteFrom(table).execute();
  });

  const db = () => running.database.db;

  /** Starts an install in "the browser": the redirect to HubSpot and the nonce cookie. */
  async function startInstall(): Promise<{ state: string; cookie: string; location: URL }> {
    const response = await fetch(`${running.baseUrl}/oauth/install`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    return { state: location.searchParams.get('state')!, cookie, location };
  }

  async function callback(query: string, cookie?: string): Promise<Response> {
    return fetch(`${running.baseUrl}/oauth/callback?${query}`, {
      headers: cookie ? { cookie } : {},
    });
  }

  /** The whole install of one portal, HubSpot faked with nock. */
  async function install(
    portalId: number,
    access = `access-${portalId}`,
    refresh = `refresh-${portalId}`,
  ) {
    const { state, cookie } = await startInstall();
    const code = `code-${portalId}`;
    nock(API)
      .post(TOKEN_PATH, (body: Record<string, string>) => body.code === code)
      .reply(200, tokenBody(access, refresh, portalId));
    nock(API)
      .post(INTROSPECT_PATH, introspects(access))
      .reply(200, tokenInfoBody(portalId, access));
    const response = await callback(`code=${code}&state=${encodeURIComponent(state)}`, cookie);
    expect(response.status).toBe(200);
    return response;
  }

  const keyring = parseKeyring(`k1:${KEY_1}`);
  /** The OAuth clients of one more replica of the service, sharing its database. */
  const replica = () =>
    createOAuthHubSpotClients({
      database: running.database,
      keyring,
      oauth: createHubSpotOAuth({
        clientId: CLIENT_ID,
        clientSecret: WEBHOOK_SECRET,
        redirectUri: `${PUBLIC_BASE_URL}/oauth/callback`,
        apiBase: API,
      }),
      apiBase: API,
      logger: createLogger('silent'),
      now: () => clock,
      refreshMarginMs: 300_000,
      refreshLeaseMs: 30_000,
      waitPollMs: 20,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });

  const portalRows = () => db().selectFrom('portal').selectAll().orderBy('portal_id').execute();

  it('install → HubSpot → callback registers the portal, seals its tokens and creates the properties', async () => {
    const { location } = await startInstall();
    expect(`${location.origin}${location.pathname}`).toBe(
      'https://app.hubspot.com/oauth/authorize',
    );
    expect(location.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(location.searchParams.get('redirect_uri')).toBe(`${PUBLIC_BASE_URL}/oauth/callback`);
    expect(location.searchParams.get('scope')!.split(' ')).toContain('crm.schemas.contacts.write');

    let exchanged: Record<string, string> = {};
    const { state, cookie } = await startInstall();
    // Secrets travel in a form body; the paths carry none (nock would not match a query string).
    nock(API, { reqheaders: FORM })
      .post(TOKEN_PATH, (body: Record<string, string>) => {
        exchanged = body;
        return true;
      })
      .reply(200, tokenBody('access-secret-A', 'refresh-secret-A', PORTAL_A));
    nock(API, { reqheaders: FORM })
      .post(INTROSPECT_PATH, introspects('access-secret-A'))
      .reply(200, tokenInfoBody(PORTAL_A, 'access-secret-A'));
    const page = await callback(`code=the-code&state=${encodeURIComponent(state)}`, cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`HubSpot account ${PORTAL_A} is connected`);
    expect(exchanged).toMatchObject({
      grant_type: 'authorization_code',
      code: 'the-code',
      client_id: CLIENT_ID,
      client_secret: WEBHOOK_SECRET,
      redirect_uri: `${PUBLIC_BASE_URL}/oauth/callback`,
    });

    expect(await portalRows()).toEqual([
      expect.objectContaining({
        portal_id: PORTAL_A,
        auth_type: 'oauth',
        status: 'active',
        name: `portal${PORTAL_A}.example`,
      }),
    ]);
    const tokenRow = await db().selectFrom('portal_token').selectAll().executeTakeFirstOrThrow();
    const stored = JSON.stringify(tokenRow);
    expect(stored).not.toContain('access-secret-A');
    expect(stored).not.toContain('refresh-secret-A');
    expect(tokenRow.key_id).toBe('k1');
    expect(Number(tokenRow.access_expires_at)).toBe(T0 + 1800 * 1000);

    // The queued properties.ensure runs with the new portal's own token.
    const created: string[] = [];
    nock(API, { reqheaders: { authorization: 'Bearer access-secret-A' } })
      .get('/crm/v3/properties/contacts')
      .query(true)
      .reply(200, { results: [] });
    nock(API, { reqheaders: { authorization: 'Bearer access-secret-A' } })
      .post('/crm/v3/properties/contacts/groups')
      .reply(201, { name: 'truce', label: 'Truce', displayOrder: -1, archived: false });
    nock(API, { reqheaders: { authorization: 'Bearer access-secret-A' } })
      .post('/crm/v3/properties/contacts', (body: { name: string }) => {
        created.push(body.name);
        return true;
      })
      .times(50)
      .reply(201, (_uri, body) => ({ ...(body as object), createdAt: new Date(T0).toISOString() }));
    const drained = await running.service.outbox!.drainOnce();
    expect(drained).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(created.length).toBeGreaterThan(3);
    expect(created).toContain('truce_handoff_status');
  });

  it('a forged, expired or foreign state, or HubSpot refusing the code → 400, nothing stored', async () => {
    const { state, cookie } = await startInstall();
    const [payload, signature] = state.split('.');
    const forgedSignature = `${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    const forged = await callback(`code=c&state=${encodeURIComponent(forgedSignature)}`, cookie);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('state signature does not match');

    const otherBrowser = await callback(`code=c&state=${encodeURIComponent(state)}`);
    expect(otherBrowser.status).toBe(400);
    expect(await otherBrowser.text()).toContain('another browser');

    const missing = await callback(`state=${encodeURIComponent(state)}`, cookie);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('code is missing');

    const denied = await callback('error=access_denied&error_description=User+cancelled', cookie);
    expect(denied.status).toBe(400);
    expect(await denied.text()).toContain('User cancelled');

    // HubSpot's refusal in RFC 6749 form, with its older fields beside.
    nock(API).post(TOKEN_PATH).reply(400, {
      error: 'invalid_grant',
      error_description: 'missing or unknown auth code',
      status: 'BAD_AUTH_CODE',
      message: 'missing or unknown auth code',
    });
    const refused = await callback(`code=used-code&state=${encodeURIComponent(state)}`, cookie);
    expect(refused.status).toBe(400);
    const refusal = await refused.text();
    expect(refusal).toContain('HubSpot refused the install');
    expect(refusal).toContain('invalid_grant, BAD_AUTH_CODE');

    clock = T0 + 11 * 60 * 1000;
    const expired = await callback(`code=c&state=${encodeURIComponent(state)}`, cookie);
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('state has expired');

    expect(await portalRows()).toEqual([]);
    expect(await db().selectFrom('portal_token').selectAll().execute()).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("two portals' webhooks and card calls never see each other's data; an unknown portal is 404", async () => {
    await install(PORTAL_A);
    await install(PORTAL_B);
    const batch = [
      hubspotEvent({
        portalId: PORTAL_A,
        subscriptionType: 'deal.creation',
        objectId: 9001,
        propertyName: undefined,
        propertyValue: undefined,
        occurredAt: T0 - 5000,
      }),
      hubspotEvent({
        portalId: PORTAL_A,
        subscriptionType: 'deal.propertyChange',
        objectId: 9001,
        propertyName: 'dealname',
        propertyValue: 'Portal A expansion',
        occurredAt: T0 - 4000,
      }),
      hubspotEvent({
        portalId: PORTAL_B,
        subscriptionType: 'deal.creation',
        objectId: 9002,
        propertyName: undefined,
        propertyValue: undefined,
        occurredAt: T0 - 5000,
      }),
    ];
    expect((await postWebhook(running.baseUrl, batch, { timestamp: clock })).status).toBe(204);
    const unknown = await postWebhook(running.baseUrl, [hubspotEvent({ portalId: 79999 })], {
      timestamp: clock,
    });
    expect(unknown.status).toBe(404);
    await running.service.webhookWorker.drainOnce();

    const deals = await db()
      .selectFrom('deal')
      .select(['portal_id', 'deal_id'])
      .orderBy('deal_id')
      .execute();
    expect(deals.map((row) => [Number(row.portal_id), Number(row.deal_id)])).toEqual([
      [PORTAL_A, 9001],
      [PORTAL_B, 9002],
    ]);

    const card = (dealId: number, portalId: number) =>
      cardRequest(
        running.baseUrl,
        'GET',
        `/api/card/deals/${dealId}/attribution?portalId=${portalId}`,
        {
          timestamp: clock,
        },
      );
    const own = await card(9001, PORTAL_A);
    expect(own.status).toBe(200);
    const other = await card(9001, PORTAL_B);
    const nowhere = await card(9003, PORTAL_B);
    expect(other.status).toBe(404);
    expect(nowhere.status).toBe(404);
    const strip = (body: unknown) => JSON.stringify(body).replace(/9001|9003/g, 'ID');
    expect(strip(await other.json())).toBe(strip(await nowhere.json()));
    expect((await card(9001, 79999)).status).toBe(404);
  });

  it('an expiring token is refreshed once, however many callers and replicas ask at the same time', async () => {
    await install(PORTAL_A, 'access-old', 'refresh-A');
    clock = T0 + 1800 * 1000 - 60_000; // inside the refresh margin
    let refreshes = 0;
    let refreshed: Record<string, string> = {};
    nock(API, { reqheaders: FORM })
      .post(TOKEN_PATH, (body: Record<string, string>) => {
        refreshes += 1;
        refreshed = body;
        return true;
      })
      .delay(150)
      .reply(200, tokenBody('access-new', 'refresh-A', PORTAL_A));
    const replicas = [replica(), replica(), replica()];
    const clients = await Promise.all(
      replicas.flatMap((clients) => Array.from({ length: 5 }, () => clients.forPortal(PORTAL_A))),
    );
    expect(clients).toHaveLength(15);
    expect(refreshes).toBe(1);
    expect(refreshed).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-A',
      client_id: CLIENT_ID,
      client_secret: WEBHOOK_SECRET,
    });

    // Every replica now calls HubSpot with the new token.
    nock(API, { reqheaders: { authorization: 'Bearer access-new' } })
      .get('/crm/v3/owners')
      .query(true)
      .times(3)
      .reply(200, { results: [] });
    for (const clients of replicas)
      await (await clients.forPortal(PORTAL_A)).crm.owners.ownersApi.getPage();
    const row = await db().selectFrom('portal_token').selectAll().executeTakeFirstOrThrow();
    expect(
      keyring.open(
        { keyId: row.key_id, ciphertext: row.access_token_sealed },
        `portal:${PORTAL_A}:access`,
      ),
    ).toBe('access-new');
    expect(row.refresh_lease_owner).toBeNull();
  });

  it('install and refresh call only the 2026-03 OAuth endpoints, never /oauth/v1', async () => {
    // A v1 endpoint, if Truce still called one, would answer like HubSpot does today and be recorded.
    const v1Calls: string[] = [];
    const v1 = nock(API).persist();
    for (const method of ['get', 'post', 'delete'] as const)
      v1[method](/^\/oauth\/v1\//)
        .query(true)
        .reply(function () {
          v1Calls.push(`${this.req.method} ${this.req.path}`);
          return [500, {}];
        });
    const oauthCalls: string[] = [];
    const api = nock(API, { reqheaders: FORM });
    api.on('request', (req: { method: string; path: string }) =>
      oauthCalls.push(`${req.method} ${req.path}`),
    );
    api
      .post(TOKEN_PATH, (body: Record<string, string>) => body.grant_type === 'authorization_code')
      .reply(200, tokenBody('access-1', 'refresh-1', PORTAL_A))
      .post(INTROSPECT_PATH, introspects('access-1'))
      .reply(200, tokenInfoBody(PORTAL_A, 'access-1'))
      .post(TOKEN_PATH, (body: Record<string, string>) => body.grant_type === 'refresh_token')
      .reply(200, tokenBody('access-2', 'refresh-1', PORTAL_A));

    const { state, cookie } = await startInstall();
    const page = await callback(`code=code-1&state=${encodeURIComponent(state)}`, cookie);
    expect(page.status).toBe(200);
    clock = T0 + 1800 * 1000;
    await replica().forPortal(PORTAL_A);

    expect(oauthCalls).toEqual([
      `POST ${TOKEN_PATH}`,
      `POST ${INTROSPECT_PATH}`,
      `POST ${TOKEN_PATH}`,
    ]);
    expect(v1Calls).toEqual([]);
    expect(api.isDone()).toBe(true);
  });

  it('the portal is the one the token answer names; an answer without hub_id falls back to introspection', async () => {
    const { state, cookie } = await startInstall();
    const { hub_id: _omitted, ...olderAnswer } = tokenBody(
      'access-old-shape',
      'refresh-x',
      PORTAL_B,
    );
    nock(API).post(TOKEN_PATH).reply(200, olderAnswer);
    nock(API)
      .post(INTROSPECT_PATH, introspects('access-old-shape'))
      .reply(200, tokenInfoBody(PORTAL_B, 'access-old-shape'));
    const page = await callback(`code=code-2&state=${encodeURIComponent(state)}`, cookie);
    expect(page.status).toBe(200);
    expect((await portalRows()).map((row) => row.portal_id)).toEqual([PORTAL_B]);

    // Token answer and introspection disagreeing about the account: nothing is stored.
    await db().deleteFrom('hubspot_outbox').execute();
    await db().deleteFrom('portal_token').execute();
    await db().deleteFrom('portal').execute();
    const second = await startInstall();
    nock(API)
      .post(TOKEN_PATH)
      .reply(200, tokenBody('access-z', 'refresh-z', PORTAL_A));
    nock(API).post(INTROSPECT_PATH).reply(200, tokenInfoBody(PORTAL_B, 'access-z'));
    const mismatch = await callback(
      `code=code-3&state=${encodeURIComponent(second.state)}`,
      second.cookie,
    );
    expect(mismatch.status).toBe(502);
    expect(await portalRows()).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('a revoked refresh token flags the portal and stops its outbox instead of retrying', async () => {
    await install(PORTAL_A);
    await install(PORTAL_B);
    await db().deleteFrom('hubspot_outbox').execute();
    for (const portalId of [PORTAL_A, PORTAL_B])
      await enqueueOutbox(
        db(),
        {
          portalId,
          idempotencyKey: `update-${portalId}`,
          operation: 'contact.update',
          payload: { contactId: '501', properties: { truce_handoff_status: 'assigned' } },
        },
        clock,
      );
    clock = T0 + 1800 * 1000; // both tokens expired
    // RFC 6749's refusal alone, without HubSpot's older status and message fields.
    nock(API)
      .post(
        TOKEN_PATH,
        (body: Record<string, string>) => body.refresh_token === `refresh-${PORTAL_A}`,
      )
      .reply(400, {
        error: 'invalid_grant',
        error_description: 'refresh token is invalid, expired or revoked',
      });
    nock(API)
      .post(
        TOKEN_PATH,
        (body: Record<string, string>) => body.refresh_token === `refresh-${PORTAL_B}`,
      )
      .reply(200, tokenBody('access-B2', `refresh-${PORTAL_B}`, PORTAL_B));
    nock(API, { reqheaders: { authorization: 'Bearer access-B2' } })
      .patch('/crm/v3/objects/contacts/501')
      .reply(200, {
        id: '501',
        properties: {},
        createdAt: new Date(T0).toISOString(),
        updatedAt: new Date(T0).toISOString(),
        archived: false,
      });

    const first = await running.service.outbox!.drainOnce();
    expect(first).toEqual({ delivered: 1, retried: 1, dead: 0 });
    const portals = await portalRows();
    expect(portals.find((row) => row.portal_id === PORTAL_A)).toMatchObject({
      status: 'needs_reinstall',
      deactivated_at: clock,
    });
    expect(portals.find((row) => row.portal_id === PORTAL_A)?.status_reason ?? '').toContain(
      'invalid_grant',
    );
    expect(portals.find((row) => row.portal_id === PORTAL_B)).toMatchObject({ status: 'active' });
    const heldA = await db()
      .selectFrom('hubspot_outbox')
      .selectAll()
      .where('portal_id', '=', PORTAL_A)
      .executeTakeFirstOrThrow();
    expect(heldA).toMatchObject({ status: 'pending', attempts: 0 });

    // Nothing more is tried for the flagged portal: no claim, no HTTP call (nock would refuse it).
    clock += 3_600_000;
    expect(await running.service.outbox!.drainOnce()).toEqual({
      delivered: 0,
      retried: 0,
      dead: 0,
    });
    expect(nock.pendingMocks()).toEqual([]);
    // Its webhooks and cards are refused like an unknown portal's.
    expect(
      (
        await postWebhook(running.baseUrl, [hubspotEvent({ portalId: PORTAL_A })], {
          timestamp: clock,
        })
      ).status,
    ).toBe(404);
  });

  it('purge removes every row of a deactivated portal after retention, and nothing of any other', async () => {
    await install(PORTAL_A);
    await install(PORTAL_B);
    const batch = [PORTAL_A, PORTAL_B].flatMap((portalId) => [
      hubspotEvent({
        portalId,
        subscriptionType: 'deal.creation',
        objectId: portalId + 1,
        propertyName: undefined,
        propertyValue: undefined,
      }),
      hubspotEvent({
        portalId,
        subscriptionType: 'contact.creation',
        objectId: portalId + 2,
        propertyName: undefined,
        propertyValue: undefined,
      }),
    ]);
    expect((await postWebhook(running.baseUrl, batch, { timestamp: clock })).status).toBe(204);
    await running.service.webhookWorker.drainOnce();

    const retention = { now: clock, retentionDays: 30 };
    await expect(planPortalPurge(db(), PORTAL_A, retention)).rejects.toThrow(PurgeRefused);
    await deactivatePortal(db(), PORTAL_A, 'inactive', 'uninstalled', clock);
    await expect(planPortalPurge(db(), PORTAL_A, retention)).rejects.toThrow(/kept until/);

    const countsOf = async (portalId: number) => {
      const plan = await planPortalPurge(db(), portalId, { now: clock, retentionDays: 0 }).catch(
        () => undefined,
      );
      return plan;
    };
    await deactivatePortal(db(), PORTAL_B, 'inactive', 'to count its rows', clock);
    const before = await countsOf(PORTAL_B);
    await db()
      .updateTable('portal')
      .set({ status: 'active', deactivated_at: null })
      .where('portal_id', '=', PORTAL_B)
      .execute();

    const plan = await planPortalPurge(db(), PORTAL_A, {
      now: clock + 31 * 86_400_000,
      retentionDays: 30,
    });
    const tables = Object.fromEntries(plan.tables.map(({ table, rows }) => [table, rows]));
    expect(tables).toMatchObject({
      portal: 1,
      portal_token: 1,
      webhook_event: 2,
      deal: 1,
      contact: 1,
    });
    expect(plan.tables.at(-1)!.table).toBe('portal');
    const deleted = await executePortalPurge(db(), plan);
    expect(deleted).toBe(plan.tables.reduce((sum, { rows }) => sum + rows, 0));

    for (const { table } of plan.tables) {
      const left = await db()
        .selectFrom(table as 'portal')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('portal_id', '=', PORTAL_A)
        .executeTakeFirstOrThrow();
      expect([table, Number(left.n)]).toEqual([table, 0]);
    }
    await deactivatePortal(db(), PORTAL_B, 'inactive', 'to count its rows', clock);
    expect(await countsOf(PORTAL_B)).toEqual(before);
  });

  it("purge's revoke: the refresh token goes to /oauth/2026-03/token/revoke; a refusal or an outage is reported, not thrown", async () => {
    await install(PORTAL_A);
    await install(PORTAL_B);
    const oauth = createHubSpotOAuth({
      clientId: CLIENT_ID,
      clientSecret: WEBHOOK_SECRET,
      redirectUri: `${PUBLIC_BASE_URL}/oauth/callback`,
      apiBase: API,
    });
    let revoked: Record<string, string> = {};
    nock(API, { reqheaders: FORM })
      .post('/oauth/2026-03/token/revoke', (body: Record<string, string>) => {
        revoked = body;
        return true;
      })
      .reply(204);
    expect(await revokePortalToken(db(), keyring, oauth, PORTAL_A)).toEqual({ outcome: 'revoked' });
    expect(revoked).toEqual({
      client_id: CLIENT_ID,
      client_secret: WEBHOOK_SECRET,
      token: `refresh-${PORTAL_A}`,
      token_type_hint: 'refresh_token',
    });

    nock(API)
      .post('/oauth/2026-03/token/revoke')
      .reply(400, { error: 'invalid_grant', error_description: 'refresh token is revoked' });
    expect(await revokePortalToken(db(), keyring, oauth, PORTAL_B)).toEqual({
      outcome: 'not revoked',
      reason: 'HubSpot answered 400 to POST /oauth/2026-03/token/revoke (invalid_grant)',
    });
    nock(API).post('/oauth/2026-03/token/revoke').replyWithError('connect ECONNREFUSED');
    const outage = await revokePortalToken(db(), keyring, oauth, PORTAL_B);
    expect(outage.outcome).toBe('not revoked');
    expect(JSON.stringify(outage)).not.toContain(`refresh-${PORTAL_B}`);
    expect(await revokePortalToken(db(), keyring, oauth, 79999)).toEqual({ outcome: 'no token' });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('keys rotate: tokens move to the new key and still open to the same values', async () => {
    await install(PORTAL_A, 'access-rot', 'refresh-rot');
    const both = parseKeyring(`k2:${KEY_2},k1:${KEY_1}`);
    expect(await rotateTokenKeys(db(), both)).toEqual({
      total: 1,
      resealed: 1,
      alreadyCurrent: 0,
      raced: 0,
    });
    expect(await rotateTokenKeys(db(), both)).toEqual({
      total: 1,
      resealed: 0,
      alreadyCurrent: 1,
      raced: 0,
    });
    const row = await db().selectFrom('portal_token').selectAll().executeTakeFirstOrThrow();
    const onlyNew = parseKeyring(`k2:${KEY_2}`);
    expect(row.key_id).toBe('k2');
    expect(
      onlyNew.open(
        { keyId: row.key_id, ciphertext: row.refresh_token_sealed },
        `portal:${PORTAL_A}:refresh`,
      ),
    ).toBe('refresh-rot');
    expect(() =>
      onlyNew.open(
        { keyId: row.key_id, ciphertext: row.refresh_token_sealed },
        `portal:${PORTAL_B}:refresh`,
      ),
    ).toThrow(/does not open/);
  });
});
