import nock from 'nock';

import { backfillPortal } from '../../server/backfill/backfill-portal';
import { createRateBudget } from '../../server/hubspot/rate-budget';
import { testConfig } from '../helpers/config';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/database';

const API = 'https://api.hubapi.test';
const PORTAL = 4242;
const CAMPAIGN = '7a1e1d1c-0000-4000-8000-000000000001';

const config = testConfig({
  HUBSPOT_API_BASE: API,
  HUBSPOT_ACCESS_TOKEN: 'test-token',
  HUBSPOT_PORTAL_ID: String(PORTAL),
});

/** HubSpot as its API reference documents these answers, for one campaign with one email. */
function campaignWithEmail(): void {
  nock(API)
    .get('/marketing/v3/campaigns')
    .query(true)
    .reply(200, {
      total: 1,
      results: [
        {
          id: CAMPAIGN,
          createdAt: '2026-06-01T10:00:00.000Z',
          updatedAt: '2026-06-01T10:00:00.000Z',
          properties: {
            hs_name: 'Spring launch',
            hs_start_date: '2026-04-01',
            hs_end_date: '2026-06-30',
            hs_currency_code: 'EUR',
          },
        },
      ],
    })
    .get(`/marketing/v3/campaigns/${CAMPAIGN}/assets/FORM`)
    .query(true)
    .reply(200, { results: [] })
    .get(`/marketing/v3/campaigns/${CAMPAIGN}/assets/MARKETING_EMAIL`)
    .query(true)
    .reply(200, { results: [{ id: '181818', name: 'Launch email', metrics: {} }] })
    .get('/marketing/v3/emails/181818')
    .reply(200, { id: '181818', isAb: false, allEmailCampaignIds: ['5150'], campaign: CAMPAIGN })
    .get(`/marketing/v3/campaigns/${CAMPAIGN}/budget/totals`)
    .reply(200, {
      budgetTotal: 900,
      spendTotal: 812.4,
      remainingBudget: 87.6,
      currencyCode: 'EUR',
      budgetItems: [],
      spendItems: [
        {
          id: '1',
          name: 'Ads',
          amount: 812.4,
          order: 0,
          createdAt: 1780000000000,
          updatedAt: 1780000000000,
        },
      ],
    });
}

describe.each(dialects)('truce backfill against HubSpot answers (nock, %s)', (dialect) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });

  afterEach(async () => {
    nock.cleanAll();
    await database.destroy();
  });

  it('honours Retry-After on a 429, resolves recipients by email and reads clicks by send id', async () => {
    campaignWithEmail();
    const eventQueries: Record<string, string>[] = [];
    nock(API)
      .get('/email/public/v1/events')
      .query((query) => {
        eventQueries.push(query as Record<string, string>);
        return true;
      })
      .reply(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { 'Retry-After': '3' },
      )
      .get('/email/public/v1/events')
      .query(true)
      .reply(200, {
        events: [
          {
            id: 'evt-1',
            created: Date.UTC(2026, 4, 5, 9),
            type: 'CLICK',
            recipient: 'Buyer@Example.test',
            emailCampaignId: 5150,
            portalId: PORTAL,
            appId: 0,
            url: 'https://www.example.test/launch?utm_medium=email',
          },
        ],
        hasMore: false,
        offset: 'b2Zmc2V0',
      });
    const batchReads: unknown[] = [];
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read', (body) => {
        batchReads.push(body);
        return true;
      })
      .query(true)
      .reply(200, {
        status: 'COMPLETE',
        results: [
          {
            id: '901',
            properties: { email: 'buyer@example.test' },
            createdAt: '2026-01-01T00:00:00Z',
            updatedAt: '2026-01-01T00:00:00Z',
            archived: false,
          },
        ],
        startedAt: '2026-01-01T00:00:00Z',
        completedAt: '2026-01-01T00:00:00Z',
      });

    let now = Date.UTC(2026, 10, 1);
    const slept: number[] = [];
    const budget = createRateBudget({
      requestsPerWindow: 100,
      now: () => now,
      sleep: (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    });
    const report = await backfillPortal(config, database, {
      portalId: PORTAL,
      stages: ['campaigns', 'email_clicks'],
      budget,
      now: () => now,
    });

    expect(report.rateLimited).toBe(1);
    // One pause of exactly Retry-After (the budget waits in short steps, re-reading its clock).
    expect(slept.reduce((sum, ms) => sum + ms, 0)).toBe(3_000);
    expect(eventQueries[0]).toMatchObject({ campaignId: '5150', eventType: 'CLICK' });
    expect(batchReads).toEqual([
      {
        inputs: [{ id: 'buyer@example.test' }],
        idProperty: 'email',
        properties: ['email'],
        propertiesWithHistory: [],
      },
    ]);
    const touches = await database.db.selectFrom('touchpoint').selectAll().execute();
    expect(touches).toHaveLength(1);
    expect(touches[0]).toMatchObject({
      contact_id: 901,
      at: Date.UTC(2026, 4, 5, 9),
      kind: 'email_click',
      campaign: 'Spring launch',
    });
    const spend = await database.db.selectFrom('campaign_spend').selectAll().execute();
    expect(
      spend.map((row) => [row.campaign, row.period, row.currency, Number(row.cents), row.source]),
    ).toEqual([['Spring launch', '2026-04-01..2026-06-30', 'EUR', 81_240, 'hubspot']]);
    expect(nock.isDone()).toBe(true);
  });

  it('stops with the reason on an answer of another shape, storing nothing', async () => {
    nock(API).get('/marketing/v3/campaigns').query(true).reply(200, { results: 'not a list' });
    await expect(backfillPortal(config, database, { portalId: PORTAL })).rejects.toThrow(
      /unexpected HubSpot answer to GET \/marketing\/v3\/campaigns: results/,
    );
    expect(await database.db.selectFrom('backfill_cursor').selectAll().execute()).toEqual([]);
    expect(await database.db.selectFrom('campaign_spend').selectAll().execute()).toEqual([]);
  });

  it('gives up on a DAILY 429 instead of waiting an hour (the next run resumes)', async () => {
    nock(API).get('/marketing/v3/campaigns').query(true).reply(429, {
      status: 'error',
      message: 'You have reached your daily limit.',
      policyName: 'DAILY',
    });
    await expect(backfillPortal(config, database, { portalId: PORTAL })).rejects.toThrow(/429/);
    expect(nock.isDone()).toBe(true);
  });
});
