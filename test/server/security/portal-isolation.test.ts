import type { Kysely } from 'kysely';

import type { Database } from '../../../server/db/schema';
import { testConfig } from '../../helpers/config';
import { dialects } from '../../helpers/database';
import { cardRequest, HANDOFF_SETTINGS_YAML } from '../../helpers/handoff';
import { startTestService, type TestService } from '../../helpers/service';
import { PORTAL_ID, settingsFile, webhookEnv } from '../../helpers/webhooks';

/**
 * Every API path asked for another portal's records. The key and the card signature both name portal A
 * (PORTAL_ID); portal B is installed in the same database with records under its own ids. Each request is
 * sent to two services that differ only in whether portal B's records exist, and the two answers must be
 * identical byte for byte (status, headers apart from date and request id, body): nothing in the answer may
 * tell "exists in another portal" from "does not exist at all". Portal A's own records are asked for too, so
 * a route that shows nothing to anybody would fail.
 */

const T0 = 1_764_100_000_000; // 2025-11-25
const DAY = 86_400_000;
const API_KEY = 'isolation-test-key-0123456789';
/** Portal B has its own key on the same service (TRUCE_API_KEYS): the multi-portal case. */
const B_API_KEY = 'portal-b-key-abcdefghijklmnop';
const PORTAL_A = PORTAL_ID;
const PORTAL_B = 777_001;

/**
 * Portal A's records use these ids; portal B's records use the ids of `B`. Row ids are one sequence per table
 * across portals, so B's rows sit below A's: the next row id is then the same in both worlds. (That a row id
 * hints at how many rows all portals hold together is a documented residual in SECURITY.md.)
 */
const A = { contact: 501, deal: 900, handoff: 800_000, touch: 800_000, credit: 800_000 };
const B = { contact: 601, deal: 950, handoff: 700_000, touch: 700_000, credit: 700_000 };
const B_TOUCH_KEY = 'portal-b-offline-touch-1';
const B_CAMPAIGN = 'Portal B secret campaign';

interface Seed {
  portalId: number;
  contactId: number;
  dealId: number;
  campaign: string;
  ids: { handoff: number; touch: number; credit: number };
}

