import { solveCompressedFromStart } from './markov-absorption';
import { AbsorptionIteration } from './markov-iteration';

export const MAX_MARKOV_ORDER = 4;

/**
 * The order-k Markov chain of many journeys, folded one path at a time so the paths need not be kept.
 *
 * Semantics (PRODUCT.md, the same as ChannelAttribution's): states are windows of k consecutive touches
 * sliding by one, a path shorter than k is one state made of the whole path, consecutive identical states
 * are collapsed; every transition of a path (start → first state included) is weighted by its
 * conversions plus non-conversions, its last state → conversion by its conversions and → null by its
 * non-conversions.
 */
export class MarkovChainBuilder {
  private readonly stateIds = new Map<string, number>();
  /** Channel ids of each state, for removal. */
  readonly stateChannels: number[][] = [];
  readonly transitions: Array<Map<number, number>> = [];
  readonly start = new Map<number, number>();
  readonly conversions: number[] = [];
  readonly nulls: number[] = [];
  /** Conversion value of the paths whose last state this is. */
  readonly value: number[] = [];
  private readonly window: number[] = [];
  private readonly singleStates: number[] = [];

  constructor(readonly order: number) {
    if (!Number.isInteger(order) || order < 1 || order > MAX_MARKOV_ORDER) {
      throw new RangeError(`Markov order must be 1 to ${MAX_MARKOV_ORDER}, got ${order}`);
    }
  }

  get stateCount(): number {
    return this.stateChannels.length;
  }

  /** Adds one path of channel ids (first `length` entries of `channels`). */
  add(
    channels: ArrayLike<number>,
    length: number,
    conversions: number,
    value: number,
    nulls: number,
  ): void {
    const weight = conversions + nulls;
    if (weight === 0 || length === 0) return;
    const k = this.order;
    const windows = length <= k ? 1 : length - k + 1;
    let previous = -1;
    for (let begin = 0; begin < windows; begin += 1) {
      const state = this.stateOf(channels, begin, Math.min(begin + k, length));
      if (state === previous) continue;
      const row =
        previous === -1 ? this.start : (this.transitions[previous] as Map<number, number>);
      row.set(state, (row.get(state) ?? 0) + weight);
      previous = state;
    }
    this.conversions[previous] = (this.conversions[previous] as number) + conversions;
    this.nulls[previous] = (this.nulls[previous] as number) + nulls;
    this.value[previous] = (this.value[previous] as number) + value;
  }

  private stateOf(channels: ArrayLike<number>, from: number, to: number): number {
    let key: string;
    if (to - from === 1) {
      // One-channel states (every state at order 1) are looked up by channel id, without a string key.
      const known = this.singleStates[channels[from] as number];
      if (known !== undefined) return known;
      key = String(channels[from]);
    } else {
      const window = this.window;
      window.length = 0;
      for (let i = from; i < to; i += 1) window.push(channels[i] as number);
      key = window.join(',');
    }
    let state = this.stateIds.get(key);
    if (state === undefined) {
      state = this.stateChannels.length;
      this.stateIds.set(key, state);
      const members: number[] = [];
      for (let i = from; i < to; i += 1) members.push(channels[i] as number);
      if (members.length === 1) this.singleStates[members[0] as number] = state;
      this.stateChannels.push(members);
      this.transitions.push(new Map());
      this.conversions.push(0);
      this.nulls.push(0);
      this.value.push(0);
    }
    return state;
  }
}

/** Per channel: credit and removal effects, for conversions and for value. */
export interface MarkovCredit {
  readonly conversions: number;
  readonly value: number;
  readonly removalEffectConversions: number;
  readonly removalEffectValue: number;
}

export interface MarkovResult {
  /** P(conversion) and expected value per journey from start, on the full chain. */
  readonly conversionProbability: number;
  readonly expectedValue: number;
  readonly totalConversions: number;
  readonly totalValue: number;
  readonly stateCount: number;
  /** Indexed by channel id. */
  readonly credits: MarkovCredit[];
}

/**
 * Removal-effect attribution over `channelCount` channels: RE_c = 1 − P(convert without c)/P(convert),
 * where removing c makes every state containing c a non-converting dead end; credit_c = RE_c / Σ RE ×
 * total conversions. Value the same way with V = Σ_s visits_s × P(s → conversion) × m_s, m_s the mean
 * value per conversion of the paths ending in s.
 *
 * P and V of the full chain need no solve: every path leaves each state it enters, so the observed
 * counts are a flow that satisfies the chain's visit equations, whose solution is unique; hence P =
 * conversions / journeys and V = value / journeys exactly (`absorptionFromStart(chain, null)` solves it
 * anyway, and a test checks that the two agree). Only the one solve per removed channel is left: by
 * default (`auto`) an iteration that stops only when a certified bound puts P and V within 1e-13 relative of
 * the exact solution, with direct elimination when that bound does not close (see `MarkovSolver`).
 */
