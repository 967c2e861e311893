import fc from 'fast-check';

import { allocateCents } from '../../src/attribution/money-split';
import {
  AttributionAccumulator,
  buildAttributionTable,
  type CreditRow,
} from '../../src/reports/attribution-report';

const MODELS = ['first_touch', 'linear', 'markov'];

function credit(
  dealId: string,
  model: string,
  campaign: string | null,
  channel: string,
  netCents: number,
  discountCents = 0,
  currency = 'EUR',
  touchId: string | null = null,
): CreditRow {
  return {
    dealId,
    model,
    touchId,
    campaign,
    channel,
    currency,
    netCents,
    discountCents,
    grossCents: netCents + discountCents,
    period: '2026-Q3',
  };
}

/**
 * Worked out by hand:
 * D1 (EUR) net 1,000.00 at list 1,200.00 (discount 200.00); touches T1 webinar/events, T2 ads/paid_search,
 *   T3 webinar/email. first touch: T1 all. linear: 333.34 / 333.33 / 333.33 net, discount split by net
 *   66.67 / 66.67 / 66.66. markov (campaign level): webinar 700.00 (discount 140.00), ads 300.00 (60.00).
 * D2 (EUR) net 500.00, one touch on ads. D3 (USD) net 200.00, one touch on webinar. D4 (EUR) net 100.00, one
 * touch with no campaign (direct).
 */
function scriptedCredits(): CreditRow[] {
  return [
    credit('D1', 'first_touch', 'webinar', 'events', 100_000, 20_000, 'EUR', 'T1'),
    credit('D1', 'linear', 'webinar', 'events', 33_334, 6_667, 'EUR', 'T1'),
    credit('D1', 'linear', 'ads', 'paid_search', 33_333, 6_667, 'EUR', 'T2'),
    credit('D1', 'linear', 'webinar', 'email', 33_333, 6_666, 'EUR', 'T3'),
    credit('D1', 'markov', 'webinar', 'events', 70_000, 14_000),
    credit('D1', 'markov', 'ads', 'paid_search', 30_000, 6_000),
    ...MODELS.map((model) => credit('D2', model, 'ads', 'paid_search', 50_000)),
    ...MODELS.map((model) => credit('D3', model, 'webinar', 'events', 20_000, 0, 'USD')),
    ...MODELS.map((model) => credit('D4', model, null, 'direct', 10_000)),
  ];
}

const spend = [
  { key: 'webinar', currency: 'EUR', spendCents: 40_000 },
  { key: 'ads', currency: 'EUR', spendCents: 35_000 },
  { key: 'ads', currency: 'EUR', spendCents: 25_000 },
  { key: 'webinar', currency: 'USD', spendCents: 5_000 },
  { key: 'newsletter', currency: 'EUR', spendCents: 1_000 },
];
const sqlCounts = [
  { key: 'webinar', sqls: 4 },
  { key: 'ads', sqls: 3 },
  { key: 'newsletter', sqls: 0 },
];