async function seedPortal(db: Kysely<Database>, seed: Seed): Promise<void> {
  const { portalId, contactId, dealId, campaign, ids } = seed;
  await db
    .insertInto('portal')
    .values({
      portal_id: portalId,
      name: null,
      auth_type: 'static',
      status: 'active',
      created_at: T0,
      updated_at: T0,
    })
    .onConflict((oc) => oc.column('portal_id').doNothing())
    .execute();
  await db
    .insertInto('contact')
    .values({
      portal_id: portalId,
      contact_id: contactId,
      lifecyclestage: 'marketingqualifiedlead',
      lifecyclestage_at: T0 - 2 * DAY,
      hs_lead_status: null,
      hs_lead_status_at: null,
      hubspot_owner_id: '9',
      hubspot_owner_id_at: T0 - 2 * DAY,
      created_at: T0 - 30 * DAY,
      deleted: 0,
      existence_at: T0 - 30 * DAY,
      updated_at: T0,
    })
    .execute();
  await db
    .insertInto('handoff')
    .values({
      id: ids.handoff,
      portal_id: portalId,
      contact_id: contactId,
      episode: 1,
      status: 'pending',
      trigger_at: T0 - 2 * DAY,
      scoring_attempts: 1,
      next_attempt_at: T0 - 2 * DAY,
      claimed_until: null,
      claimed_by: null,
      last_error: null,
      scored_at: T0 - 2 * DAY,
      score: 40,
      grade: 'B',
      explanation: JSON.stringify({ total: 40, reasons: [] }),
      owner_id: '9',
      assignment_reason: 'rotation',
      assigned_at: T0 - 2 * DAY,
      sla_due_at: T0 + DAY,
      sla_reminder_at: T0 + DAY - 3_600_000,
      reminder_sent_at: null,
      breached_at: null,
      escalated_at: null,
      first_touch_at: null,
      first_touch_source: null,
      decision: null,
      reason_code: null,
      note: null,
      decided_by: null,
      decided_by_name: null,
      decided_at: null,
      sql_at: null,
      closed_at: null,
      written_stage: null,
      source: 'PAID_SEARCH',
      campaign,
      created_at: T0 - 2 * DAY,
      updated_at: T0 - 2 * DAY,
    })
    .execute();
  const touch = await db
    .insertInto('touchpoint')
    .values({
      id: ids.touch,
      portal_id: portalId,
      contact_id: contactId,
      at: T0 - 10 * DAY,
      kind: 'offline',
      channel: 'events',
      campaign,
      matched_rule: 'explicit',
      raw_source: '{}',
      cost_cents: null,
      cost_currency: null,
      note: null,
      origin: 'offline',
      idempotency_key: portalId === PORTAL_B ? B_TOUCH_KEY : `touch-${portalId}`,
      created_at: T0 - 10 * DAY,
      updated_at: T0 - 10 * DAY,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('deal')
    .values({
      portal_id: portalId,
      deal_id: dealId,
      dealstage: 'closedwon',
      dealstage_at: T0 - 5 * DAY,
      amount_cents: 1_000_000,
      amount_cents_at: T0 - 5 * DAY,
      closedate: T0 - 5 * DAY,
      closedate_at: T0 - 5 * DAY,
      pipeline: 'default',
      pipeline_at: T0 - 20 * DAY,
      deal_currency_code: 'EUR',
      deal_currency_code_at: T0 - 20 * DAY,
      hubspot_owner_id: '9',
      hubspot_owner_id_at: T0 - 20 * DAY,
      created_at: T0 - 20 * DAY,
      deleted: 0,
      existence_at: T0 - 20 * DAY,
      updated_at: T0,
    })
    .execute();
  await db
    .insertInto('deal_contact')
    .values({
      portal_id: portalId,
      deal_id: dealId,
      contact_id: contactId,
      associated: 1,
      changed_at: T0 - 20 * DAY,
      updated_at: T0,
    })
    .execute();
  await db
    .insertInto('deal_attribution_state')
    .values({
      portal_id: portalId,
      deal_id: dealId,
      status: 'attributed',
      inputs_hash: 'seeded',
      amount_cents: 1_000_000,
      currency: 'EUR',
      closed_at: T0 - 5 * DAY,
      contacts: 1,
      touches: 1,
      computed_at: T0 - 5 * DAY,
    })
    .execute();
  await db
    .insertInto('attribution_credit')
    .values({
      id: ids.credit,
      portal_id: portalId,
      deal_id: dealId,
      model: 'w_shaped',
      touchpoint_id: Number(touch.id),
      contact_id: contactId,
      campaign,
      channel: 'events',
      currency: 'EUR',
      gross_cents: 1_000_000,
      discount_cents: 0,
      net_cents: 1_000_000,
      closed_at: T0 - 5 * DAY,
      period: '2025-11',
      computed_at: T0 - 5 * DAY,
    })
    .execute();
  await db
    .insertInto('campaign_spend')
    .values({
      portal_id: portalId,
      campaign,
      period: '2025-Q4',
      period_start: Date.UTC(2025, 9, 1),
      period_end: Date.UTC(2026, 0, 1),
      currency: 'EUR',
      cents: 250_000,
      source: 'api',
      updated_at: T0,
    })
    .execute();
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer without what differs between any two requests (the date and the request id). */
async function answerOf(response: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!['date', 'x-request-id', 'keep-alive', 'connection'].includes(name)) headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

type Call = (baseUrl: string) => Promise<Response>;

const bearer =
  (path: string, init: { method?: string; body?: unknown } = {}): Call =>
  (baseUrl) =>
    fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

const card =
  (method: 'GET' | 'POST', path: string, body?: unknown): Call =>
  (baseUrl) =>
    cardRequest(baseUrl, method, path, { timestamp: T0, ...(body === undefined ? {} : { body }) });

const HELMET_HEADERS = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

describe.each(dialects)('no cross-portal reads or writes on %s', (dialect) => {
  let withB: TestService;
  let withoutB: TestService;

  beforeAll(async () => {
    const env = webhookEnv({
      TRUCE_API_KEY: API_KEY,
      TRUCE_API_KEYS: `${PORTAL_B}:${B_API_KEY}`,
      TRUCE_CONFIG: settingsFile(HANDOFF_SETTINGS_YAML),
    });
    const options = { now: () => T0, startWorkers: false };
    withB = await startTestService(testConfig(env), dialect, options);
    withoutB = await startTestService(testConfig(env), dialect, options);
    for (const running of [withB, withoutB]) {
      await seedPortal(running.database.db, {
        portalId: PORTAL_A,
        contactId: A.contact,
        dealId: A.deal,
        campaign: 'Portal A campaign',
        ids: { handoff: A.handoff, touch: A.touch, credit: A.credit },
      });
    }
    await seedPortal(withB.database.db, {
      portalId: PORTAL_B,
      contactId: B.contact,
      dealId: B.deal,
      campaign: B_CAMPAIGN,
      ids: { handoff: B.handoff, touch: B.touch, credit: B.credit },
    });
  });
  afterAll(async () => {
    await withB.stop();
    await withoutB.stop();
  });

  /** Sends the same request to both worlds; the answers must be the same bytes. */
  async function sameInBothWorlds(call: Call): Promise<Answer> {
    const exists = await answerOf(await call(withB.baseUrl));
    const absent = await answerOf(await call(withoutB.baseUrl));
    expect(exists).toEqual(absent);
    expect(exists.body).not.toContain(B_CAMPAIGN);
    expect(exists.body).not.toContain(String(PORTAL_B));
    return exists;
  }

  const portalQuery = `portalId=${PORTAL_A}&userId=42`;

  it("the seeded portals are real: portal A's own records are visible to it", async () => {
    const view = await card(
      'GET',
      `/api/card/contacts/${A.contact}/handoff?${portalQuery}`,
    )(withB.baseUrl);
    expect(view.status).toBe(200);
    expect(((await view.json()) as { handoff: { id: string } | null }).handoff?.id).toBe(
      String(A.handoff),
    );
    const deal = await card(
      'GET',
      `/api/card/deals/${A.deal}/attribution?${portalQuery}`,
    )(withB.baseUrl);
    expect(deal.status).toBe(200);
    const report = await bearer('/api/v1/reports/attribution?format=csv')(withB.baseUrl);
    expect(await report.text()).toContain('Portal A campaign');
    const handoffs = await bearer('/api/v1/reports/handoffs?by=campaign&format=csv')(withB.baseUrl);
    expect(await handoffs.text()).toContain('Portal A campaign');
  });

  it("portal B's own key sees portal B's records and not portal A's (two keys on one service)", async () => {
    const asB = (path: string) =>
      fetch(`${withB.baseUrl}${path}`, { headers: { authorization: `Bearer ${B_API_KEY}` } });
    const attribution = await (await asB('/api/v1/reports/attribution?format=csv')).text();
    expect(attribution).toContain(B_CAMPAIGN);
    expect(attribution).not.toContain('Portal A campaign');
    const handoffs = await (await asB('/api/v1/reports/handoffs?by=campaign&format=csv')).text();
    expect(handoffs).toContain(B_CAMPAIGN);
    expect(handoffs).not.toContain('Portal A campaign');
  });

  describe('card API (signed for portal A) asked for portal B records', () => {
    it.each([
      ['with the signed portalId', `?${portalQuery}`],
      ['with the installation portal (no portalId)', ''],
    ])('GET contact handoff %s: the empty view, as for an unknown contact', async (_, query) => {
      const answer = await sameInBothWorlds(
        card('GET', `/api/card/contacts/${B.contact}/handoff${query}`),
      );
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ handoff: null, touchpoints: [] });
    });

    it.each([
      ['accept', {}],
      ['reject', { reasonCode: 'bad_fit', note: 'not ours' }],
    ])('POST %s of portal B handoff: 404 not_found, and B is untouched', async (action, extra) => {
      const answer = await sameInBothWorlds(
        card('POST', `/api/card/contacts/${B.contact}/handoff/${action}?${portalQuery}`, {
          handoffId: String(B.handoff),
          ...extra,
        }),
      );
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toEqual({
        error: { code: 'not_found', message: `contact ${B.contact} has no handoff in this portal` },
      });
      const b = await withB.database.db
        .selectFrom('handoff')
        .select(['status', 'decision'])
        .where('id', '=', B.handoff)
        .executeTakeFirstOrThrow();
      expect(b).toEqual({ status: 'pending', decision: null });
      const outbox = await withB.database.db
        .selectFrom('hubspot_outbox')
        .select('id')
        .where('portal_id', '=', PORTAL_B)
        .execute();
      expect(outbox).toEqual([]);
    });

    it("POST accept naming portal A's contact with portal B's handoff id: the same 409 either way", async () => {
      const answer = await sameInBothWorlds(
        card('POST', `/api/card/contacts/${A.contact}/handoff/accept?${portalQuery}`, {
          handoffId: String(B.handoff),
        }),
      );
      expect(answer.status).toBe(409);
    });

    it.each(['', '?model=w_shaped', '?model=linear', '?model=nope'])(
      'GET deal attribution of portal B deal%s: the same answer as for no deal',
      async (query) => {
        const answer = await sameInBothWorlds(
          card(
            'GET',
            `/api/card/deals/${B.deal}/attribution${query}${query ? '&' : '?'}${portalQuery}`,
          ),
        );
        expect([400, 404]).toContain(answer.status);
      },
    );
  });

  describe('bearer API (key of portal A)', () => {
    it.each([
      '/api/v1/reports/attribution',
      '/api/v1/reports/attribution?format=csv',
      '/api/v1/reports/attribution?by=channel&model=w_shaped',
      '/api/v1/reports/handoffs',
      '/api/v1/reports/handoffs?format=csv&by=campaign',
      '/api/v1/reports/handoffs?by=owner&period=quarter',
    ])('GET %s shows nothing of portal B', async (path) => {
      const answer = await sameInBothWorlds(bearer(path));
      expect(answer.status).toBe(200);
    });

    it("POST /api/v1/touchpoints with portal B's contact and idempotency key: stored for A, B untouched", async () => {
      const answer = await sameInBothWorlds(
        bearer('/api/v1/touchpoints', {
          method: 'POST',
          body: {
            contactId: String(B.contact),
            at: '2025-11-20T10:00:00Z',
            kind: 'offline',
            channel: 'events',
            campaign: B_CAMPAIGN.toUpperCase(),
            idempotencyKey: B_TOUCH_KEY,
          },
        }),
      );
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toMatchObject({ stored: true });
      const bTouches = await withB.database.db
        .selectFrom('touchpoint')
        .select(['id', 'campaign'])
        .where('portal_id', '=', PORTAL_B)
        .execute();
      expect(bTouches.map((row) => [Number(row.id), row.campaign])).toEqual([
        [B.touch, B_CAMPAIGN],
      ]);
    });

    it("POST /api/v1/spend for portal B's campaign and period: stored for A, B's figure unchanged", async () => {
      const answer = await sameInBothWorlds(
        bearer('/api/v1/spend', {
          method: 'POST',
          body: { campaign: 'Shared name', period: '2025-Q4', currency: 'EUR', cents: 1 },
        }),
      );
      expect(answer.status).toBe(201);
      const bSpend = await withB.database.db
        .selectFrom('campaign_spend')
        .select(['campaign', 'cents'])
        .where('portal_id', '=', PORTAL_B)
        .execute();
      expect(bSpend.map((row) => [row.campaign, Number(row.cents)])).toEqual([
        [B_CAMPAIGN, 250_000],
      ]);
    });
  });

  describe('security headers (helmet) on every card and report answer, errors included', () => {
    it.each<[string, Call]>([
      ['card view', card('GET', `/api/card/contacts/${A.contact}/handoff?${portalQuery}`)],
      [
        'card 404',
        card('POST', `/api/card/contacts/${B.contact}/handoff/accept`, { handoffId: '1' }),
      ],
      ['card 401', (baseUrl) => fetch(`${baseUrl}/api/card/deals/${A.deal}/attribution`)],
      ['deal card', card('GET', `/api/card/deals/${A.deal}/attribution?${portalQuery}`)],
      ['attribution report', bearer('/api/v1/reports/attribution?format=csv')],
      ['handoff report', bearer('/api/v1/reports/handoffs')],
      ['report 401', (baseUrl) => fetch(`${baseUrl}/api/v1/reports/handoffs`)],
      ['touchpoint 400', bearer('/api/v1/touchpoints', { method: 'POST', body: {} })],
    ])('%s', async (_, call) => {
      const response = await call(withB.baseUrl);
      await response.arrayBuffer();
      for (const [name, value] of Object.entries(HELMET_HEADERS)) {
        expect([name, response.headers.get(name)]).toEqual([name, value]);
      }
      expect(response.headers.get('x-powered-by')).toBeNull();
    });
  });
});
