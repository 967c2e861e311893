import fc from 'fast-check';

import { allocateCents } from '../../src/attribution/money-split';
import { creditRowsForDeal } from '../../src/reports/deal-credit-rows';
import {
  attributePriceRealisation,
  dealPriceRealisation,
  lineItemCents,
} from '../../src/reports/price-realisation';

describe('dealPriceRealisation', () => {
  it('takes gross from line items and the rest of the discount from the deal amount', () => {
    // 3 × 199.99 = 599.97 gross; 10.00 off per unit = 30.00; amount 549.97 → 20.00 more off the deal.
    expect(
      dealPriceRealisation({
        amount: '549.97',
        lineItems: [{ price: '199.99', quantity: '3', discount: '10' }],
      }),
    ).toEqual({
      grossCents: 59_997,
      netCents: 54_997,
      discountCents: 5_000,
      lineDiscountCents: 3_000,
      dealDiscountCents: 2_000,
      source: 'line_items',
    });
  });

  it('rounds each line to the cent, half away from zero, and uses the line net without an amount', () => {
    // 33.33 × 1.5 = 49.995 → 50.00; 12.5 % of 49.995 = 6.249375 → 6.25; net 43.75.
    expect(
      dealPriceRealisation({
        amount: null,
        lineItems: [{ price: '33.33', quantity: '1.5', hs_discount_percentage: '12.5' }],
      }),
    ).toMatchObject({
      grossCents: 5_000,
      netCents: 4_375,
      discountCents: 625,
      lineDiscountCents: 625,
    });
  });

  it.each<[string, Parameters<typeof lineItemCents>[0], { gross: number; discount: number }]>([
    ['no quantity means one', { price: '10.005' }, { gross: 1_001, discount: 0 }],
    [
      'an amount off wins over a percentage',
      { price: '100', quantity: 2, discount: '5', hs_discount_percentage: '50' },
      { gross: 20_000, discount: 1_000 },
    ],
    [
      'a zero amount off lets the percentage apply',
      { price: '100', quantity: 2, discount: '0', hs_discount_percentage: '50' },
      { gross: 20_000, discount: 10_000 },
    ],
    ['numbers as well as strings', { price: 0.1, quantity: 3 }, { gross: 30, discount: 0 }],
    [
      'a 100 % discount',
      { price: '80', quantity: '1', hs_discount_percentage: '100' },
      { gross: 8_000, discount: 8_000 },
    ],
    ['many decimals', { price: '0.3333333', quantity: '3' }, { gross: 100, discount: 0 }],
    [
      "HubSpot's calculated total discount wins over the unit amount and the percentage",
      {
        price: '100',
        quantity: '3',
        discount: '5',
        hs_discount_percentage: '50',
        hs_total_discount: '12.345',
      },
      { gross: 30_000, discount: 1_235 },
    ],
    [
      'an empty total discount lets the unit amount apply',
      { price: '100', quantity: '3', discount: '5', hs_total_discount: '' },
      { gross: 30_000, discount: 1_500 },
    ],
  ])('line: %s', (_label, line, expected) => {
    expect(lineItemCents(line)).toEqual(expected);
  });

  it('sums several lines and ignores lines without a price', () => {
    expect(
      dealPriceRealisation({
        amount: '1000',
        lineItems: [
          { price: '600', quantity: '1' },
          { price: '250', quantity: '2', hs_discount_percentage: '10' },
          { price: null, quantity: '5' },
        ],
      }),
    ).toEqual({
      grossCents: 110_000,
      netCents: 100_000,
      discountCents: 10_000,
      lineDiscountCents: 5_000,
      dealDiscountCents: 5_000,
      source: 'line_items',
    });
  });

  it('falls back to the list-price property', () => {
    expect(dealPriceRealisation({ amount: '1200.50', listPrice: '1500' })).toEqual({
      grossCents: 150_000,
      netCents: 120_050,
      discountCents: 29_950,
      lineDiscountCents: 0,
      dealDiscountCents: 29_950,
      source: 'list_price',
    });
  });

  it('reports a sale above list as a negative discount', () => {
    expect(dealPriceRealisation({ amount: 120, listPrice: 100 })).toMatchObject({
      discountCents: -2_000,
      dealDiscountCents: -2_000,
    });
  });

  it('reports no discount without line items or list price', () => {
    expect(dealPriceRealisation({ amount: '999.99' })).toEqual({
      grossCents: 99_999,
      netCents: 99_999,
      discountCents: 0,
      lineDiscountCents: 0,
      dealDiscountCents: 0,
      source: 'none',
    });
  });

  it.each(['abc', '1,000.00', '.', '1e5x'])('refuses the amount %p', (amount) => {
    expect(() => dealPriceRealisation({ amount })).toThrow(/is not a decimal number/);
  });
});

