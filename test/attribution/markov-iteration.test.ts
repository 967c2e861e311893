import { existsSync } from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';

import { readPathFile } from '../../server/attribution/path-file';
import {
  absorptionFromStart,
  markovAttribution,
  MarkovChainBuilder,
  type MarkovSolver,
} from '../../src/attribution/attribution-markov';
import type { CompressedChain } from '../../src/attribution/markov-absorption';
import { AbsorptionIteration } from '../../src/attribution/markov-iteration';
import { ROOT } from '../helpers/process';

/** A small dense chain: q[s][t] transition probabilities, exits, start, two right-hand sides. */
interface DenseChain {
  readonly q: number[][];
  readonly exit: number[];
  readonly start: number[];
  readonly rhs: number[][];
}

/** Solves a x = y by Gaussian elimination with partial pivoting (a is n × n, copied). */
function solveDense(a: number[][], y: number[]): number[] {
  const n = y.length;
  const m = a.map((row, i) => [...row, y[i] as number]);
  for (let k = 0; k < n; k += 1) {
    let pivot = k;
    for (let i = k + 1; i < n; i += 1) if (Math.abs(m[i]![k]!) > Math.abs(m[pivot]![k]!)) pivot = i;
    [m[k], m[pivot]] = [m[pivot]!, m[k]!];
    for (let i = k + 1; i < n; i += 1) {
      const f = m[i]![k]! / m[k]![k]!;
      for (let j = k; j <= n; j += 1) m[i]![j] = m[i]![j]! - f * m[k]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i -= 1) {
    let s = m[i]![n]!;
    for (let j = i + 1; j < n; j += 1) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

/** π0 · x for each right-hand side, with the `dead` states absorbing at value 0. */
function denseValues(chain: DenseChain, dead: boolean[]): number[] {
  const a = chain.q.map((row, s) =>
    row.map((q, t) => (dead[s] ? (s === t ? 1 : 0) : (s === t ? 1 : 0) - q)),
  );
  return chain.rhs.map((b) => {
    const x = solveDense(
      a,
      b.map((value, s) => (dead[s] ? 0 : value)),
    );
    return chain.start.reduce((total, p, s) => total + p * x[s]!, 0);
  });
}

/** Expected visits to each state from the start (no dead ends): the solution of (I − Q)ᵀ w = π0. */
function denseVisits(chain: DenseChain): number[] {
  const transposed = chain.q.map((_, t) =>
    chain.q.map((row, s) => (s === t ? 1 : 0) - (row[t] as number)),
  );
  // The margin covers the reference's own rounding.
  return solveDense(transposed, chain.start).map((w) => w * (1 + 1e-9));
}

function compress(chain: DenseChain): CompressedChain {
  const n = chain.start.length;
  const rowStart = new Int32Array(n + 2);
  const columns: number[] = [];
  const probabilities: number[] = [];
  for (let s = 0; s <= n; s += 1) {
    rowStart[s] = columns.length;
    const row = s < n ? (chain.q[s] as number[]) : chain.start;
    row.forEach((q, t) => {
      if (q !== 0) {
        columns.push(t);
        probabilities.push(q);
      }
    });
  }
  rowStart[n + 1] = columns.length;
  return {
    size: n,
    rowStart,
    columns: Int32Array.from(columns),
    probabilities: Float64Array.from(probabilities),
    exit: chain.exit,
    rhs: chain.rhs,
  };
}

/**
 * A random absorbing chain (every state leaves with positive probability; no self-loops, as in journey
 * chains, where repeated states are collapsed) with a conversion-like and a value-like right-hand side, and
 * a random set of dead ends.
 */
const chainArb: fc.Arbitrary<{ chain: DenseChain; dead: boolean[] }> = fc
  .integer({ min: 1, max: 14 })
  .chain((n) =>
    fc.record({
      rows: fc.array(
        fc.record({
          edges: fc.array(fc.tuple(fc.nat(n - 1), fc.integer({ min: 1, max: 30 })), {
            maxLength: 5,
          }),
          exit: fc.integer({ min: 1, max: 10 }),
          converting: fc.integer({ min: 0, max: 10 }),
          value: fc.integer({ min: 0, max: 5000 }),
        }),
        { minLength: n, maxLength: n },
      ),
      start: fc.array(fc.tuple(fc.nat(n - 1), fc.integer({ min: 1, max: 9 })), {
        minLength: 1,
        maxLength: n,
      }),
      dead: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    }),
  )
  .map(({ rows, start, dead }) => {
    const n = rows.length;
    const q = rows.map(({ edges, exit }, s) => {
      const row = new Array<number>(n).fill(0);
      for (const [t, w] of edges) if (t !== s) row[t] = (row[t] as number) + w;
      const total = exit + row.reduce((a, b) => a + b, 0);
      return row.map((w) => w / total);
    });
    const totals = rows.map(
      ({ edges, exit }, s) => exit + edges.reduce((a, [t, w]) => (t === s ? a : a + w), 0),
    );
    const startRow = new Array<number>(n).fill(0);
    const startTotal = start.reduce((a, [, w]) => a + w, 0);
    for (const [t, w] of start) startRow[t] = (startRow[t] as number) + w / startTotal;
    return {
      chain: {
        q,
        exit: rows.map(({ exit }, s) => exit / (totals[s] as number)),
        start: startRow,
        rhs: [
          rows.map(({ exit, converting }, s) => (exit * converting) / 10 / (totals[s] as number)),
          rows.map(({ exit, value }, s) => (exit * value) / (totals[s] as number)),
        ],
      },
      dead,
    };
  });

const deadMask = (dead: boolean[]) => Uint8Array.from(dead, (d) => (d ? 1 : 0));

describe('certified iteration on random chains', () => {
  it('agrees with dense elimination to 1e-12 relative, with every bound at most 1e-13 relative and holding', () => {
    let certified = 0;
    fc.assert(
      fc.property(chainArb, ({ chain, dead }) => {
        const visits = denseVisits(chain);
        const iteration = new AbsorptionIteration(compress(chain), visits);
        const solved = iteration.solve(deadMask(dead), { maxSweeps: 100_000 });
        // The certifiable floor is a few ulps × the expected number of steps; walks in journey data take a
        // handful, and up to 20 the bound must close.
        if (visits.reduce((a, b) => a + b, 0) <= 20) expect(solved).toBeDefined();
        if (solved === undefined) return;
        certified += 1;
        const reference = denseValues(chain, dead);
        reference.forEach((want, r) => {
          const got = solved.values[r] as number;
          const bound = solved.bounds[r] as number;
          expect(bound).toBeLessThanOrEqual(1e-13 * Math.abs(got));
          // The dense reference carries its own rounding, a few ulps here.
          expect(Math.abs(got - want)).toBeLessThanOrEqual(bound + 1e-14 * Math.abs(want));
          expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
        });
      }),
      { numRuns: 300 },
    );
    expect(certified).toBeGreaterThan(250);
  });

  it('bounds the true error also when stopped early with a loose tolerance', () => {
    let inexact = 0;
    fc.assert(
      fc.property(chainArb, ({ chain, dead }) => {
        const iteration = new AbsorptionIteration(compress(chain), denseVisits(chain));
        const solved = iteration.solve(deadMask(dead), {
          relativeTolerance: 1e-3,
          maxSweeps: 100_000,
        });
        const reference = denseValues(chain, dead);
        reference.forEach((want, r) => {
          const error = Math.abs((solved?.values[r] as number) - want);
          if (error > 1e-12 * Math.abs(want)) inexact += 1;
          expect(error).toBeLessThanOrEqual((solved?.bounds[r] as number) + 1e-14 * Math.abs(want));
          expect(solved?.bounds[r]).toBeLessThanOrEqual(1e-3 * Math.abs(solved?.values[r] ?? 0));
        });
      }),
      { numRuns: 300 },
    );
    // Otherwise the test above would not have tested a bound that matters.
    expect(inexact).toBeGreaterThan(20);
  });

  it('gives up (undefined) rather than return an uncertified value when the budget is too small', () => {
    // Two states passing the walk back and forth, leaving with probability 1/100 each step: the error
    // shrinks by 0.99² per sweep, so 1e-13 takes about 1,500 sweeps.
    const chain: DenseChain = {
      q: [
        [0, 0.99],
        [0.99, 0],
      ],
      exit: [0.01, 0.01],
      start: [1, 0],
      rhs: [[0.01, 0]],
    };
    const iteration = new AbsorptionIteration(compress(chain), denseVisits(chain));
    expect(iteration.solve(null)).toBeUndefined();
    // Allowed the sweeps, it certifies, though only to 1e-12: with 100 expected steps, a few ulps of
    // residual per state add up to about 1e-13.
    const patient = iteration.solve(null, { maxSweeps: 100_000, relativeTolerance: 1e-12 });
    expect(patient?.bounds[0]).toBeLessThanOrEqual(1e-12 * (patient?.values[0] ?? NaN));
    expect(patient?.values[0]).toBeCloseTo(denseValues(chain, [false, false])[0] as number, 12);
  });
});

/** Paths a>b>a>b>… bounce for thousands of steps: the order-1 chain mixes too slowly to iterate. */
function slowChain(): MarkovChainBuilder {
  const chain = new MarkovChainBuilder(1);
  const bouncing = Array.from({ length: 4000 }, (_, i) => i % 2);
  chain.add(bouncing, bouncing.length, 1, 100, 1);
  chain.add([0, 2], 2, 2, 50, 1);
  chain.add([2], 1, 1, 20, 3);
  return chain;
}

describe('Markov removal solvers', () => {
  it('falls back to elimination when the iteration cannot certify in its budget', () => {
    const chain = slowChain();
    expect(() => absorptionFromStart(chain, 2, 'iteration')).toThrow(/did not reach its bound/);
    const auto = markovAttribution(chain, 3);
    const eliminated = markovAttribution(chain, 3, 'elimination');
    auto.credits.forEach((credit, channel) => {
      const want = eliminated.credits[channel];
      expect(Math.abs(credit.conversions - (want?.conversions ?? NaN))).toBeLessThan(1e-9);
      expect(Math.abs(credit.value - (want?.value ?? NaN))).toBeLessThan(1e-9);
    });
  });

  const pathRowsArb = fc.array(
    fc.record({
      path: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 7 }),
      conversions: fc.integer({ min: 0, max: 5 }),
      value: fc.integer({ min: 0, max: 500 }),
      nulls: fc.integer({ min: 0, max: 5 }),
    }),
    { minLength: 1, maxLength: 30 },
  );

  it.each([1, 2, 3, 4])(
    'order %i: iteration and elimination agree to 1e-12 relative on every removal of random journeys',
    (order) => {
      fc.assert(
        fc.property(pathRowsArb, (rows) => {
          const chain = new MarkovChainBuilder(order);
          for (const row of rows) {
            chain.add(
              row.path,
              row.path.length,
              row.conversions,
              row.conversions > 0 ? row.value : 0,
              row.nulls,
            );
          }
          fc.pre(chain.stateCount > 0);
          for (let channel = 0; channel < 5; channel += 1) {
            const iterated = absorptionFromStart(chain, channel, 'iteration');
            const eliminated = absorptionFromStart(chain, channel, 'elimination');
            iterated.forEach((got, r) => {
              const want = eliminated[r] as number;
              expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
            });
          }
        }),
        { numRuns: 100 },
      );
    },
  );
});

const DEMO = path.resolve(ROOT, '../shared/data/channel-paths/paths-demo.csv');
const present = existsSync(DEMO);
if (!present) {
  process.stdout.write(`[truce] Markov solvers on the demo paths: SKIPPED (${DEMO} is absent)\n`);
}

(present ? describe : describe.skip)('Markov removal solvers on the demo paths', () => {
  const chains = new Map<number, { chain: MarkovChainBuilder; channels: number }>();

  beforeAll(async () => {
    const ids = new Map<string, number>();
    const built = [1, 2, 3, 4].map((order) => new MarkovChainBuilder(order));
    await readPathFile(DEMO, {}, (row) => {
      const channels = row.channels.map((name) => {
        if (!ids.has(name)) ids.set(name, ids.size);
        return ids.get(name) as number;
      });
      for (const chain of built)
        chain.add(channels, channels.length, row.conversions, row.value, row.nulls);
    });
    for (const chain of built) chains.set(chain.order, { chain, channels: ids.size });
  });

  it.each([1, 2, 3, 4])(
    'order %i: every removal certifies and agrees with elimination to 1e-12 relative',
    (order) => {
      const { chain, channels } = chains.get(order) as {
        chain: MarkovChainBuilder;
        channels: number;
      };
      for (let channel = 0; channel < channels; channel += 1) {
        const iterated = absorptionFromStart(chain, channel, 'iteration');
        const eliminated = absorptionFromStart(chain, channel, 'elimination');
        iterated.forEach((got, r) => {
          const want = eliminated[r] as number;
          expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
        });
      }
    },
  );

  it.each([1, 2, 3, 4])(
    'order %i: removal effects agree to 1e-12 and credits to 1e-12 of the totals',
    (order) => {
      const { chain, channels } = chains.get(order) as {
        chain: MarkovChainBuilder;
        channels: number;
      };
      const solvers: MarkovSolver[] = ['auto', 'elimination'];
      const [auto, eliminated] = solvers.map((solver) =>
        markovAttribution(chain, channels, solver),
      );
      auto?.credits.forEach((credit, channel) => {
        const want = eliminated?.credits[channel];
        expect(
          Math.abs(credit.removalEffectConversions - (want?.removalEffectConversions ?? NaN)),
        ).toBeLessThanOrEqual(1e-12);
        expect(
          Math.abs(credit.removalEffectValue - (want?.removalEffectValue ?? NaN)),
        ).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(credit.conversions - (want?.conversions ?? NaN))).toBeLessThanOrEqual(
          1e-12 * (auto?.totalConversions ?? NaN),
        );
        expect(Math.abs(credit.value - (want?.value ?? NaN))).toBeLessThanOrEqual(
          1e-12 * (auto?.totalValue ?? NaN),
        );
      });
    },
  );
});
