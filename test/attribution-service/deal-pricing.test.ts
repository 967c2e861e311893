import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import nock from 'nock';

import { staticHubSpotClients } from '../../server/hubspot/hubspot-client';
import { testConfig } from '../helpers/config';
import { dialects } from '../helpers/database';
import { batchAnswer, nockDealPipeline } from '../helpers/hubspot-answers';
import { startTestService, type TestService } from '../helpers/service';
import { hubspotEvent, PORTAL_ID, postWebhook, webhookEnv } from '../helpers/webhooks';

/**
 * Price realisation, contact-role weights and the write-back of won deal 910, end to end: signed webhooks in,
 * HubSpot (nock) read by the real client, credits stored, the report served, the outbox filled and drained.
 *
 * Worked by hand. Deal 910 is worth 1,000.00 (100,000 cents) and has two line items:
 * - 2 × 500.00 with 50.00 off per unit → gross 100,000, discount 10,000;
 * - 1 × 250.00 at 20 % off → gross 25,000, discount 5,000.
 * Gross 125,000, net 100,000: a discount of 25,000 cents (15,000 on the lines, 10,000 more on the deal).
 *
 * Its three contacts' association labels weigh their journeys: 601 "Decision maker" (2), 602 "Champion"
 * (not configured: the default 1), 603 "Influencer" (0.5). 100,000 × 2/3.5, 1/3.5, 0.5/3.5 = 57,142.86,
 * 28,571.43, 14,285.71 → floors 57,142 / 28,571 / 14,285 leave 2 cents, which go to the largest remainders
 * (.86 and .71): 57,143 / 28,571 / 14,286.
 *
 * Touches: 601 a webinar form (Q3 Webinar) at T−5d; 602 a partner form (Partner referrals) at T−1d; 603 a
 * referral visit (no campaign) at T−20d and an ebook form (Ebook) at T−3d. Under `last` each contact's share
 * goes to its last touch, so per campaign the net is 57,143 / 28,571 / 14,286. The discount follows the net:
 * 25,000 × 0.57143 = 14,285.75, × 0.28571 = 7,142.75, × 0.14286 = 3,571.5 → floors 14,285 / 7,142 / 3,571
 * leave 2 cents for the two .75 remainders: 14,286 / 7,143 / 3,571. Gross = net + discount: 71,429 / 35,714
 * / 17,857 (sums: 125,000 / 100,000 / 25,000).
 *
 * Write-back (model `last`): primary campaign Q3 Webinar (the largest credit), first-touch channel `referral`
 * (603's visit, the earliest touch of all), last-touch channel `unknown` (602's form carries no source).
 */

const API = 'https://api.hubapi.test';
const API_KEY = 'pricing-test-key-0123456789';
const DAY = 86_400_000;
const T = Date.UTC(2026, 7, 20, 12, 0, 0);

const iso = (ms: number) => new Date(ms).toISOString();
const history = (value: string, at: number) => [
  { value, timestamp: iso(at), sourceType: 'ANALYTICS' },
];

function conversion(at: number, campaign: string, extra: Record<string, [string, number]> = {}) {
  const entries: Record<string, [string, number]> = {
    recent_conversion_date: [String(at), at],
    recent_conversion_event_name: ['Form', at],
    hs_analytics_first_touch_converting_campaign: [campaign, at],
    ...extra,
  };
  return {
    properties: Object.fromEntries(Object.entries(entries).map(([name, [value]]) => [name, value])),
    history: Object.fromEntries(
      Object.entries(entries).map(([name, [value, at2]]) => [name, history(value, at2)]),
    ),
  };
}

const CONTACTS: Record<string, ReturnType<typeof conversion>> = {
  '601': conversion(T - 5 * DAY, 'Q3 Webinar'),
  '602': conversion(T - DAY, 'Partner referrals'),
  '603': conversion(T - 3 * DAY, 'Ebook', {
    hs_analytics_source: ['REFERRALS', T - 20 * DAY],
    hs_analytics_first_timestamp: [String(T - 20 * DAY), T - 20 * DAY],
  }),
};

const LINE_ITEMS: Record<string, Record<string, string>> = {
  '7001': { price: '500', quantity: '2', discount: '50', amount: '900' },
  '7002': { price: '250.00', quantity: '1', hs_discount_percentage: '20', amount: '200' },
};

