import { createHmac } from 'node:crypto';

import ExcelJS from 'exceljs';
import nock from 'nock';

import { closePeriod, periodAdjustments } from '../../server/attribution/period-close.service';
import { staticHubSpotClients } from '../../server/hubspot/hubspot-client';
import { testConfig } from '../helpers/config';
import { dialects } from '../helpers/database';
import { batchAnswer, nockDealPipeline } from '../helpers/hubspot-answers';
import { startTestService, type TestService } from '../helpers/service';
import {
  errorOf,
  hubspotEvent,
  PORTAL_ID,
  postWebhook,
  PUBLIC_BASE_URL,
  WEBHOOK_SECRET,
  webhookEnv,
} from '../helpers/webhooks';

const API = 'https://api.hubapi.test';
const API_KEY = 'attribution-test-key-0123456789';
const DAY = 86_400_000;
/** The close: 2026-08-14 12:00 UTC (2026-Q3). */
const X = Date.UTC(2026, 7, 14, 12, 0, 0);
const A_AT = X - 14 * DAY;
const B_AT = X - 7 * DAY;
const C_AT = X;
const D_AT = X - 3 * DAY;

const iso = (ms: number) => new Date(ms).toISOString();
const history = (entries: [string, number][]) =>
  entries.map(([value, at]) => ({ value, timestamp: iso(at), sourceType: 'ANALYTICS' })).reverse();

/** What HubSpot answers for each contact's source history (`crm.contacts.batchApi.read`). */
const CONTACTS: Record<
  string,
  { properties: Record<string, string>; history: Record<string, unknown[]> }
> = {
  '501': {
    properties: {
      hs_analytics_source: 'ORGANIC_SEARCH',
      hs_analytics_first_timestamp: iso(A_AT),
      hs_latest_source: 'PAID_SOCIAL',
      recent_conversion_date: iso(C_AT),
      recent_conversion_event_name: 'Webinar signup',
      hs_analytics_first_touch_converting_campaign: 'Q3 Webinar',
      hs_analytics_last_touch_converting_campaign: 'Q3 Webinar',
    },
    history: {
      hs_analytics_source: history([['ORGANIC_SEARCH', A_AT]]),
      hs_analytics_first_timestamp: history([[String(A_AT), A_AT]]),
      hs_latest_source: history([
        ['ORGANIC_SEARCH', A_AT],
        ['PAID_SOCIAL', B_AT],
      ]),
      recent_conversion_date: history([[String(C_AT), C_AT]]),
      recent_conversion_event_name: history([['Webinar signup', C_AT]]),
      hs_analytics_first_touch_converting_campaign: history([['Q3 Webinar', C_AT]]),
      hs_analytics_last_touch_converting_campaign: history([['Q3 Webinar', C_AT]]),
    },
  },
  '502': {
    properties: {
      hs_analytics_source: 'PAID_SEARCH',
      hs_analytics_first_timestamp: iso(D_AT),
    },
    history: {
      hs_analytics_source: history([['PAID_SEARCH', D_AT]]),
      hs_analytics_first_timestamp: history([[String(D_AT), D_AT]]),
    },
  },
};

function mockHubSpot(): { contactReads: string[][] } {
  const contactReads: string[][] = [];
  nockDealPipeline(API, X, [
    { id: 'qualified', isClosed: false, probability: '0.4' },
    // A custom won stage: Truce must not assume `closedwon`.
    { id: 'contractsigned', isClosed: true, probability: '1.0' },
    { id: 'lost', isClosed: true, probability: '0.0' },
  ]);
  nock(API)
    .persist()
    .post('/crm/v3/objects/contacts/batch/read')
    .reply(200, (_uri, body) => {
      const request = body as { inputs: { id: string }[]; propertiesWithHistory: string[] };
      contactReads.push(request.inputs.map((input) => input.id));
      expect(request.propertiesWithHistory).toContain('hs_latest_source');
      return batchAnswer(
        request.inputs.map(({ id }) => ({
          id,
          properties: CONTACTS[id]!.properties,
          propertiesWithHistory: CONTACTS[id]!.history,
          createdAt: iso(X),
          updatedAt: iso(X),
          archived: false,
        })),
        X,
      );
    });
  // The won deal's own read (name, amount) and its line items: this deal has none (HubSpot answers 207).
  nock(API)
    .persist()
    .post('/crm/v3/objects/deals/batch/read')
    .reply(200, (_uri, body) =>
      batchAnswer(
        (body as { inputs: { id: string }[] }).inputs.map(({ id }) => ({
          id,
          properties: { dealname: 'Acme renewal', amount: '1000' },
          createdAt: iso(X),
          updatedAt: iso(X),
          archived: false,
        })),
        X,
      ),
    );
  nock(API)
    .persist()
    .post('/crm/v4/associations/deals/line_items/batch/read')
    .reply(207, {
      ...batchAnswer([], X),
      numErrors: 1,
      errors: [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: 'No line item is associated with deal 900.',
          context: { fromObjectId: ['900'] },
        },
      ],
    });
  return { contactReads };
}

