import fc from 'fast-check';

import { fractionsOf, integerWeights, splitCents } from '../../src/attribution/money-split';

describe('splitCents', () => {
  it.each([
    { name: 'even split', amount: 900, weights: [1n, 1n, 1n], expected: [300, 300, 300] },
    {
      name: 'one leftover cent to the first of equal shares',
      amount: 100,
      weights: [1n, 1n, 1n],
      expected: [34, 33, 33],
    },
    {
      name: 'leftover to the largest remainder',
      amount: 10_000,
      weights: [1n, 2n],
      expected: [3333, 6667],
    },
    {
      name: 'tie on remainder goes to the larger weight',
      amount: 1,
      weights: [1n, 3n, 1n, 3n],
      expected: [0, 1, 0, 0],
    },
    { name: 'zero weight gets nothing', amount: 5, weights: [0n, 1n], expected: [0, 5] },
    { name: 'one cent over three', amount: 1, weights: [1n, 1n, 1n], expected: [1, 0, 0] },
    { name: 'zero amount', amount: 0, weights: [1n, 2n], expected: [0, 0] },
  ])('$name', ({ amount, weights, expected }) => {
    expect(splitCents(amount, weights)).toEqual(expected);
  });

  it('refuses negative amounts, fractional cents and all-zero weights', () => {
    expect(() => splitCents(-1, [1n])).toThrow(/non-negative/);
    expect(() => splitCents(1.5, [1n])).toThrow(/whole number/);
    expect(() => splitCents(1, [0n, 0n])).toThrow(/zero/);
  });

  it('always adds up to the amount, never goes negative, and never differs from the exact share by a cent or more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.array(fc.bigInt({ min: 0n, max: 1n << 60n }), { minLength: 1, maxLength: 12 }),
        (amount, weights) => {
          fc.pre(weights.some((weight) => weight > 0n));
          const parts = splitCents(amount, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(amount);
          const total = weights.reduce((a, b) => a + b, 0n);
          parts.forEach((part, i) => {
            expect(part).toBeGreaterThanOrEqual(0);
            const exact = Number(BigInt(amount) * (weights[i] as bigint)) / Number(total);
            expect(Math.abs(part - exact)).toBeLessThan(1 + 1e-6 * amount);
          });
        },
      ),
    );
  });
});

describe('integerWeights and fractionsOf', () => {
  it('keeps the ratios of float weights', () => {
    const weights = integerWeights([0.5, 1, 0.25, 0]);
    expect(weights).toEqual([1n << 51n, 1n << 52n, 1n << 50n, 0n]);
    expect(fractionsOf(weights)).toEqual(
      [2 / 7, 4 / 7, 1 / 7, 0].map((f) => expect.closeTo(f, 15)),
    );
  });

  it('refuses negative or non-finite weights', () => {
    expect(() => integerWeights([1, -1])).toThrow(/non-negative/);
    expect(() => integerWeights([Number.NaN])).toThrow(/finite/);
  });
});