interface HubSpotMock {
  labels: Record<string, string[]>;
  lineItemReads: string[][];
  propertyReads: string[][];
  patches: { dealId: string; properties: Record<string, string> }[];
  createdDealProperties: string[];
}

function mockHubSpot(options: { lineItemsForbidden?: boolean } = {}): HubSpotMock {
  const mock: HubSpotMock = {
    labels: { '601': ['Decision maker'], '602': ['Champion'], '603': ['Influencer'] },
    lineItemReads: [],
    propertyReads: [],
    patches: [],
    createdDealProperties: [],
  };
  const batch = (results: unknown[]) => batchAnswer(results, T);
  nockDealPipeline(API, T, [
    { id: 'open', label: 'Open', isClosed: false, probability: '0.5' },
    { id: 'won', label: 'Won', isClosed: true, probability: '1.0' },
  ]);
  nock(API)
    .persist()
    .post('/crm/v3/objects/contacts/batch/read')
    .reply(200, (_uri, body) =>
      batch(
        (body as { inputs: { id: string }[] }).inputs.map(({ id }) => ({
          id,
          properties: CONTACTS[id]!.properties,
          propertiesWithHistory: CONTACTS[id]!.history,
          createdAt: iso(T),
          updatedAt: iso(T),
          archived: false,
        })),
      ),
    );
  nock(API)
    .persist()
    .post('/crm/v3/objects/deals/batch/read')
    .reply(200, (_uri, body) => {
      const request = body as { inputs: { id: string }[]; properties: string[] };
      mock.propertyReads.push(request.properties);
      return batch(
        request.inputs.map(({ id }) => ({
          id,
          properties: {
            dealname: 'Globex: platform licence',
            amount: '1000',
            ...(request.properties.includes('list_price') ? { list_price: '1100' } : {}),
          },
          createdAt: iso(T),
          updatedAt: iso(T),
          archived: false,
        })),
      );
    });
  if (options.lineItemsForbidden) {
    nock(API).persist().post('/crm/v4/associations/deals/line_items/batch/read').reply(403, {
      status: 'error',
      category: 'MISSING_SCOPES',
      message: "This app hasn't been granted all required scopes to make this call.",
      correlationId: 'c0ffee',
    });
  }
  nock(API)
    .persist()
    .post('/crm/v4/associations/deals/line_items/batch/read')
    .reply(200, (_uri, body) =>
      batch(
        (body as { inputs: { id: string }[] }).inputs.map(({ id }) => ({
          from: { id },
          to: Object.keys(LINE_ITEMS).map((lineId) => ({
            toObjectId: Number(lineId),
            associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 19, label: null }],
          })),
        })),
      ),
    );
  nock(API)
    .persist()
    .post('/crm/v3/objects/line_items/batch/read')
    .reply(200, (_uri, body) => {
      const request = body as { inputs: { id: string }[]; properties: string[] };
      mock.lineItemReads.push(request.inputs.map((input) => input.id));
      expect(request.properties).toEqual(
        expect.arrayContaining(['price', 'quantity', 'discount', 'hs_discount_percentage']),
      );
      return batch(
        request.inputs.map(({ id }) => ({
          id,
          properties: LINE_ITEMS[id],
          createdAt: iso(T),
          updatedAt: iso(T),
          archived: false,
        })),
      );
    });
  nock(API)
    .persist()
    .post('/crm/v4/associations/deals/contacts/batch/read')
    .reply(200, (_uri, body) =>
      batch(
        (body as { inputs: { id: string }[] }).inputs.map(({ id }) => ({
          from: { id },
          to: Object.entries(mock.labels).map(([contactId, labels]) => ({
            toObjectId: Number(contactId),
            associationTypes: [
              { category: 'HUBSPOT_DEFINED', typeId: 3, label: null },
              ...labels.map((label, index) => ({
                category: 'USER_DEFINED',
                typeId: 30 + index,
                label,
              })),
            ],
          })),
        })),
      ),
    );
  // properties.ensure reads what exists first (none here), then creates the group and the properties.
  nock(API)
    .persist()
    .get(/\/crm\/v3\/properties\/(contacts|deals)(\?.*)?$/)
    .reply(200, { results: [] });
  nock(API)
    .persist()
    .post(/\/crm\/v3\/properties\/(contacts|deals)\/groups/)
    .reply(201, { name: 'truce', label: 'Truce', displayOrder: 0, archived: false });
  nock(API)
    .persist()
    .post(/\/crm\/v3\/properties\/(contacts|deals)$/)
    .reply(201, (uri, body) => {
      const property = body as { name: string };
      if (uri.endsWith('/deals')) mock.createdDealProperties.push(property.name);
      return {
        ...property,
        groupName: 'truce',
        options: [],
        hidden: false,
        modificationMetadata: {},
      };
    });
  nock(API)
    .persist()
    .patch(/\/crm\/v3\/objects\/deals\/\d+/)
    .reply(200, (uri, body) => {
      const dealId = uri.split('/').at(-1)!;
      mock.patches.push({ dealId, ...(body as { properties: Record<string, string> }) });
      return { id: dealId, properties: {}, createdAt: iso(T), updatedAt: iso(T), archived: false };
    });
  return mock;
}