describe('buildAttributionTable by campaign', () => {
  const table = buildAttributionTable(scriptedCredits(), {
    by: 'campaign',
    models: MODELS,
    spend,
    sqlCounts,
  });
  const row = (currency: string, key: string | null) =>
    table.rows.find((r) => r.currency === currency && r.key === key)!;

  it('lists one row per currency and campaign, named campaigns first, no-campaign last', () => {
    expect(table.rows.map((r) => `${r.currency}:${r.key}`)).toEqual([
      'EUR:ads',
      'EUR:newsletter',
      'EUR:webinar',
      'EUR:null',
      'USD:webinar',
    ]);
  });

  it('sums gross, discount and net per model, and counts the deals', () => {
    expect(row('EUR', 'webinar').models).toEqual({
      first_touch: {
        grossCents: 120_000,
        discountCents: 20_000,
        netCents: 100_000,
        deals: 1,
        roi: 1.5,
      },
      linear: {
        grossCents: 80_000,
        discountCents: 13_333,
        netCents: 66_667,
        deals: 1,
        roi: (66_667 - 40_000) / 40_000,
      },
      markov: { grossCents: 84_000, discountCents: 14_000, netCents: 70_000, deals: 1, roi: 0.75 },
    });
    expect(row('EUR', 'ads').models).toEqual({
      first_touch: {
        grossCents: 50_000,
        discountCents: 0,
        netCents: 50_000,
        deals: 1,
        roi: -1 / 6,
      },
      linear: {
        grossCents: 90_000,
        discountCents: 6_667,
        netCents: 83_333,
        deals: 2,
        roi: (83_333 - 60_000) / 60_000,
      },
      markov: { grossCents: 86_000, discountCents: 6_000, netCents: 80_000, deals: 2, roi: 1 / 3 },
    });
  });

  it('shows the spread of the net credit over the models', () => {
    expect(row('EUR', 'webinar').spread).toEqual({
      minNetCents: 66_667,
      maxNetCents: 100_000,
      minModel: 'linear',
      maxModel: 'first_touch',
      ratio: 100_000 / 66_667,
    });
    expect(row('EUR', 'ads').spread).toMatchObject({ minModel: 'first_touch', maxModel: 'linear' });
    expect(row('EUR', 'ads').spread!.ratio).toBeCloseTo(1.66666, 5);
    expect(row('EUR', null).spread).toMatchObject({ minNetCents: 10_000, ratio: 1 });
  });

  it('has no finite ratio when a model gives the campaign nothing', () => {
    expect(row('EUR', 'newsletter').spread).toEqual({
      minNetCents: 0,
      maxNetCents: 0,
      minModel: 'first_touch',
      maxModel: 'first_touch',
      ratio: null,
    });
  });

  it('adds up spend, gives ROI and cost per SQL', () => {
    expect(row('EUR', 'ads')).toMatchObject({
      spendCents: 60_000,
      sqls: 3,
      costPerSqlCents: 20_000,
    });
    expect(row('EUR', 'webinar')).toMatchObject({
      spendCents: 40_000,
      sqls: 4,
      costPerSqlCents: 10_000,
    });
    expect(row('EUR', 'newsletter')).toMatchObject({
      spendCents: 1_000,
      sqls: 0,
      costPerSqlCents: null,
    });
    expect(row('EUR', 'newsletter').models.linear!.roi).toBe(-1);
    expect(row('EUR', null)).toMatchObject({ spendCents: null, sqls: 0, costPerSqlCents: null });
    expect(row('EUR', null).models.markov!.roi).toBeNull();
  });

  it('keeps currencies apart, in rows and in totals', () => {
    expect(row('USD', 'webinar')).toMatchObject({
      spendCents: 5_000,
      sqls: 4,
      costPerSqlCents: 1_250,
    });
    expect(row('USD', 'webinar').models.linear).toEqual({
      grossCents: 20_000,
      discountCents: 0,
      netCents: 20_000,
      deals: 1,
      roi: 3,
    });
    expect(table.totals.map((t) => t.currency)).toEqual(['EUR', 'USD']);
    const eur = table.totals[0]!;
    expect(eur.spendCents).toBe(101_000);
    for (const model of MODELS) {
      expect(eur.models[model]).toEqual({
        grossCents: 180_000,
        discountCents: 20_000,
        netCents: 160_000,
        deals: 3,
        roi: (160_000 - 101_000) / 101_000,
      });
    }
    expect(table.totals[1]!.models.first_touch).toMatchObject({
      netCents: 20_000,
      deals: 1,
      roi: 3,
    });
  });
});

describe('buildAttributionTable options', () => {
  it('groups by channel', () => {
    const table = buildAttributionTable(scriptedCredits(), { by: 'channel', models: ['linear'] });
    expect(
      table.rows.map((r) => [r.currency, r.key, r.models.linear!.netCents, r.models.linear!.deals]),
    ).toEqual([
      ['EUR', 'direct', 10_000, 1],
      ['EUR', 'email', 33_333, 1],
      ['EUR', 'events', 33_334, 1],
      ['EUR', 'paid_search', 83_333, 2],
      ['USD', 'events', 20_000, 1],
    ]);
    expect(table.rows.every((r) => r.sqls === null && r.costPerSqlCents === null)).toBe(true);
  });

  it('reports only the models asked for, in the order asked', () => {
    const table = buildAttributionTable(scriptedCredits(), {
      by: 'campaign',
      models: ['markov', 'first_touch'],
    });
    expect(table.models).toEqual(['markov', 'first_touch']);
    expect(Object.keys(table.rows[0]!.models)).toEqual(['markov', 'first_touch']);
  });

  it('reports every model seen, sorted, when none are named', () => {
    const table = buildAttributionTable(scriptedCredits(), { by: 'campaign' });
    expect(table.models).toEqual(['first_touch', 'linear', 'markov']);
  });

  it('gives a model the table asks for but no credit has zeros', () => {
    const table = buildAttributionTable(scriptedCredits(), {
      by: 'campaign',
      models: ['linear', 'shapley'],
    });
    expect(table.rows[0]!.models.shapley).toEqual({
      grossCents: 0,
      discountCents: 0,
      netCents: 0,
      deals: 0,
      roi: null,
    });
  });

  it('does not count a deal whose credit rounded to zero', () => {
    const table = buildAttributionTable(
      [credit('D9', 'linear', 'x', 'email', 0), credit('D8', 'linear', 'x', 'email', 1)],
      { by: 'campaign' },
    );
    expect(table.rows[0]!.models.linear!.deals).toBe(1);
  });

  it('can be fed one credit at a time', () => {
    const accumulator = new AttributionAccumulator({ by: 'campaign', models: MODELS });
    for (const row of scriptedCredits()) accumulator.add(row);
    for (const row of spend) accumulator.addSpend(row);
    expect(accumulator.table(sqlCounts)).toEqual(
      buildAttributionTable(scriptedCredits(), {
        by: 'campaign',
        models: MODELS,
        spend,
        sqlCounts,
      }),
    );
  });

  it.each<[string, () => void, RegExp]>([
    [
      'a credit whose gross is not net plus discount',
      () =>
        buildAttributionTable([{ ...credit('D1', 'linear', 'x', 'email', 100), grossCents: 99 }], {
          by: 'campaign',
        }),
      /deal D1/,
    ],
    [
      'a currency that is no ISO code',
      () =>
        buildAttributionTable([credit('D1', 'linear', 'x', 'email', 1, 0, 'euro')], {
          by: 'campaign',
        }),
      /euro/,
    ],
    [
      'fractional cents',
      () => buildAttributionTable([credit('D1', 'linear', 'x', 'email', 1.5)], { by: 'campaign' }),
      /deal D1/,
    ],
    [
      'negative spend',
      () =>
        buildAttributionTable([], {
          by: 'campaign',
          spend: [{ key: 'x', currency: 'EUR', spendCents: -1 }],
        }),
      /spend -1/,
    ],
    [
      'a negative SQL count',
      () => buildAttributionTable([], { by: 'campaign', sqlCounts: [{ key: 'x', sqls: -2 }] }),
      /SQL count -2/,
    ],
  ])('refuses %s', (_label, run, message) => {
    expect(run).toThrow(message);
  });
});