describe('attributePriceRealisation', () => {
  const realisation = dealPriceRealisation({
    amount: '549.97',
    lineItems: [{ price: '199.99', quantity: '3', discount: '10' }],
  });

  it('splits the discount with the revenue, to the cent', () => {
    // 50.00 over 274.99 / 274.98: quotas 25.0005 / 24.9995 → 25.00 / 24.99 + the leftover cent to the larger
    // remainder (the second).
    expect(attributePriceRealisation(realisation, [27_499, 27_498])).toEqual([
      { netCents: 27_499, discountCents: 2_500, grossCents: 29_999 },
      { netCents: 27_498, discountCents: 2_500, grossCents: 29_998 },
    ]);
  });

  it('splits a 100 % discount evenly', () => {
    const free = dealPriceRealisation({ amount: '0', listPrice: '100' });
    expect(attributePriceRealisation(free, [0, 0, 0]).map((c) => c.discountCents)).toEqual([
      3_334, 3_333, 3_333,
    ]);
  });

  it('refuses credits that are not the whole deal', () => {
    expect(() => attributePriceRealisation(realisation, [27_499])).toThrow(/sum to 27499 cents/);
  });

  it('keeps every column summing to the deal, whatever the split (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: -1_000_000, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 30 }),
        (net, discount, weights) => {
          const deal = {
            grossCents: net + discount,
            netCents: net,
            discountCents: discount,
            lineDiscountCents: 0,
            dealDiscountCents: discount,
            source: 'list_price' as const,
          };
          const credits = attributePriceRealisation(deal, allocateCents(net, weights));
          const sum = (pick: (c: (typeof credits)[number]) => number) =>
            credits.reduce((acc, c) => acc + pick(c), 0);
          expect(sum((c) => c.netCents)).toBe(net);
          expect(sum((c) => c.discountCents)).toBe(discount);
          expect(sum((c) => c.grossCents)).toBe(net + discount);
          for (const c of credits) expect(c.grossCents).toBe(c.netCents + c.discountCents);
        },
      ),
    );
  });
});

describe('allocateCents', () => {
  it.each<[string, number, number[], number[]]>([
    ['exact shares', 100, [1, 1], [50, 50]],
    ['leftover to the largest remainder', 100, [1, 1, 1], [34, 33, 33]],
    ['a tie on remainders goes to the larger weight', 2, [1, 3], [0, 2]],
    ['then to the earlier share', 10, [1, 2, 1], [3, 5, 2]],
    ['zero weights split evenly', 5, [0, 0], [3, 2]],
    ['a zero weight gets nothing', 7, [0, 3], [0, 7]],
    ['negative totals mirror positive ones', -100, [1, 1, 1], [-34, -33, -33]],
    ['zero total', 0, [5, 7], [0, 0]],
  ])('%s', (_label, total, weights, expected) => {
    expect(allocateCents(total, weights)).toEqual(expected);
  });

  it('refuses weights that are not whole non-negative numbers', () => {
    expect(() => allocateCents(10, [1, -1])).toThrow(/weight -1/);
    expect(() => allocateCents(10, [0.5])).toThrow(/weight 0.5/);
    expect(() => allocateCents(10, [])).toThrow(/no shares/);
    expect(() => allocateCents(1.5, [1])).toThrow(/whole number/);
  });

  it('sums to the total and keeps each share within a cent of its quota (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 50 }),
        (total, weights) => {
          const shares = allocateCents(total, weights);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
          const sum = weights.reduce((a, b) => a + b, 0);
          shares.forEach((share, i) => {
            const quota = sum === 0 ? total / weights.length : (total * weights[i]!) / sum;
            expect(Math.abs(share - quota)).toBeLessThan(1 + 1e-6 * Math.abs(quota));
          });
        },
      ),
    );
  });
});

describe('creditRowsForDeal', () => {
  it('carries the discount with each touch of one model, to the cent', () => {
    const realisation = dealPriceRealisation({ amount: '1000', listPrice: '1200' });
    const rows = creditRowsForDeal(
      { dealId: 'D1', currency: 'EUR', period: '2026-Q3', realisation },
      'linear',
      [
        { touchId: 'T1', campaign: 'webinar', channel: 'events', netCents: 33_334 },
        { touchId: 'T2', campaign: 'ads', channel: 'paid_search', netCents: 33_333 },
        { touchId: 'T3', campaign: 'webinar', channel: 'email', netCents: 33_333 },
      ],
    );
    expect(rows.map((r) => [r.touchId, r.netCents, r.discountCents, r.grossCents])).toEqual([
      ['T1', 33_334, 6_667, 40_001],
      ['T2', 33_333, 6_667, 40_000],
      ['T3', 33_333, 6_666, 39_999],
    ]);
    expect(rows[0]).toMatchObject({
      dealId: 'D1',
      model: 'linear',
      currency: 'EUR',
      period: '2026-Q3',
    });
  });

  it('refuses a split that is not the whole deal', () => {
    const realisation = dealPriceRealisation({ amount: '10' });
    expect(() =>
      creditRowsForDeal({ dealId: 'D', currency: 'EUR', period: '2026-Q3', realisation }, 'first', [
        { touchId: 'T', campaign: null, channel: 'direct', netCents: 999 },
      ]),
    ).toThrow(/999 cents/);
  });
});