export function markovAttribution(
  chain: MarkovChainBuilder,
  channelCount: number,
  solver: MarkovSolver = 'auto',
): MarkovResult {
  let totalConversions = 0;
  let totalValue = 0;
  let journeys = 0;
  for (let s = 0; s < chain.stateCount; s += 1) {
    totalConversions += chain.conversions[s] as number;
    totalValue += chain.value[s] as number;
  }
  for (const weight of chain.start.values()) journeys += weight;
  const conversionProbability = journeys > 0 ? totalConversions / journeys : 0;
  const expectedValue = journeys > 0 ? totalValue / journeys : 0;
  const rows = normalisedRows(chain);
  const iteration =
    solver === 'elimination' ? undefined : fullChainIteration(rows, chain.stateCount);
  const removals = removalMasks(chain, channelCount);
  const effects: Array<[number, number]> = [];
  for (let channel = 0; channel < channelCount; channel += 1) {
    const [p, v] = solveWithout(chain, rows, iteration, removals[channel] as Uint8Array, solver);
    // Removal only turns states into dead ends, so it cannot raise P or V; clamp float noise at 0.
    effects.push([
      conversionProbability > 0 ? Math.max(0, 1 - p / conversionProbability) : 0,
      expectedValue > 0 ? Math.max(0, 1 - v / expectedValue) : 0,
    ]);
  }
  let sumConversions = 0;
  let sumValue = 0;
  for (const [re, rev] of effects) {
    sumConversions += re;
    sumValue += rev;
  }
  return {
    conversionProbability,
    expectedValue,
    totalConversions,
    totalValue,
    stateCount: chain.stateCount,
    credits: effects.map(([re, rev]) => ({
      conversions: sumConversions > 0 ? (re / sumConversions) * totalConversions : 0,
      value: sumValue > 0 ? (rev / sumValue) * totalValue : 0,
      removalEffectConversions: re,
      removalEffectValue: rev,
    })),
  };
}

/**
 * How a removal chain is solved: `auto` iterates to a certified bound of 1e-13 relative
 * (`markov-iteration.ts`) and eliminates directly when the bound does not close within the budget;
 * `iteration` only iterates and throws when it cannot certify; `elimination` only eliminates
 * (`markov-absorption.ts`). The last two exist so that tests can hold each against the other.
 */
export type MarkovSolver = 'auto' | 'iteration' | 'elimination';

/** [P(conversion), expected value] from start, with the states containing `removed` as dead ends. */
export function absorptionFromStart(
  chain: MarkovChainBuilder,
  removed: number | null,
  solver: MarkovSolver = 'auto',
): [number, number] {
  const rows = normalisedRows(chain);
  const iteration =
    solver === 'elimination' ? undefined : fullChainIteration(rows, chain.stateCount);
  const mask =
    removed === null
      ? new Uint8Array(chain.stateCount)
      : (removalMasks(chain, removed + 1)[removed] as Uint8Array);
  return solveWithout(chain, rows, iteration, mask, solver);
}

/**
 * The chain's rows as probabilities in compressed form (row `stateCount` is the start), with each
 * state's probabilities of converting, of converting times its mean value, and of ending in null.
 */
interface NormalisedRows {
  readonly rowStart: Int32Array;
  readonly columns: Int32Array;
  readonly probabilities: Float64Array;
  readonly toConversion: Float64Array;
  readonly valuePerStep: Float64Array;
  readonly toNull: Float64Array;
  /**
   * Expected visits to each state from the start, with a margin: in the full chain they are the observed
   * flow through the state per journey (see `markovAttribution`), and a removal chain, whose walks are the
   * full chain's cut short, visits no state more often. The margin of 1e-9 relative covers the rounding of
   * the probabilities (one rounding per entry, which moves the visits by far less unless walks loop for
   * millions of steps).
   */
  readonly visitBound: Float64Array;
}