/**
 * Hand-worked credits of deal 900 (100,000 cents, two contacts): each contact's journey gets 50,000.
 * Contact 502 has one touch (D), so D gets 50,000 under every model. Contact 501 has A (first visit, 14 days
 * before close), B (a session 7 days before) and C (the form at close, which created the contact: lead
 * creation; the deal was created then too: opportunity creation; and the last touch: closed won).
 * - first: A. last: C. linear: 50,000/3 → 16,667 / 16,667 / 16,666 (leftover cents to the earlier touches).
 * - U: A 40 %, C 40 %, B 20 % → 20,000 / 10,000 / 20,000.
 * - W: A 30 %, C 30 %+30 %, B 10 % → 15,000 / 5,000 / 30,000.
 * - full path: A 22.5 %, C 3 × 22.5 %, B 10 % → 11,250 / 5,000 / 33,750.
 * - J: A 20 %, C 60 %, B 20 % → 10,000 / 10,000 / 30,000. inverse J: 30,000 / 10,000 / 10,000.
 * - time decay (half-life 7 days): weights 1/4, 1/2, 1 → 50,000 × 1/7, 2/7, 4/7 = 7,142.86 / 14,285.71 /
 *   28,571.43 → 7,143 / 14,286 / 28,571.
 * - custom (defaults 0.3 FT, 0.3 LC, 0.3 OC, 0 CW, 0.1 others): A 0.3, B 0.1, C 0.6 → 15,000 / 5,000 / 30,000.
 */
const EXPECTED: Record<string, [number, number, number, number]> = {
  first: [50_000, 0, 0, 50_000],
  last: [0, 0, 50_000, 50_000],
  linear: [16_667, 16_667, 16_666, 50_000],
  u_shaped: [20_000, 10_000, 20_000, 50_000],
  w_shaped: [15_000, 5_000, 30_000, 50_000],
  full_path: [11_250, 5_000, 33_750, 50_000],
  j_shaped: [10_000, 10_000, 30_000, 50_000],
  inverse_j: [30_000, 10_000, 10_000, 50_000],
  time_decay: [7_143, 14_286, 28_571, 50_000],
  custom: [15_000, 5_000, 30_000, 50_000],
};