describe('buildAttributionTable properties', () => {
  const dealArb = fc.record({
    currency: fc.constantFrom('EUR', 'USD', 'GBP'),
    net: fc.integer({ min: 0, max: 50_000_000 }),
    discount: fc.integer({ min: -100_000, max: 5_000_000 }),
    shares: fc.array(
      fc.record({
        campaign: fc.constantFrom<string | null>('a', 'b', 'c', '=x', null),
        channel: fc.constantFrom('email', 'paid_search', 'events'),
        weight: fc.integer({ min: 0, max: 100 }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  });

  it('attributes exactly what went in, per currency and model, to the cent', () => {
    fc.assert(
      fc.property(fc.array(dealArb, { maxLength: 25 }), (deals) => {
        const credits: CreditRow[] = [];
        deals.forEach((deal, index) => {
          for (const model of MODELS) {
            // Each model splits differently: rotate the weights by model.
            const weights = deal.shares.map(
              (_, i) => deal.shares[(i + MODELS.indexOf(model)) % deal.shares.length]!.weight,
            );
            const nets = allocateCents(deal.net, weights);
            const discounts = allocateCents(deal.discount, nets);
            deal.shares.forEach((share, i) =>
              credits.push(
                credit(
                  `D${index}`,
                  model,
                  share.campaign,
                  share.channel,
                  nets[i]!,
                  discounts[i]!,
                  deal.currency,
                ),
              ),
            );
          }
        });
        for (const by of ['campaign', 'channel'] as const) {
          const table = buildAttributionTable(credits, { by, models: MODELS });
          for (const currency of ['EUR', 'USD', 'GBP']) {
            const dealsIn = deals.filter((d) => d.currency === currency);
            const total = table.totals.find((t) => t.currency === currency);
            if (dealsIn.length === 0) {
              expect(total).toBeUndefined();
              continue;
            }
            const rows = table.rows.filter((r) => r.currency === currency);
            for (const model of MODELS) {
              const sum = (
                pick: (f: {
                  netCents: number;
                  discountCents: number;
                  grossCents: number;
                }) => number,
              ) => rows.reduce((acc, r) => acc + pick(r.models[model]!), 0);
              const expectedNet = dealsIn.reduce((acc, d) => acc + d.net, 0);
              const expectedDiscount = dealsIn.reduce((acc, d) => acc + d.discount, 0);
              expect(sum((f) => f.netCents)).toBe(expectedNet);
              expect(sum((f) => f.discountCents)).toBe(expectedDiscount);
              expect(sum((f) => f.grossCents)).toBe(expectedNet + expectedDiscount);
              expect(total!.models[model]!.netCents).toBe(expectedNet);
            }
            for (const row of rows) {
              for (const model of MODELS) {
                expect(row.models[model]!.netCents).toBeGreaterThanOrEqual(row.spread!.minNetCents);
                expect(row.models[model]!.netCents).toBeLessThanOrEqual(row.spread!.maxNetCents);
              }
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