function normalisedRows(chain: MarkovChainBuilder): NormalisedRows {
  const n = chain.stateCount;
  let entries = chain.start.size;
  for (let s = 0; s < n; s += 1) entries += (chain.transitions[s] as Map<number, number>).size;
  const rowStart = new Int32Array(n + 2);
  const columns = new Int32Array(entries);
  const probabilities = new Float64Array(entries);
  const toConversion = new Float64Array(n);
  const valuePerStep = new Float64Array(n);
  const toNull = new Float64Array(n);
  const visitBound = new Float64Array(n);
  let journeys = 0;
  for (const weight of chain.start.values()) journeys += weight;
  let at = 0;
  for (let s = 0; s <= n; s += 1) {
    const row = s < n ? (chain.transitions[s] as Map<number, number>) : chain.start;
    const conversions = s < n ? (chain.conversions[s] as number) : 0;
    const nulls = s < n ? (chain.nulls[s] as number) : 0;
    let total = conversions + nulls;
    for (const weight of row.values()) total += weight;
    rowStart[s] = at;
    for (const [t, weight] of row) {
      columns[at] = t;
      probabilities[at] = weight / total;
      at += 1;
    }
    if (s < n) {
      toConversion[s] = conversions / total;
      // P(s → conversion) × m_s = (conversions/total) × (value/conversions).
      valuePerStep[s] = conversions > 0 ? (chain.value[s] as number) / total : 0;
      toNull[s] = nulls / total;
      visitBound[s] = (total / journeys) * (1 + 1e-9);
    }
  }
  rowStart[n + 1] = at;
  return { rowStart, columns, probabilities, toConversion, valuePerStep, toNull, visitBound };
}

/**
 * The full chain laid out for iteration once per model; each removal solves it again with the removed
 * channel's states as dead ends, which is exactly the removal chain (entering a removed state ends the walk
 * without a conversion). The flow's visits bound the visits of every removal chain.
 */
function fullChainIteration(rows: NormalisedRows, n: number): AbsorptionIteration {
  const exit = new Float64Array(n);
  for (let s = 0; s < n; s += 1) {
    exit[s] = (rows.toConversion[s] as number) + (rows.toNull[s] as number);
  }
  return new AbsorptionIteration(
    {
      size: n,
      rowStart: rows.rowStart,
      columns: rows.columns,
      probabilities: rows.probabilities,
      exit,
      rhs: [rows.toConversion, rows.valuePerStep],
    },
    rows.visitBound,
  );
}

/** For each channel, 1 for the states that contain it (the states its removal turns into dead ends). */
function removalMasks(chain: MarkovChainBuilder, channelCount: number): Uint8Array[] {
  const masks = Array.from({ length: channelCount }, () => new Uint8Array(chain.stateCount));
  chain.stateChannels.forEach((channels, s) => {
    for (const channel of channels) {
      const mask = masks[channel];
      if (mask !== undefined) mask[s] = 1;
    }
  });
  return masks;
}

/** [P(conversion), expected value] from start, with the states where `removed[s]` is 1 as dead ends. */
function solveWithout(
  chain: MarkovChainBuilder,
  rows: NormalisedRows,
  iteration: AbsorptionIteration | undefined,
  removed: Uint8Array,
  solver: MarkovSolver,
): [number, number] {
  const n = chain.stateCount;
  if (iteration !== undefined) {
    const certified = iteration.solve(removed);
    if (certified !== undefined)
      return [certified.values[0] as number, certified.values[1] as number];
    if (solver === 'iteration') throw new Error('the iteration did not reach its bound');
  }
  const index = new Int32Array(n + 1).fill(-1);
  let size = 0;
  for (let s = 0; s < n; s += 1) {
    if (!removed[s]) {
      index[s] = size;
      size += 1;
    }
  }
  index[n] = size;
  const rowStart = new Int32Array(size + 2);
  const columns = new Int32Array(rows.columns.length);
  const probabilities = new Float64Array(rows.columns.length);
  const exit = new Float64Array(size);
  const toConversion = new Float64Array(size);
  const valuePerStep = new Float64Array(size);
  let at = 0;
  for (let s = 0; s <= n; s += 1) {
    const i = index[s] as number;
    if (i < 0) continue;
    rowStart[i] = at;
    // Transitions into removed states leave the chain (to null).
    let leaving = s < n ? (rows.toConversion[s] as number) + (rows.toNull[s] as number) : 0;
    for (let e = rows.rowStart[s] as number; e < (rows.rowStart[s + 1] as number); e += 1) {
      const j = index[rows.columns[e] as number] as number;
      if (j < 0) {
        leaving += rows.probabilities[e] as number;
      } else {
        columns[at] = j;
        probabilities[at] = rows.probabilities[e] as number;
        at += 1;
      }
    }
    if (s < n) {
      exit[i] = leaving;
      toConversion[i] = rows.toConversion[s] as number;
      valuePerStep[i] = rows.valuePerStep[s] as number;
    }
  }
  rowStart[size + 1] = at;
  const [p, v] = solveCompressedFromStart({
    size,
    rowStart,
    columns,
    probabilities,
    exit,
    rhs: [toConversion, valuePerStep],
  });
  return [p as number, v as number];
}