describe.each(dialects)('closed-loop attribution through webhooks on %s', (dialect) => {
  let running: TestService;
  let clock: number;
  let hubspot: { contactReads: string[][] };

  beforeEach(async () => {
    clock = X + DAY;
    hubspot = mockHubSpot();
    running = await startTestService(testConfig(webhookEnv({ TRUCE_API_KEY: API_KEY })), dialect, {
      now: () => clock,
      startWorkers: false,
      hubspotClients: staticHubSpotClients({
        accessToken: 'test-token',
        apiBase: API,
        portalId: PORTAL_ID,
      }),
    });
  });

  afterEach(async () => {
    nock.cleanAll();
    await running.stop();
  });

  const post = async (events: Record<string, unknown>[]) => {
    const response = await postWebhook(running.baseUrl, events, { timestamp: clock });
    expect(response.status).toBe(204);
  };
  const process = async () => {
    await running.service.webhookWorker.drain();
    await running.service.attributionWorker!.drain();
  };
  const deal = (overrides: Record<string, unknown>) =>
    hubspotEvent({ subscriptionType: 'deal.propertyChange', objectId: 900, ...overrides });
  const association = (contactId: number, occurredAt: number, removed = false) =>
    hubspotEvent({
      subscriptionType: 'contact.associationChange',
      objectId: undefined,
      propertyName: undefined,
      propertyValue: undefined,
      fromObjectId: contactId,
      toObjectId: 900,
      associationType: 'CONTACT_TO_DEAL',
      associationRemoved: removed,
      occurredAt,
    });

  const scriptedHistory = (): Record<string, unknown>[] => [
    hubspotEvent({
      subscriptionType: 'contact.creation',
      objectId: 501,
      propertyName: undefined,
      propertyValue: undefined,
      occurredAt: C_AT,
    }),
    hubspotEvent({
      subscriptionType: 'contact.creation',
      objectId: 502,
      propertyName: undefined,
      propertyValue: undefined,
      occurredAt: D_AT,
    }),
    deal({
      subscriptionType: 'deal.creation',
      propertyName: undefined,
      propertyValue: undefined,
      occurredAt: X,
    }),
    deal({ propertyName: 'pipeline', propertyValue: 'sales', occurredAt: X }),
    deal({ propertyName: 'amount', propertyValue: '1000', occurredAt: X }),
    deal({ propertyName: 'deal_currency_code', propertyValue: 'EUR', occurredAt: X }),
    deal({ propertyName: 'closedate', propertyValue: String(X), occurredAt: X + 1000 }),
    deal({ propertyName: 'dealstage', propertyValue: 'contractsigned', occurredAt: X + 1000 }),
    association(501, X),
    association(502, X),
  ];

  const creditsByTouch = async () => {
    const db = running.service.database.db;
    const rows = await db
      .selectFrom('attribution_credit')
      .innerJoin('touchpoint', 'touchpoint.id', 'attribution_credit.touchpoint_id')
      .select([
        'attribution_credit.model',
        'attribution_credit.net_cents',
        'attribution_credit.gross_cents',
        'attribution_credit.currency',
        'attribution_credit.period',
        'touchpoint.contact_id',
        'touchpoint.at',
      ])
      .where('attribution_credit.deal_id', '=', 900)
      .execute();
    const result: Record<string, number[]> = {};
    const slot = (contactId: number, at: number) =>
      contactId === 502 ? 3 : [A_AT, B_AT, C_AT].indexOf(at);
    for (const row of rows) {
      expect(row.currency).toBe('EUR');
      expect(row.period).toBe('2026-Q3');
      expect(Number(row.gross_cents)).toBe(Number(row.net_cents));
      const cells = (result[row.model] ??= [0, 0, 0, 0]);
      cells[slot(Number(row.contact_id), Number(row.at))]! += Number(row.net_cents);
    }
    return result;
  };

  it('turns a scripted history of contacts, touches and a won deal into the hand-worked credits per model', async () => {
    await post(scriptedHistory());
    await process();

    // One batch read for both contacts (they were claimed together).
    expect(hubspot.contactReads.map((ids) => [...ids].sort())).toEqual([['501', '502']]);
    const touches = await running.service.database.db
      .selectFrom('touchpoint')
      .select(['contact_id', 'at', 'kind', 'campaign', 'matched_rule'])
      .orderBy('contact_id')
      .orderBy('at')
      .execute();
    expect(touches.map((t) => [Number(t.contact_id), Number(t.at), t.kind, t.campaign])).toEqual([
      [501, A_AT, 'page_view_session', null],
      [501, B_AT, 'page_view_session', null],
      [501, C_AT, 'form_submission', 'Q3 Webinar'],
      [502, D_AT, 'page_view_session', null],
    ]);
    expect(await creditsByTouch()).toEqual(EXPECTED);
  });

  it('changes nothing on redelivered and out-of-order events', async () => {
    await post(scriptedHistory());
    await process();
    const before = await running.service.database.db
      .selectFrom('attribution_credit')
      .select(['id', 'computed_at'])
      .orderBy('id')
      .execute();

    clock += 60_000;
    // HubSpot redelivers the whole batch (same event ids), then an old stage change arrives late.
    await post(
      scriptedHistory().map((event, index) => ({ ...event, eventId: 10_000_000 + index })),
    );
    await post([
      deal({ propertyName: 'dealstage', propertyValue: 'qualified', occurredAt: X - DAY }),
    ]);
    await process();

    const after = await running.service.database.db
      .selectFrom('attribution_credit')
      .select(['id', 'computed_at'])
      .orderBy('id')
      .execute();
    expect(after).toEqual(before);
    expect(await creditsByTouch()).toEqual(EXPECTED);
  });

  it('recomputes a reopened deal, and again when it is won with a new amount', async () => {
    await post(scriptedHistory());
    await process();

    clock += DAY;
    await post([
      deal({ propertyName: 'dealstage', propertyValue: 'qualified', occurredAt: X + DAY }),
    ]);
    await process();
    expect(await creditsByTouch()).toEqual({});

    clock += DAY;
    await post([
      deal({ propertyName: 'amount', propertyValue: '1200', occurredAt: X + 2 * DAY }),
      deal({ propertyName: 'dealstage', propertyValue: 'contractsigned', occurredAt: X + 2 * DAY }),
      // Contact 502 leaves the deal: contact 501's journey now carries all of it.
      association(502, X + 2 * DAY, true),
    ]);
    await process();
    const credits = await creditsByTouch();
    // Same close date, 120,000 cents, one journey: the first-touch model gives it all to A.
    expect(credits.first).toEqual([120_000, 0, 0, 0]);
    expect(credits.u_shaped).toEqual([48_000, 24_000, 48_000, 0]);
    for (const cells of Object.values(credits)) {
      expect(cells.reduce((sum, cents) => sum + cents, 0)).toBe(120_000);
    }
  });

  it('serves the attribution report and an xlsx workbook of every model', async () => {
    await post(scriptedHistory());
    await process();
    const headers = { authorization: `Bearer ${API_KEY}` };
    const spend = await fetch(`${running.baseUrl}/api/v1/spend`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        campaign: 'Q3 Webinar',
        period: '2026-Q3',
        currency: 'EUR',
        cents: 25_000,
      }),
    });
    expect(spend.status).toBe(201);

    const json = await fetch(
      `${running.baseUrl}/api/v1/reports/attribution?model=w_shaped&from=2026-Q3&to=2026-Q3&format=json`,
      { headers },
    );
    expect(json.status).toBe(200);
    const rows = (await json.json()) as Record<string, unknown>[];
    const webinar = rows.find((row) => row.campaign === 'Q3 Webinar')!;
    expect(webinar).toMatchObject({ currency: 'EUR', model: 'w_shaped', deals: 1 });
    // 30,000 cents of net credit against 25,000 of spend.
    expect(webinar.net).toBe(300);
    expect(webinar.spend).toBe(250);

    const xlsx = await fetch(
      `${running.baseUrl}/api/v1/reports/attribution?model=all&by=channel&format=xlsx`,
      { headers },
    );
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'by model',
      'models side by side',
      'totals',
    ]);
    const totals = workbook.getWorksheet('totals')!;
    expect(totals.rowCount).toBe(1 + Object.keys(EXPECTED).length);
  });

  it('refuses bad input with the reason and stores nothing', async () => {
    const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    const postJson = (path: string, body: unknown) =>
      fetch(`${running.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

    const noContact = await postJson('/api/v1/touchpoints', {
      at: X,
      kind: 'offline',
      channel: 'events',
    });
    expect(noContact.status).toBe(400);
    expect(await noContact.text()).toMatch(/contactId/);
    const noTime = await postJson('/api/v1/touchpoints', { contactId: '501', channel: 'events' });
    expect(noTime.status).toBe(400);
    expect(await noTime.text()).toMatch(/at/);
    const negative = await postJson('/api/v1/spend', {
      entries: [
        { campaign: 'Fine', period: '2026-Q3', currency: 'EUR', cents: 100 },
        { campaign: 'Bad', period: '2026-Q3', currency: 'EUR', cents: -1 },
      ],
    });
    expect(negative.status).toBe(400);
    expect(await negative.text()).toMatch(/must not be negative/);

    const report = (query: string) =>
      fetch(`${running.baseUrl}/api/v1/reports/attribution?${query}`, { headers });
    const unknown = await report('model=astrology');
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).message).toMatch(/^unknown model "astrology"/);
    const backwards = await report('from=2026-Q4&to=2026-Q3');
    expect(backwards.status).toBe(400);
    expect((await errorOf(backwards)).message).toBe('from 2026-Q4 is after to 2026-Q3');

    const db = running.service.database.db;
    expect(await db.selectFrom('touchpoint').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('campaign_spend').selectAll().execute()).toEqual([]);

    const offline = await postJson('/api/v1/touchpoints', {
      contactId: '501',
      at: iso(X - DAY),
      kind: 'event_attendance',
      channel: 'events',
      campaign: 'Berlin meetup',
    });
    expect(offline.status).toBe(201);
    const again = await postJson('/api/v1/touchpoints', {
      contactId: '501',
      at: iso(X - DAY),
      kind: 'event_attendance',
      channel: 'events',
      campaign: 'Berlin meetup',
    });
    expect(again.status).toBe(200);
    expect(await db.selectFrom('touchpoint').selectAll().execute()).toHaveLength(1);
  });

  it('serves the deal card only to HubSpot-signed requests, per portal, exactly to the contract', async () => {
    await post(scriptedHistory());
    await process();
    const signedGet = (pathAndQuery: string, sign = true) => {
      const headers: Record<string, string> = {};
      if (sign) {
        headers['x-hubspot-request-timestamp'] = String(clock);
        headers['x-hubspot-signature-v3'] = createHmac('sha256', WEBHOOK_SECRET)
          .update(`GET${PUBLIC_BASE_URL}${pathAndQuery}${clock}`)
          .digest('base64');
      }
      return fetch(`${running.baseUrl}${pathAndQuery}`, { headers });
    };

    const unsigned = await signedGet('/api/card/deals/900/attribution', false);
    expect(unsigned.status).toBe(401);
    const otherPortal = await signedGet('/api/card/deals/900/attribution?portalId=999');
    expect(otherPortal.status).toBe(404);

    const response = await signedGet(
      `/api/card/deals/900/attribution?model=w_shaped&portalId=${PORTAL_ID}`,
    );
    expect(response.status).toBe(200);
    const view = (await response.json()) as {
      outcome: string;
      amountCents: number;
      currency: string;
      credits: { campaign: { name: string } | null; creditCents: number }[];
      journey: { contactId: string; milestones: string[] }[];
      models: { id: string }[];
    };
    expect(view).toMatchObject({
      dealName: 'Acme renewal',
      outcome: 'won',
      amountCents: 100_000,
      currency: 'EUR',
      model: 'w_shaped',
    });
    expect(view.models.map((model) => model.id)).toEqual(Object.keys(EXPECTED));
    expect(view.credits.reduce((sum, credit) => sum + credit.creditCents, 0)).toBe(100_000);
    expect(view.credits.find((credit) => credit.campaign?.name === 'Q3 Webinar')?.creditCents).toBe(
      30_000,
    );
    expect(view.journey.map((step) => [step.contactId, step.milestones])).toEqual([
      ['501', ['FT']],
      ['501', []],
      ['502', ['FT', 'LC', 'OC', 'CW']],
      ['501', ['LC', 'OC', 'CW']],
    ]);
  });

  it('keeps a closed period frozen and reports later changes as adjustments naming the deal', async () => {
    await post(scriptedHistory());
    await process();
    const db = running.service.database.db;
    expect(await closePeriod(db, PORTAL_ID, '2026-Q3', { zone: 'UTC', now: clock })).toEqual({
      period: '2026-Q3',
      deals: 1,
      rows: Object.keys(EXPECTED).length,
    });
    await expect(
      closePeriod(db, PORTAL_ID, '2026-Q3', { zone: 'UTC', now: clock }),
    ).rejects.toMatchObject({
      code: 'period_closed',
    });
    const frozen = await db.selectFrom('period_snapshot').selectAll().orderBy('model').execute();
    expect(await periodAdjustments(db, PORTAL_ID, '2026-Q3', 'UTC')).toEqual([]);

    clock += DAY;
    await post([deal({ propertyName: 'amount', propertyValue: '1100', occurredAt: X + DAY })]);
    await process();

    expect(await db.selectFrom('period_snapshot').selectAll().orderBy('model').execute()).toEqual(
      frozen,
    );
    const adjustments = await periodAdjustments(db, PORTAL_ID, '2026-Q3', 'UTC');
    const webinarW = adjustments.find(
      (adjustment) => adjustment.model === 'w_shaped' && adjustment.campaign === 'Q3 Webinar',
    );
    // Contact 501 now carries 55,000 cents; C's W-shaped share (60 %) moves from 30,000 to 33,000.
    expect(webinarW).toEqual({
      dealId: '900',
      model: 'w_shaped',
      campaign: 'Q3 Webinar',
      currency: 'EUR',
      frozenCents: 30_000,
      currentCents: 33_000,
      changeCents: 3_000,
      reason: 'amount changed from 100000 to 110000 cents',
    });
    const total = adjustments
      .filter((adjustment) => adjustment.model === 'first')
      .reduce((sum, adjustment) => sum + adjustment.changeCents, 0);
    expect(total).toBe(10_000);
  });

  it("reads a won deal's contacts from HubSpot in one batch when no association event came", async () => {
    const reads: unknown[] = [];
    nock(API)
      .post('/crm/v4/associations/deals/contacts/batch/read')
      .reply(200, (_uri, body) => {
        reads.push(body);
        return {
          status: 'COMPLETE',
          startedAt: iso(X),
          completedAt: iso(X),
          results: [
            {
              from: { id: '900' },
              to: [
                {
                  toObjectId: 501,
                  associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }],
                },
              ],
            },
          ],
        };
      });
    // The history without the association events.
    await post(
      scriptedHistory().filter((event) => !String(event.subscriptionType).includes('association')),
    );
    await process();

    expect(reads).toEqual([{ inputs: [{ id: '900' }] }]);
    const credits = await creditsByTouch();
    // One journey (contact 501) carries the whole 100,000 cents.
    expect(credits.first).toEqual([100_000, 0, 0, 0]);
    expect(credits.w_shaped).toEqual([30_000, 10_000, 60_000, 0]);
  });
});