describe.each(dialects)('price realisation, contact roles and write-back on %s', (dialect) => {
  let running: TestService;
  let hubspot: HubSpotMock;
  let clock: number;
  let configDir: string;

  const start = async (settings: Record<string, unknown>) => {
    configDir = mkdtempSync(path.join(tmpdir(), 'truce-pricing-'));
    const file = path.join(configDir, 'truce.json');
    writeFileSync(
      file,
      JSON.stringify({ attribution: { models: ['last', 'first'], ...settings } }),
    );
    running = await startTestService(
      testConfig(webhookEnv({ TRUCE_API_KEY: API_KEY, TRUCE_CONFIG: file })),
      dialect,
      {
        now: () => clock,
        startWorkers: false,
        hubspotClients: staticHubSpotClients({
          accessToken: 'test-token',
          apiBase: API,
          portalId: PORTAL_ID,
        }),
      },
    );
  };

  beforeEach(() => {
    clock = T + DAY;
    hubspot = mockHubSpot();
  });

  afterEach(async () => {
    nock.cleanAll();
    await running?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  const post = async (events: Record<string, unknown>[]) => {
    const response = await postWebhook(running.baseUrl, events, { timestamp: clock });
    expect(response.status).toBe(204);
  };
  const process = async () => {
    await running.service.webhookWorker.drain();
    await running.service.attributionWorker!.drain();
  };
  const deal = (propertyName: string, propertyValue: string, occurredAt: number) =>
    hubspotEvent({
      subscriptionType: 'deal.propertyChange',
      objectId: 910,
      propertyName,
      propertyValue,
      occurredAt,
    });
  const created = (type: 'contact' | 'deal', objectId: number) =>
    hubspotEvent({
      subscriptionType: `${type}.creation`,
      objectId,
      propertyName: undefined,
      propertyValue: undefined,
      occurredAt: T - 30 * DAY,
    });
  const association = (contactId: number) =>
    hubspotEvent({
      subscriptionType: 'contact.associationChange',
      objectId: undefined,
      propertyName: undefined,
      propertyValue: undefined,
      fromObjectId: contactId,
      toObjectId: 910,
      associationType: 'CONTACT_TO_DEAL',
      associationRemoved: false,
      occurredAt: T - 10 * DAY,
    });
  const wonDeal = () => [
    created('contact', 601),
    created('contact', 602),
    created('contact', 603),
    created('deal', 910),
    deal('pipeline', 'sales', T),
    deal('amount', '1000', T),
    deal('deal_currency_code', 'USD', T),
    deal('closedate', String(T), T),
    deal('dealstage', 'won', T),
    association(601),
    association(602),
    association(603),
  ];

  /** Per model and campaign: [gross, net, discount] of the stored non-zero credits. */
  const storedByCampaign = async () => {
    const rows = await running.service.database.db
      .selectFrom('attribution_credit')
      .select(['model', 'campaign', 'gross_cents', 'net_cents', 'discount_cents'])
      .where('deal_id', '=', 910)
      .execute();
    const result: Record<string, Record<string, [number, number, number]>> = {};
    for (const row of rows) {
      // Touches a model gives nothing are stored with zero credit; they do not show here.
      if (Number(row.gross_cents) === 0 && Number(row.net_cents) === 0) continue;
      const cell = ((result[row.model] ??= {})[row.campaign ?? '(none)'] ??= [0, 0, 0]);
      cell[0] += Number(row.gross_cents);
      cell[1] += Number(row.net_cents);
      cell[2] += Number(row.discount_cents);
    }
    return result;
  };

  const ROLES = { weights: { 'Decision maker': 2, influencer: 0.5 }, defaultWeight: 1 };

  it('stores gross, net and discount per campaign from the line items, split by contact role', async () => {
    await start({ contactRoles: ROLES });
    await post(wonDeal());
    await process();

    expect(hubspot.lineItemReads).toEqual([['7001', '7002']]);
    expect(await storedByCampaign()).toEqual({
      last: {
        'Q3 Webinar': [71_429, 57_143, 14_286],
        'Partner referrals': [35_714, 28_571, 7_143],
        Ebook: [17_857, 14_286, 3_571],
      },
      first: {
        'Q3 Webinar': [71_429, 57_143, 14_286],
        'Partner referrals': [35_714, 28_571, 7_143],
        '(none)': [17_857, 14_286, 3_571],
      },
    });

    const response = await fetch(
      `${running.baseUrl}/api/v1/reports/attribution?model=last&by=campaign&format=json`,
      { headers: { authorization: `Bearer ${API_KEY}` } },
    );
    expect(response.status).toBe(200);
    const rows = (await response.json()) as Record<string, unknown>[];
    expect(rows.map((row) => [row.campaign, row.model, row.gross, row.net, row.discount])).toEqual([
      ['Ebook', 'last', 178.57, 142.86, 35.71],
      ['Partner referrals', 'last', 357.14, 285.71, 71.43],
      ['Q3 Webinar', 'last', 714.29, 571.43, 142.86],
      // 603's referral visit (no campaign) is credited by `first` only.
      [null, 'last', 0, 0, 0],
    ]);

    const csv = await fetch(
      `${running.baseUrl}/api/v1/reports/attribution?model=last&by=campaign&format=csv`,
      { headers: { authorization: `Bearer ${API_KEY}` } },
    );
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toContain('gross,discount,net');
    expect(lines.find((line) => line.includes('Q3 Webinar'))).toContain('714.29,142.86,571.43');

    // The deal card names the deal (read with the line items; no dealname webhook came).
    const state = await running.service.database.db
      .selectFrom('deal')
      .select(['dealname', 'list_price_cents', 'line_discount_cents', 'price_source'])
      .where('deal_id', '=', 910)
      .executeTakeFirstOrThrow();
    expect(state).toEqual({
      dealname: 'Globex: platform licence',
      list_price_cents: 125_000,
      line_discount_cents: 15_000,
      price_source: 'line_items',
    });
  });

  it('splits equally over the contacts without role weights', async () => {
    await start({});
    await post(wonDeal());
    await process();
    // Equal thirds: 33,334 / 33,333 / 33,333 (the leftover cent to the lowest contact id).
    expect((await storedByCampaign()).last).toEqual({
      'Q3 Webinar': [41_668, 33_334, 8_334],
      'Partner referrals': [41_666, 33_333, 8_333],
      Ebook: [41_666, 33_333, 8_333],
    });
  });

  it('falls back to the configured list-price property when line items are not read', async () => {
    await start({ priceRealisation: { lineItems: false, listPriceProperty: 'list_price' } });
    await post(wonDeal());
    await process();
    expect(hubspot.lineItemReads).toEqual([]);
    expect(hubspot.propertyReads).toEqual([['dealname', 'amount', 'list_price']]);
    // List 1,100.00 against 1,000.00: 10,000 cents of discount over the thirds 33,334 / 33,333 / 33,333
    // → 3,333.4 / 3,333.3 / 3,333.3 → 3,334 / 3,333 / 3,333.
    expect((await storedByCampaign()).last).toEqual({
      'Q3 Webinar': [36_668, 33_334, 3_334],
      'Partner referrals': [36_666, 33_333, 3_333],
      Ebook: [36_666, 33_333, 3_333],
    });
  });

  it('attributes at gross = net when the app may not read line items (missing scope)', async () => {
    nock.cleanAll();
    hubspot = mockHubSpot({ lineItemsForbidden: true });
    await start({});
    await post(wonDeal());
    await process();
    expect(hubspot.lineItemReads).toEqual([]);
    expect((await storedByCampaign()).last).toEqual({
      'Q3 Webinar': [33_334, 33_334, 0],
      'Partner referrals': [33_333, 33_333, 0],
      Ebook: [33_333, 33_333, 0],
    });
    const deal = await running.service.database.db
      .selectFrom('deal')
      .select(['dealname', 'price_source'])
      .where('deal_id', '=', 910)
      .executeTakeFirstOrThrow();
    expect(deal).toEqual({ dealname: 'Globex: platform licence', price_source: null });
  });

  it('writes the primary campaign and first/last-touch channels back once per change', async () => {
    await start({ contactRoles: ROLES, writeBack: { enabled: true, model: 'last' } });
    const db = running.service.database.db;
    const dealWrites = () =>
      db
        .selectFrom('hubspot_outbox')
        .select(['operation', 'payload'])
        .where('operation', '=', 'deal.update')
        .orderBy('id')
        .execute();

    const ensures = await db
      .selectFrom('hubspot_outbox')
      .select(['idempotency_key'])
      .where('operation', '=', 'properties.ensure')
      .execute();
    expect(ensures.map((row) => row.idempotency_key)).toContain('properties.ensure:deals:truce:v1');

    await post(wonDeal());
    await process();
    expect((await dealWrites()).map((row) => JSON.parse(row.payload))).toEqual([
      {
        dealId: '910',
        properties: {
          truce_primary_campaign: 'Q3 Webinar',
          truce_first_touch_channel: 'referral',
          truce_last_touch_channel: 'unknown',
        },
      },
    ]);

    // A new amount recomputes every credit but changes none of the written values: nothing new is queued.
    clock += DAY;
    await post([deal('amount', '1200', T + DAY)]);
    await process();
    expect(await dealWrites()).toHaveLength(1);
    expect((await storedByCampaign()).last!['Q3 Webinar']![1]).toBe(68_571);

    // The partner becomes the decision maker: the primary campaign changes, so exactly one more write.
    hubspot.labels = { '601': [], '602': ['Decision maker'], '603': ['Influencer'] };
    clock += DAY;
    await post([deal('amount', '1000', T + 2 * DAY)]);
    await process();
    const writes = (await dealWrites()).map((row) => JSON.parse(row.payload));
    expect(writes).toHaveLength(2);
    expect(writes[1].properties.truce_primary_campaign).toBe('Partner referrals');

    // Delivered through the outbox: the deal properties are created, then the deal is patched; writes to one
    // deal go out in queue order, one per drain.
    await running.service.outbox!.drainOnce();
    await running.service.outbox!.drainOnce();
    expect(hubspot.createdDealProperties).toEqual([
      'truce_primary_campaign',
      'truce_first_touch_channel',
      'truce_last_touch_channel',
    ]);
    expect(hubspot.patches.map((patch) => patch.properties.truce_primary_campaign)).toEqual([
      'Q3 Webinar',
      'Partner referrals',
    ]);
  });

  it('keeps the name of an open deal from dealname webhooks, newest first, for the deal card', async () => {
    await start({});
    await post([
      created('deal', 910),
      deal('pipeline', 'sales', T),
      deal('dealstage', 'open', T),
      deal('dealname', 'Globex: renewal', T + 2000),
      // An older rename arriving late changes nothing.
      deal('dealname', 'Globex (draft)', T + 1000),
    ]);
    await process();
    const stored = await running.service.database.db
      .selectFrom('deal')
      .select(['dealname', 'price_source'])
      .where('deal_id', '=', 910)
      .executeTakeFirstOrThrow();
    // Not won: nothing was read from HubSpot for it.
    expect(stored).toEqual({ dealname: 'Globex: renewal', price_source: null });
    expect(hubspot.propertyReads).toEqual([]);
  });

  it('queues no write-back and no deal properties while write-back is off (the default)', async () => {
    await start({});
    await post(wonDeal());
    await process();
    const operations = await running.service.database.db
      .selectFrom('hubspot_outbox')
      .select(['operation', 'idempotency_key'])
      .execute();
    expect(operations.filter((row) => row.operation === 'deal.update')).toEqual([]);
    expect(operations.map((row) => row.idempotency_key)).not.toContain(
      'properties.ensure:deals:truce:v1',
    );
  });
});
