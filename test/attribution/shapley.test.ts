import fc from 'fast-check';

import {
  MAX_EXACT_PLAYERS,
  RateShapleyAccumulator,
  SetShapleyAccumulator,
  ShapleyLimitError,
} from '../../src/attribution/attribution-shapley';

interface Row {
  path: number[];
  conversions: number;
  value: number;
  nulls: number;
}

/** Shapley values by averaging marginal contributions over every order of the players. */
function bruteForceShapley(n: number, game: (coalition: Set<number>) => number): number[] {
  const phi = new Array<number>(n).fill(0);
  let orders = 0;
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      orders += 1;
      const coalition = new Set<number>();
      for (const player of prefix) {
        const before = game(coalition);
        coalition.add(player);
        phi[player] = (phi[player] as number) + game(coalition) - before;
      }
      return;
    }
    rest.forEach((player, i) =>
      permute([...prefix, player], [...rest.slice(0, i), ...rest.slice(i + 1)]),
    );
  };
  permute(
    [],
    Array.from({ length: n }, (_, i) => i),
  );
  return phi.map((value) => value / orders);
}

const within = (row: Row, coalition: Set<number>) => row.path.every((c) => coalition.has(c));

const rowsArb = (players: number) =>
  fc.array(
    fc.record({
      path: fc.array(fc.nat(players - 1), { minLength: 1, maxLength: 6 }),
      conversions: fc.integer({ min: 0, max: 9 }),
      value: fc.integer({ min: 0, max: 900 }),
      nulls: fc.integer({ min: 0, max: 9 }),
    }),
    { minLength: 1, maxLength: 15 },
  );

describe('set-based Shapley (Zhao et al.)', () => {
  it('equals the Shapley value of the "conversions of journeys within S" game', () => {
    fc.assert(
      fc.property(rowsArb(5), (rows) => {
        const accumulator = new SetShapleyAccumulator();
        for (const row of rows)
          accumulator.add(row.path, row.path.length, row.conversions, row.value);
        const credits = accumulator.credits(5);
        const expected = bruteForceShapley(5, (s) =>
          rows.filter((row) => within(row, s)).reduce((sum, row) => sum + row.conversions, 0),
        );
        credits.forEach((credit, i) =>
          expect(credit.conversions).toBeCloseTo(expected[i] as number, 9),
        );
      }),
      { numRuns: 50 },
    );
  });

  it('splits a journey equally over its distinct channels, however often each appears', () => {
    const accumulator = new SetShapleyAccumulator();
    accumulator.add([0, 0, 1, 0], 4, 3, 30);
    expect(accumulator.credits(2)).toEqual([
      { conversions: 1.5, value: 15 },
      { conversions: 1.5, value: 15 },
    ]);
  });
});

describe('conversion-rate Shapley', () => {
  it('equals the brute-force Shapley value of the rate game, rescaled to the total conversions', () => {
    fc.assert(
      fc.property(rowsArb(4), (rows) => {
        const accumulator = new RateShapleyAccumulator();
        for (const row of rows)
          accumulator.add(row.path, row.path.length, row.conversions, row.value, row.nulls);
        const rate = (s: Set<number>) => {
          const inside = rows.filter((row) => within(row, s));
          const journeys = inside.reduce((sum, row) => sum + row.conversions + row.nulls, 0);
          return journeys > 0
            ? inside.reduce((sum, row) => sum + row.conversions, 0) / journeys
            : 0;
        };
        const all = new Set([0, 1, 2, 3]);
        const grand = rate(all);
        const total = rows
          .filter((r) => r.conversions + r.nulls > 0)
          .reduce((sum, row) => sum + row.conversions, 0);
        const expected = bruteForceShapley(4, rate).map((phi) =>
          grand > 0 ? (phi / grand) * total : 0,
        );
        const credits = accumulator.credits(4);
        credits.forEach((credit, i) =>
          expect(credit.conversions).toBeCloseTo(expected[i] as number, 9),
        );
        if (grand > 0) {
          expect(credits.reduce((sum, c) => sum + c.conversions, 0)).toBeCloseTo(total, 9);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('credits a channel that only appears on non-converting journeys negatively', () => {
    const accumulator = new RateShapleyAccumulator();
    accumulator.add([0], 1, 5, 0, 5); // a alone converts half the time
    accumulator.add([0, 1], 2, 0, 0, 10); // with b, never
    const [a, b] = accumulator.credits(2);
    expect(b?.conversions).toBeLessThan(0);
    expect((a?.conversions ?? 0) + (b?.conversions ?? 0)).toBeCloseTo(5, 12);
  });

  it(`refuses more than ${MAX_EXACT_PLAYERS} channels instead of approximating`, () => {
    const accumulator = new RateShapleyAccumulator();
    const path = Array.from({ length: MAX_EXACT_PLAYERS + 1 }, (_, i) => i);
    accumulator.add(path, path.length, 1, 1, 1);
    expect(() => accumulator.credits(MAX_EXACT_PLAYERS + 1)).toThrow(ShapleyLimitError);
    expect(() => accumulator.credits(MAX_EXACT_PLAYERS + 1)).toThrow(
      /up to 20 channels; this data has 21/,
    );
  });

  it('is exact at the limit of 20 channels', () => {
    const accumulator = new RateShapleyAccumulator();
    for (let i = 0; i < MAX_EXACT_PLAYERS; i += 1) accumulator.add([i], 1, i % 2, 0, 1);
    const credits = accumulator.credits(MAX_EXACT_PLAYERS);
    // Journeys with a single channel: adding channel i adds one journey converting i % 2 of the time.
    expect(credits[0]?.conversions).toBeLessThan(credits[1]?.conversions as number);
    expect(credits.reduce((sum, c) => sum + c.conversions, 0)).toBeCloseTo(10, 9);
  });
});
