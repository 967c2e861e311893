import fc from 'fast-check';

import {
  absorptionFromStart,
  markovAttribution,
  MarkovChainBuilder,
} from '../../src/attribution/attribution-markov';
import { type AbsorbingChain, solveFromStart } from '../../src/attribution/markov-absorption';
import { PathAggregate } from '../../src/attribution/path-aggregate';

function markov(rows: Array<[string, number, number, number]>, order = 1) {
  const aggregate = new PathAggregate({ models: ['markov'], orders: [order] });
  for (const [path, conversions, value, nulls] of rows) {
    aggregate.add(
      path.split('>').map((c) => c.trim()),
      conversions,
      value,
      nulls,
    );
  }
  const [result] = aggregate.results();
  return Object.fromEntries(aggregate.keys.map((key, id) => [key, result?.credits[id]]));
}

describe('Markov removal effect: the hand-checked toy', () => {
  /*
   * Paths (conversions, value, non-conversions): A>B (1, 10, 0), A (0, 0, 1), B>A (1, 4, 1), C (1, 6, 0).
   * Order 1 chain: start→A 2/5, start→B 2/5, start→C 1/5; A→B 1/4, A→conv 1/4, A→null 2/4;
   * B→A 2/3, B→conv 1/3; C→conv 1.
   * P(conv): x_A = 1/4 + x_B/4, x_B = 1/3 + 2x_A/3 → x_A = 2/5, x_B = 3/5; P = 2/5·2/5 + 2/5·3/5 + 1/5 = 3/5.
   * Without A: x_B = 1/3, P = 2/15 + 1/5 = 1/3, RE_A = 1 − (1/3)/(3/5) = 4/9.
   * Without B: x_A = 1/4, P = 1/10 + 1/5 = 3/10, RE_B = 1/2.  Without C: P = 2/5, RE_C = 1/3.
   * Σ RE = 23/18 → credits ×3 conversions: A 24/23, B 27/23, C 18/23.
   * Value, m_A = 4, m_B = 10, m_C = 6: y_A = 1 + y_B/4, y_B = 10/3 + 2y_A/3 → y_A = 11/5, y_B = 24/5;
   * V = 2/5·11/5 + 2/5·24/5 + 1/5·6 = 4 (= 20 value / 5 journeys).
   * Without A: V = 2/5·10/3 + 6/5 = 38/15, REV_A = 11/30. Without B: V = 2/5 + 6/5 = 8/5, REV_B = 3/5.
   * Without C: V = 14/5, REV_C = 3/10. Σ REV = 19/15 → ×20 value: A 110/19, B 180/19, C 90/19.
   */
  const rows: Array<[string, number, number, number]> = [
    ['A > B', 1, 10, 0],
    ['A', 0, 0, 1],
    ['B > A', 1, 4, 1],
    ['C', 1, 6, 0],
  ];

  it('matches the fractions worked out by hand to 1e-9', () => {
    const credits = markov(rows);
    const expected = {
      A: { re: 4 / 9, rev: 11 / 30, conversions: 24 / 23, value: 110 / 19 },
      B: { re: 1 / 2, rev: 3 / 5, conversions: 27 / 23, value: 180 / 19 },
      C: { re: 1 / 3, rev: 3 / 10, conversions: 18 / 23, value: 90 / 19 },
    };
    for (const [channel, want] of Object.entries(expected)) {
      const got = credits[channel];
      expect(Math.abs((got?.removalEffectConversions ?? NaN) - want.re)).toBeLessThan(1e-9);
      expect(Math.abs((got?.removalEffectValue ?? NaN) - want.rev)).toBeLessThan(1e-9);
      expect(Math.abs((got?.conversions ?? NaN) - want.conversions)).toBeLessThan(1e-9);
      expect(Math.abs((got?.value ?? NaN) - want.value)).toBeLessThan(1e-9);
    }
  });

  it.each(['iteration', 'elimination'] as const)(
    'the %s solver alone matches the same fractions to 1e-9',
    (solver) => {
      const chain = new MarkovChainBuilder(1);
      const ids: Record<string, number> = { A: 0, B: 1, C: 2 };
      for (const [path, conversions, value, nulls] of rows) {
        const channels = path.split('>').map((c) => ids[c.trim()] as number);
        chain.add(channels, channels.length, conversions, value, nulls);
      }
      const credits = markovAttribution(chain, 3, solver).credits;
      const expected = [
        { re: 4 / 9, rev: 11 / 30, conversions: 24 / 23, value: 110 / 19 },
        { re: 1 / 2, rev: 3 / 5, conversions: 27 / 23, value: 180 / 19 },
        { re: 1 / 3, rev: 3 / 10, conversions: 18 / 23, value: 90 / 19 },
      ];
      expected.forEach((want, channel) => {
        const got = credits[channel];
        expect(Math.abs((got?.removalEffectConversions ?? NaN) - want.re)).toBeLessThan(1e-9);
        expect(Math.abs((got?.removalEffectValue ?? NaN) - want.rev)).toBeLessThan(1e-9);
        expect(Math.abs((got?.conversions ?? NaN) - want.conversions)).toBeLessThan(1e-9);
        expect(Math.abs((got?.value ?? NaN) - want.value)).toBeLessThan(1e-9);
      });
    },
  );

  it('collapses repeated channels at order 1 (A > A > B is A > B)', () => {
    const repeated = markov([['A > A > B', 1, 10, 0], ...rows.slice(1)]);
    const plain = markov(rows);
    for (const channel of ['A', 'B', 'C']) {
      expect(repeated[channel]?.conversions).toBeCloseTo(plain[channel]?.conversions as number, 12);
    }
  });

  it('gives the same answer for aggregated and repeated rows', () => {
    const split = markov([...rows, ['A > B', 1, 10, 0]]);
    const merged = markov([['A > B', 2, 20, 0], ...rows.slice(1)]);
    for (const channel of ['A', 'B', 'C']) {
      expect(split[channel]?.value).toBeCloseTo(merged[channel]?.value as number, 12);
    }
  });
});

