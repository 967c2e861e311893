import type { Kysely } from 'kysely';

import { reconcileDealAttribution } from '../../server/attribution/deal-attribution.service';
import { closePeriod } from '../../server/attribution/period-close.service';
import { recomputeAttribution } from '../../server/attribution/recompute.service';
import { upsertTouches } from '../../server/attribution/touchpoint.repository';
import type { Config } from '../../server/config';
import {
  applyDealContactAssociation,
  applyExistenceChange,
  applyPropertyChange,
} from '../../server/crm/crm-object.repository';
import type { Database } from '../../server/db/schema';
import { testConfig } from '../helpers/config';
import { dialects } from '../helpers/database';
import { startTestService, type TestService } from '../helpers/service';
import { errorOf, PORTAL_ID, webhookEnv } from '../helpers/webhooks';

const API_KEY = 'period-attribution-key-0123456789';
const at = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
const NOW = at('2026-11-01');

/**
 * Stored journeys of 2026-Q3 (EUR unless said), touches as channel/campaign:
 *   D1 won 1,000.00, closed Aug 15: contact 11 email/spring (Jul 1) → paid_search/ads (Jul 10)
 *   D2 won   500.00, closed Aug 20: contact 12 email/spring
 *   D3 open since Jun 1, stale (30 days) on Jul 1: contact 13 paid_search/ads        → non-converting
 *   D4 lost, closed Sep 1: contact 14 paid_search/ads                                 → non-converting
 *   contact 15, no deal, last touch Jul 20 (stale Aug 19): email/(no campaign)        → non-converting, every currency
 *   D5 won USD 200.00, closed Sep 10: contact 16 paid_search/ads
 * Outside Q3: D6 open since Sep 20 (stale only in Q4), D7 won in Q2, contact 19 last touched Sep 20.
 */
async function seed(db: Kysely<Database>, settings: Config['settings']['attribution']) {
  const portalId = PORTAL_ID;
  const deals: Array<{
    id: number;
    stage: 'won' | 'lost' | 'open';
    stageAt: number;
    close?: number;
    cents?: number;
    currency?: string;
    contact: number;
  }> = [
    {
      id: 1,
      stage: 'won',
      stageAt: at('2026-08-15'),
      close: at('2026-08-15'),
      cents: 100_000,
      currency: 'EUR',
      contact: 11,
    },
    {
      id: 2,
      stage: 'won',
      stageAt: at('2026-08-20'),
      close: at('2026-08-20'),
      cents: 50_000,
      currency: 'EUR',
      contact: 12,
    },
    {
      id: 3,
      stage: 'open',
      stageAt: at('2026-06-01'),
      cents: 70_000,
      currency: 'EUR',
      contact: 13,
    },
    {
      id: 4,
      stage: 'lost',
      stageAt: at('2026-09-01'),
      close: at('2026-09-01'),
      cents: 90_000,
      currency: 'EUR',
      contact: 14,
    },
    {
      id: 5,
      stage: 'won',
      stageAt: at('2026-09-10'),
      close: at('2026-09-10'),
      cents: 20_000,
      currency: 'USD',
      contact: 16,
    },
    {
      id: 6,
      stage: 'open',
      stageAt: at('2026-09-20'),
      cents: 10_000,
      currency: 'EUR',
      contact: 17,
    },
    {
      id: 7,
      stage: 'won',
      stageAt: at('2026-06-10'),
      close: at('2026-06-10'),
      cents: 30_000,
      currency: 'EUR',
      contact: 18,
    },
  ];
  const touches: Array<[number, string, string, string | null]> = [
    [11, '2026-07-01', 'email', 'spring'],
    [11, '2026-07-10', 'paid_search', 'ads'],
    [12, '2026-07-05', 'email', 'spring'],
    [13, '2026-05-20', 'paid_search', 'ads'],
    [14, '2026-08-01', 'paid_search', 'ads'],
    [15, '2026-07-20', 'email', null],
    [16, '2026-09-01', 'paid_search', 'ads'],
    [17, '2026-09-01', 'email', 'spring'],
    [18, '2026-06-01', 'email', 'spring'],
    [19, '2026-09-20', 'email', 'spring'],
  ];
  for (const [contactId, day, channel, campaign] of touches) {
    await upsertTouches(
      db,
      portalId,
      [
        {
          contactId: String(contactId),
          at: at(day),
          kind: 'offline',
          channel,
          campaign,
          rawSource: {},
          matchedRule: 'explicit',
          idempotencyKey: `t-${contactId}-${day}`,
        },
      ],
      'offline',
      NOW,
    );
  }
  for (const deal of deals) {
    const base = { type: 'deal' as const, portalId, objectId: deal.id, now: NOW };
    await applyExistenceChange(db, {
      ...base,
      deleted: false,
      createdAt: at('2026-05-01'),
      occurredAt: at('2026-05-01'),
    });
    await applyPropertyChange(db, {
      ...base,
      column: 'dealstage',
      value: deal.stage,
      occurredAt: deal.stageAt,
    });
    if (deal.close !== undefined) {
      await applyPropertyChange(db, {
        ...base,
        column: 'closedate',
        value: deal.close,
        occurredAt: deal.stageAt,
      });
    }
    await applyPropertyChange(db, {
      ...base,
      column: 'amount_cents',
      value: deal.cents ?? null,
      occurredAt: deal.stageAt,
    });
    await applyPropertyChange(db, {
      ...base,
      column: 'deal_currency_code',
      value: deal.currency ?? null,
      occurredAt: deal.stageAt,
    });
    await applyDealContactAssociation(db, {
      portalId,
      dealId: deal.id,
      contactId: deal.contact,
      associated: true,
      occurredAt: deal.stageAt,
      now: NOW,
    });
    // The worker's record of each deal's outcome (from the portal's pipelines) is what the period reads.
    await reconcileDealAttribution(
      db,
      { portalId, dealId: deal.id },
      { stageOutcome: (row) => row.dealstage as 'won' | 'lost' | 'open', settings, now: NOW },
    );
  }
}