describe('order-k states', () => {
  it('slides windows of k, keeps short paths whole, collapses repeated windows', () => {
    const chain = new MarkovChainBuilder(2);
    chain.add([0, 1, 2], 3, 1, 5, 0); // (0,1) → (1,2) → conv
    chain.add([3], 1, 0, 0, 2); // (3) → null
    chain.add([0, 0, 0, 1], 4, 1, 1, 1); // (0,0) → (0,0) collapsed → (0,1)
    expect(chain.stateChannels).toEqual([[0, 1], [1, 2], [3], [0, 0]]);
    expect([...chain.start]).toEqual([
      [0, 1],
      [2, 2],
      [3, 2],
    ]);
    expect([...(chain.transitions[0] as Map<number, number>)]).toEqual([[1, 1]]);
    expect([...(chain.transitions[3] as Map<number, number>)]).toEqual([[0, 2]]);
    expect(chain.conversions).toEqual([1, 1, 0, 0]);
    expect(chain.nulls).toEqual([1, 0, 2, 0]);
  });

  it('refuses orders outside 1–4', () => {
    expect(() => new MarkovChainBuilder(0)).toThrow(/1 to 4/);
    expect(() => new MarkovChainBuilder(5)).toThrow(/1 to 4/);
  });
});

/** Dense reference: Gaussian elimination with partial pivoting on (I − Q) x = b, then π0 · x. */
function denseSolve(chain: AbsorbingChain): number[] {
  const n = chain.size;
  return chain.rhs.map((b) => {
    const a = Array.from({ length: n }, (_, i) => {
      const row = new Array<number>(n + 1).fill(0);
      row[i] = 1;
      for (const [j, q] of chain.transitions[i] as ReadonlyMap<number, number>)
        row[j] = (row[j] as number) - q;
      row[n] = b[i] as number;
      return row;
    });
    for (let k = 0; k < n; k += 1) {
      let pivot = k;
      for (let i = k + 1; i < n; i += 1)
        if (Math.abs(a[i]![k]!) > Math.abs(a[pivot]![k]!)) pivot = i;
      [a[k], a[pivot]] = [a[pivot]!, a[k]!];
      for (let i = k + 1; i < n; i += 1) {
        const f = a[i]![k]! / a[k]![k]!;
        for (let j = k; j <= n; j += 1) a[i]![j] = a[i]![j]! - f * a[k]![j]!;
      }
    }
    const x = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i -= 1) {
      let s = a[i]![n]!;
      for (let j = i + 1; j < n; j += 1) s -= a[i]![j]! * x[j]!;
      x[i] = s / a[i]![i]!;
    }
    let total = 0;
    for (const [s, p] of chain.start) total += p * x[s]!;
    return total;
  });
}

/** A random absorbing chain: every state leaves with positive probability, so I − Q is invertible. */
const chainArb = (maxStates: number, maxDegree: number): fc.Arbitrary<AbsorbingChain> =>
  fc.integer({ min: 1, max: maxStates }).chain((n) =>
    fc
      .record({
        rows: fc.array(
          fc.record({
            edges: fc.array(fc.tuple(fc.nat(n - 1), fc.integer({ min: 1, max: 20 })), {
              maxLength: maxDegree,
            }),
            exit: fc.integer({ min: 1, max: 20 }),
            conversion: fc.integer({ min: 0, max: 20 }),
            value: fc.integer({ min: 0, max: 1000 }),
          }),
          { minLength: n, maxLength: n },
        ),
        start: fc.array(fc.tuple(fc.nat(n - 1), fc.integer({ min: 1, max: 10 })), {
          minLength: 1,
          maxLength: n,
        }),
      })
      .map(({ rows, start }) => {
        const transitions = rows.map(({ edges }, s) => {
          const map = new Map<number, number>();
          for (const [t, w] of edges) if (t !== s) map.set(t, (map.get(t) ?? 0) + w);
          return map;
        });
        const totals = rows.map(
          ({ exit }, s) =>
            exit + [...(transitions[s] as Map<number, number>).values()].reduce((a, b) => a + b, 0),
        );
        const startTotal = start.reduce((a, [, w]) => a + w, 0);
        const startMap = new Map<number, number>();
        for (const [t, w] of start) startMap.set(t, (startMap.get(t) ?? 0) + w / startTotal);
        return {
          size: n,
          transitions: transitions.map(
            (map, s) => new Map([...map].map(([t, w]) => [t, w / totals[s]!])),
          ),
          exit: rows.map(({ exit }, s) => exit / totals[s]!),
          start: startMap,
          rhs: [
            rows.map(({ exit, conversion }, s) => (exit * conversion) / 20 / totals[s]!),
            rows.map(({ value }, s) => value / totals[s]!),
          ],
        };
      }),
  );

describe('sparse absorption solver', () => {
  it('agrees with a dense solve on random small chains', () => {
    fc.assert(
      fc.property(chainArb(12, 4), (chain) => {
        const sparse = solveFromStart(chain);
        const dense = denseSolve(chain);
        sparse.forEach((value, i) =>
          expect(Math.abs(value - dense[i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(dense[i]!))),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a dense solve on dense chains (the dense phase of the elimination)', () => {
    fc.assert(
      fc.property(chainArb(60, 40), (chain) => {
        const sparse = solveFromStart(chain);
        const dense = denseSolve(chain);
        sparse.forEach((value, i) =>
          expect(Math.abs(value - dense[i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(dense[i]!))),
        );
      }),
      { numRuns: 40 },
    );
  });
});

const pathRowsArb = fc.array(
  fc.record({
    path: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 7 }),
    conversions: fc.integer({ min: 0, max: 5 }),
    value: fc.integer({ min: 0, max: 500 }),
    nulls: fc.integer({ min: 0, max: 5 }),
  }),
  { minLength: 1, maxLength: 30 },
);

describe('Markov properties', () => {
  it.each([1, 2, 3, 4])(
    'order %i: the full chain reproduces the observed conversion rate and value per journey; credits add up and are non-negative',
    (order) => {
      fc.assert(
        fc.property(pathRowsArb, (rows) => {
          const chain = new MarkovChainBuilder(order);
          const ids = { a: 0, b: 1, c: 2, d: 3, e: 4 } as Record<string, number>;
          let conversions = 0;
          let value = 0;
          let journeys = 0;
          for (const row of rows) {
            const v = row.conversions > 0 ? row.value : 0;
            chain.add(
              row.path.map((c) => ids[c]!),
              row.path.length,
              row.conversions,
              v,
              row.nulls,
            );
            conversions += row.conversions;
            value += v;
            journeys += row.conversions + row.nulls;
          }
          fc.pre(journeys > 0);
          const result = markovAttribution(chain, 5);
          // markovAttribution takes P and V of the full chain from the flow; the exact solve must agree.
          const [solvedP, solvedV] = absorptionFromStart(chain, null);
          expect(solvedP).toBeCloseTo(conversions / journeys, 10);
          expect(solvedV).toBeCloseTo(value / journeys, 8);
          expect(result.conversionProbability).toBeCloseTo(solvedP, 10);
          expect(result.expectedValue).toBeCloseTo(solvedV, 8);
          const sumC = result.credits.reduce((s, c) => s + c.conversions, 0);
          const sumV = result.credits.reduce((s, c) => s + c.value, 0);
          expect(sumC).toBeCloseTo(conversions, 8);
          expect(sumV).toBeCloseTo(value, 6);
          for (const credit of result.credits) {
            expect(credit.conversions).toBeGreaterThanOrEqual(-1e-9);
            expect(credit.removalEffectConversions).toBeGreaterThanOrEqual(-1e-9);
            expect(credit.removalEffectConversions).toBeLessThanOrEqual(1 + 1e-9);
            expect(credit.value).toBeGreaterThanOrEqual(-1e-9);
          }
        }),
        { numRuns: 100 },
      );
    },
  );
});