describe.each(dialects)('data-driven attribution per period on %s', (dialect) => {
  let running: TestService;
  let config: Config;
  const headers = { authorization: `Bearer ${API_KEY}` };

  beforeEach(async () => {
    const base = testConfig(webhookEnv({ TRUCE_API_KEY: API_KEY }));
    config = {
      ...base,
      settings: {
        ...base.settings,
        attribution: {
          ...base.settings.attribution,
          models: ['linear'],
          dataDriven: {
            models: ['markov', 'shapley', 'shapley_rate'],
            markovOrder: 1,
            staleDays: 30,
          },
        },
      },
    };
    running = await startTestService(config, dialect, { now: () => NOW, startWorkers: false });
    await seed(running.service.database.db, config.settings.attribution);
  });

  afterEach(async () => {
    await running.stop();
  });

  const attribute = (period: string) =>
    fetch(`${running.baseUrl}/api/v1/attribution/periods/${period}`, { method: 'POST', headers });
  const stored = async (dimension: string, currency: string, model: string) => {
    const rows = await running.service.database.db
      .selectFrom('period_attribution')
      .selectAll()
      .where('period', '=', '2026-Q3')
      .where('dimension', '=', dimension)
      .where('currency', '=', currency)
      .where('model', '=', model)
      .orderBy('key')
      .execute();
    return Object.fromEntries(
      rows.map((row) => [
        row.key,
        {
          conversions: Number(row.conversions),
          cents: Number(row.value_cents),
          removal: row.removal_effect === null ? null : Number(row.removal_effect),
          deals: Number(row.deals),
          converting: Number(row.converting),
          nonConverting: Number(row.non_converting),
        },
      ]),
    );
  };

  it('counts won deals as conversions and lost, stale and deal-less journeys as non-conversions', async () => {
    const response = await attribute('2026-Q3');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      period: '2026-Q3',
      won: 3,
      lost: 1,
      stale: 1,
      contacts: 1,
      rows: 3 * (3 + 2 + 2 + 2),
    });

    // EUR by channel. Paths: [email, paid_search] won 100,000; [email] won 50,000; [paid_search] lost;
    // [paid_search] stale; [email] contact without a deal.
    // Markov order 1: start→email 3, →paid_search 2; email: →paid_search 1, convert 1, null 1;
    // paid_search: convert 1, null 2. P(ps) = 1/3, P(email) = 1/3 + 1/3·1/3 = 4/9,
    // P = 3/5·4/9 + 2/5·1/3 = 2/5. Without email: 2/5·1/3 = 2/15 → RE 2/3; without paid_search: email
    // converts 1/3, P = 3/5·1/3 = 1/5 → RE 1/2. Conversions 2 × (2/3)/(7/6) = 8/7 and 2 × (1/2)/(7/6) = 6/7.
    // Value: per step email 50,000/3, paid_search 100,000/3; V = 30,000; without email 40,000/3 → RE 5/9;
    // without paid_search 10,000 → RE 2/3. Cents 150,000 × 5/11 = 68,181.8 and × 6/11 = 81,818.2, rounded to
    // add up: 68,182 and 81,818.
    const markov = await stored('channel', 'EUR', 'markov');
    expect(Object.keys(markov)).toEqual(['email', 'paid_search']);
    expect(markov.email!.conversions).toBeCloseTo(8 / 7, 12);
    expect(markov.paid_search!.conversions).toBeCloseTo(6 / 7, 12);
    expect(markov.email!.removal).toBeCloseTo(2 / 3, 12);
    expect(markov.paid_search!.removal).toBeCloseTo(1 / 2, 12);
    expect(markov.email!.cents).toBe(68_182);
    expect(markov.paid_search!.cents).toBe(81_818);
    expect(markov.email).toMatchObject({ deals: 2, converting: 2, nonConverting: 3 });
    expect(markov.paid_search).toMatchObject({ deals: 1 });

    // Set Shapley: each won journey split equally over its distinct channels (non-conversions do not play).
    const shapley = await stored('channel', 'EUR', 'shapley');
    expect(shapley.email).toMatchObject({ conversions: 1.5, cents: 100_000, removal: null });
    expect(shapley.paid_search).toMatchObject({ conversions: 0.5, cents: 50_000 });

    // Conversion-rate Shapley: sets {email, paid_search} 1/1, {email} 1 of 2 (the contact without a deal
    // is the second), {paid_search} 0 of 2. v(e) = 1/2, v(p) = 0, v(ep) = 2/5: φe = (1/2 + 2/5)/2 = 9/20,
    // φp = (0 + 2/5 − 1/2)/2 = −1/20; scaled to 2 conversions: 2.25 and −0.25. Value per journey: 25,000,
    // 0, 30,000: φe = 27,500, φp = 2,500 → 137,500 and 12,500 cents.
    const rate = await stored('channel', 'EUR', 'shapley_rate');
    expect(rate.email!.conversions).toBeCloseTo(2.25, 12);
    expect(rate.paid_search!.conversions).toBeCloseTo(-0.25, 12);
    expect(rate.email!.cents).toBe(137_500);
    expect(rate.paid_search!.cents).toBe(12_500);

    // By campaign the contact's touch has no campaign: its key ('' = none) gets no credit; the rest matches.
    const campaigns = await stored('campaign', 'EUR', 'markov');
    expect(Object.keys(campaigns)).toEqual(['', 'ads', 'spring']);
    expect(campaigns['']).toMatchObject({ cents: 0, removal: 0, deals: 0 });
    expect(campaigns.spring!.cents).toBe(68_182);
    expect(campaigns.ads!.cents).toBe(81_818);

    // USD is its own game: D5 and the contact without a deal (which has no currency, so it plays in both).
    const usd = await stored('channel', 'USD', 'markov');
    expect(usd.paid_search).toMatchObject({
      cents: 20_000,
      removal: 1,
      converting: 1,
      nonConverting: 1,
    });
    expect(usd.email).toMatchObject({ cents: 0, removal: 0 });
  });

  it('reports markov and shapley beside the journey models, per currency', async () => {
    expect((await attribute('2026-Q3')).status).toBe(200);
    const response = await fetch(
      `${running.baseUrl}/api/v1/reports/attribution?from=2026-Q3&to=2026-Q3&by=channel&format=json`,
      { headers },
    );
    expect(response.status).toBe(200);
    const rows = (await response.json()) as Array<Record<string, unknown>>;
    const net = (currency: string, key: string, model: string) =>
      rows.find((row) => row.currency === currency && row.channel === key && row.model === model)
        ?.net;
    expect(net('EUR', 'email', 'markov')).toBe(681.82);
    expect(net('EUR', 'paid_search', 'markov')).toBe(818.18);
    expect(net('EUR', 'email', 'shapley')).toBe(1000);
    expect(net('USD', 'paid_search', 'shapley')).toBe(200);
    // The journey model of the same deals (linear) sits beside them: D1 half each, D2 all email.
    expect(net('EUR', 'email', 'linear')).toBe(1000);
    expect(net('EUR', 'paid_search', 'linear')).toBe(500);

    // A model asked by name shows; `all` leaves out a data-driven model with no quarter computed in the range.
    const q2 = await fetch(
      `${running.baseUrl}/api/v1/reports/attribution?from=2026-Q2&to=2026-Q2&format=json`,
      { headers },
    );
    expect(
      new Set(((await q2.json()) as Array<{ model: string }>).map((row) => row.model)),
    ).toEqual(new Set(['linear']));

    // Only the quarter inside the range counts: a range ending before Q3 shows no data-driven credit.
    const before = await fetch(
      `${running.baseUrl}/api/v1/reports/attribution?model=markov&to=2026-Q2&format=json`,
      { headers },
    );
    expect(await before.json()).toEqual([]);
  });

  it('replaces a period’s results on recomputation and refuses a closed period', async () => {
    expect((await attribute('2026-Q3')).status).toBe(200);
    const first = await stored('channel', 'EUR', 'markov');
    expect((await attribute('2026-Q3')).status).toBe(200);
    expect(await stored('channel', 'EUR', 'markov')).toEqual(first);

    await closePeriod(running.service.database.db, PORTAL_ID, '2026-Q3', { zone: 'UTC', now: NOW });
    const closed = await attribute('2026-Q3');
    expect(closed.status).toBe(409);
    expect((await errorOf(closed)).message).toMatch(/2026-Q3 is closed/);
  });

  it('recomputes everything from stored data to the same per-deal credits, in bulk, and every quarter', async () => {
    const db = running.service.database.db;
    const credits = async () =>
      (
        await db
          .selectFrom('attribution_credit')
          .select(['deal_id', 'model', 'touchpoint_id', 'contact_id', 'campaign', 'channel'])
          .select(['currency', 'gross_cents', 'discount_cents', 'net_cents', 'closed_at', 'period'])
          .orderBy('deal_id')
          .orderBy('model')
          .orderBy('touchpoint_id')
          .execute()
      ).map((row) => Object.values(row).map((value) => (value === null ? null : String(value))));
    const states = async () =>
      (
        await db
          .selectFrom('deal_attribution_state')
          .select(['deal_id', 'status', 'inputs_hash', 'amount_cents', 'currency', 'closed_at'])
          .select(['contacts', 'touches'])
          .where('status', 'in', ['attributed', 'no_touches'])
          .orderBy('deal_id')
          .execute()
      ).map((row) => Object.values(row).map(String));
    const byDeal = await credits();
    const stateByDeal = await states();
    // Linear over D1 (2 touches), D2, D5 and D7 (one each).
    expect(byDeal).toHaveLength(5);
    await db.deleteFrom('attribution_credit').execute();

    const summary = await recomputeAttribution(running.service.database, PORTAL_ID, {
      settings: config.settings.attribution,
      now: NOW,
    });
    expect(summary).toMatchObject({ deals: 4, credits: 5, closedPeriods: [] });
    expect(summary.periods.map((period) => period.period)).toEqual([
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ]);
    expect(await credits()).toEqual(byDeal);
    expect(await states()).toEqual(stateByDeal);
    const markov = await stored('channel', 'EUR', 'markov');
    expect(markov.email!.cents).toBe(68_182);

    // One deal per page: each page is computed while the previous one is still being written.
    await db.deleteFrom('attribution_credit').execute();
    const paged = await recomputeAttribution(running.service.database, PORTAL_ID, {
      settings: config.settings.attribution,
      now: NOW,
      pageSize: 1,
    });
    expect(paged).toMatchObject({ deals: 4, credits: 5 });
    expect(await credits()).toEqual(byDeal);
    expect(await states()).toEqual(stateByDeal);
  });

  it('streams every per-deal credit row as CSV through the report', async () => {
    const response = await fetch(
      `${running.baseUrl}/api/v1/reports/attribution?view=credits&format=csv&from=2026-Q3&to=2026-Q3`,
      { headers },
    );
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'deal_id,model,touch_id,period,currency,campaign,channel,gross,discount,net',
    );
    expect(
      lines.slice(1).map((line) =>
        line
          .split(',')
          .filter((_, i) => i !== 2)
          .join(','),
      ),
    ).toEqual([
      '1,linear,2026-Q3,EUR,spring,email,500.00,0.00,500.00',
      '1,linear,2026-Q3,EUR,ads,paid_search,500.00,0.00,500.00',
      '2,linear,2026-Q3,EUR,spring,email,500.00,0.00,500.00',
      '5,linear,2026-Q3,USD,ads,paid_search,200.00,0.00,200.00',
    ]);
    const badView = await fetch(`${running.baseUrl}/api/v1/reports/attribution?view=rows`, {
      headers,
    });
    expect(badView.status).toBe(400);
    expect((await errorOf(badView)).message).toBe('view must be table or credits, not "rows"');
  });

  it('refuses bad input with the reason and stores nothing', async () => {
    const notQuarter = await attribute('2026-07');
    expect(notQuarter.status).toBe(400);
    expect((await errorOf(notQuarter)).message).toMatch(/per quarter/);
    const notPeriod = await attribute('2026-Q5');
    expect(notPeriod.status).toBe(400);
    expect(
      await running.service.database.db.selectFrom('period_attribution').selectAll().execute(),
    ).toEqual([]);

    const report = (query: string) =>
      fetch(`${running.baseUrl}/api/v1/reports/attribution?${query}`, { headers });
    const unknown = await report('model=markow');
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).message).toMatch(/^unknown model "markow".*markov, shapley/);
    const backwards = await report('model=markov&from=2026-Q4&to=2026-Q3');
    expect(backwards.status).toBe(400);
    expect((await errorOf(backwards)).message).toBe('from 2026-Q4 is after to 2026-Q3');
    const unauthorised = await fetch(`${running.baseUrl}/api/v1/attribution/periods/2026-Q3`, {
      method: 'POST',
    });
    expect(unauthorised.status).toBe(401);
  });
});
