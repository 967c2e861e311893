import type { CompressedChain } from './markov-absorption';

/**
 * Absorption values from the start of an absorbing Markov chain by Gauss–Seidel iteration, returned only
 * together with a certified error bound, and not at all when the bound does not close within the budget (the
 * caller then eliminates directly with `solveCompressedFromStart`).
 *
 * The bound. For the system x = Q x + b and ANY vector x, the residual r = b + Q x − x satisfies
 * x* − x = (I − Q)⁻¹ r, so π0·x* − π0·x = w·r with w = π0ᵀ(I − Q)⁻¹ the expected number of visits to each
 * state from the start. Hence |π0·x* − π0·x| ≤ Σ_s w̄_s |r_s| for any w̄ ≥ w, which the caller supplies
 * (`visitBound`). Dead ends (states made absorbing with value 0, as a Markov removal does) only cut walks
 * short, so a bound on the visits of the chain without them holds with them too; for a Markov chain of
 * journeys those visits are the observed flow, known without a solve. The residual and π0·x of the final
 * iterate are evaluated with error-free transformations and their remaining rounding is added (see
 * `certify`), so `bounds[r]` bounds the distance to the exact solution of the chain as given, not only to
 * what exact arithmetic on the iterate would give. A run is accepted when every bound is at most
 * `relativeTolerance` × |value|.
 *
 * Why iterate: a removal chain of order 3 leaves a dense core of a few hundred states after every cheap
 * pivot, so elimination costs m³ per removed channel, while the walks in journey data are short: the error
 * shrinks by about half per sweep, and 30–50 sweeps over the few thousand non-zeros close the bound to
 * 1e-13. Sweeps visit the states in depth-first post-order from the start, successors before the states
 * that lead to them, so values flow back towards the start within one sweep. The chain is laid out once;
 * each solve with other dead ends reuses it, right-hand sides are swept two at a time (conversions and value
 * of a Markov removal share the reading of the matrix), and the same few small kernels run for every solve,
 * so the engine optimises them within the first solve.
 */
export interface CertifiedSolution {
  /** Σ π0_s x_s for each right-hand side. */
  readonly values: number[];
  /** |values[r] − exact[r]| ≤ bounds[r], where exact is the solution of the chain as given. */
  readonly bounds: number[];
  /** Gauss–Seidel sweeps done, over all right-hand sides. */
  readonly sweeps: number;
}

export interface IterationOptions {
  /** Accept when every bound is at most this × |value|; 1e-13 by default. */
  readonly relativeTolerance?: number;
  /** Give up (return undefined) rather than sweep more often than this per right-hand side; 1000 by default. */
  readonly maxSweeps?: number;
}

const UNIT_ROUNDOFF = 2 ** -53;
/** Dekker's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134_217_729;
/** Error-free products need their factors and results inside these magnitudes (no underflow, no overflow). */
const UNDERFLOW_GUARD = 2 ** -900;
const OVERFLOW_GUARD = 2 ** 900;
/** What `certify` returns when it cannot vouch for the iterate. */
const VOID = { value: NaN, bound: Infinity };
/** Sweeps over which the rate of convergence is measured, to give up early. */
const RATE_WINDOW = 8;

/** Higham's γ_k: the relative error bound of a sum or dot product of k terms. */
function gamma(k: number): number {
  return (k * UNIT_ROUNDOFF) / (1 - k * UNIT_ROUNDOFF);
}

/**
 * A chain laid out for iteration: the states reachable from the start, renumbered in depth-first
 * post-order, with their rows in compressed form (entries with probability 0 dropped; self-loops kept as
 * ordinary entries).
 */
export class AbsorptionIteration {
  readonly size: number;
  /** Original state of local state i. */
  private readonly state: Int32Array;
  private readonly rowStart: Int32Array;
  private readonly columns: Int32Array;
  private readonly probabilities: Float64Array;
  /** Dekker's split of each probability into high and low halves, for error-free products. */
  private readonly probabilityHigh: Float64Array;
  private readonly probabilityLow: Float64Array;
  /** The start distribution as a sparse list: local states and their weights. */
  private readonly startStates: Int32Array;
  private readonly startWeights: Float64Array;
  private readonly visits: Float64Array;
  /** γ_{k+2} of the residual b_s + Σ q x − x_s, k the row's entries. */
  private readonly rowGamma: Float64Array;
  private readonly rhs: readonly Float64Array[];

  /** `visitBound[s]` must bound from above the expected number of visits to s from the start. */
  constructor(chain: CompressedChain, visitBound: ArrayLike<number>) {
    const n = chain.size;
    const { rowStart, columns, probabilities } = chain;
    // Local number of each original state, −1 when the start cannot reach it.
    const local = postOrder(chain);
    this.state = new Int32Array(n);
    let size = 0;
    for (let s = 0; s < n; s += 1) {
      const i = local[s] as number;
      if (i >= 0) {
        this.state[i] = s;
        size = Math.max(size, i + 1);
      }
    }
    this.size = size;
    let entries = 0;
    for (let i = 0; i < size; i += 1) {
      const s = this.state[i] as number;
      entries += (rowStart[s + 1] as number) - (rowStart[s] as number);
    }
    this.rowStart = new Int32Array(size + 1);
    this.columns = new Int32Array(entries);
    this.probabilities = new Float64Array(entries);
    this.probabilityHigh = new Float64Array(entries);
    this.probabilityLow = new Float64Array(entries);
    this.rowGamma = new Float64Array(size);
    this.visits = new Float64Array(size);
    let at = 0;
    for (let i = 0; i < size; i += 1) {
      const s = this.state[i] as number;
      this.rowStart[i] = at;
      for (let e = rowStart[s] as number; e < (rowStart[s + 1] as number); e += 1) {
        const q = probabilities[e] as number;
        if (q === 0) continue;
        this.columns[at] = local[columns[e] as number] as number;
        this.probabilities[at] = q;
        const scaled = SPLITTER * q;
        const high = scaled - (scaled - q);
        this.probabilityHigh[at] = high;
        this.probabilityLow[at] = q - high;
        at += 1;
      }
      this.rowGamma[i] = gamma(at - (this.rowStart[i] as number) + 2);
      this.visits[i] = visitBound[s] as number;
    }
    this.rowStart[size] = at;
    const start = new Float64Array(size);
    for (let e = rowStart[n] as number; e < (rowStart[n + 1] as number); e += 1) {
      const i = local[columns[e] as number] as number;
      if (i >= 0) start[i] = (start[i] as number) + (probabilities[e] as number);
    }
    const startStates: number[] = [];
    for (let i = 0; i < size; i += 1) if ((start[i] as number) !== 0) startStates.push(i);
    this.startStates = Int32Array.from(startStates);
    this.startWeights = Float64Array.from(startStates, (i) => start[i] as number);
    this.rhs = chain.rhs.map((b) => {
      const laidOut = new Float64Array(size);
      for (let i = 0; i < size; i += 1) laidOut[i] = b[this.state[i] as number] as number;
      return laidOut;
    });
  }

  /**
   * Σ π0_s x_s for each right-hand side with a certified bound, with the states s where `deadEnds[s]` is
   * non-zero made absorbing with value 0 (entering one ends the walk without value); undefined when a bound
   * does not reach `relativeTolerance` within `maxSweeps` sweeps, or is predicted not to from its rate.
   */
  solve(
    deadEnds: Uint8Array | null,
    options: IterationOptions = {},
  ): CertifiedSolution | undefined {
    const tolerance = options.relativeTolerance ?? 1e-13;
    const maxSweeps = options.maxSweeps ?? 1000;
    const dead = this.unreachable(deadEnds);
    const runs = this.rhs.map((rhs): Run => {
      const b = Float64Array.from(rhs);
      for (let i = 0; i < this.size; i += 1) if (dead[i]) b[i] = 0;
      return { b, x: new Float64Array(this.size), threshold: 1 / 4, windowStart: Infinity };
    });
    const changes = new Float64Array(2);
    let sweeps = 0;
    for (let sweep = 1; sweep <= maxSweeps; sweep += 1) {
      const active = runs.filter((run) => run.result === undefined);
      if (active.length === 0) break;
      sweeps += active.length;
      // Right-hand sides share the matrix, so two at a time share its reading.
      for (let k = 0; k < active.length; k += 2) {
        const first = active[k] as Run;
        const second = active[k + 1];
        if (second === undefined) {
          changes[0] = sweepOne(
            this.rowStart,
            this.columns,
            this.probabilities,
            this.visits,
            first.b,
            first.x,
            dead,
          );
        } else {
          sweepPair(
            this.rowStart,
            this.columns,
            this.probabilities,
            this.visits,
            first.b,
            first.x,
            second.b,
            second.x,
            dead,
            changes,
          );
        }
        if (!this.check(first, changes[0] as number, sweep, dead, tolerance, maxSweeps))
          return undefined;
        if (
          second !== undefined &&
          !this.check(second, changes[1] as number, sweep, dead, tolerance, maxSweeps)
        )
          return undefined;
      }
    }
    if (runs.some((run) => run.result === undefined)) return undefined;
    return {
      values: runs.map((run) => (run.result as { value: number }).value),
      bounds: runs.map((run) => (run.result as { bound: number }).bound),
      sweeps,
    };
  }

  /**
   * 1 for the dead ends and for the states the start no longer reaches once they are dead ends: those are
   * never visited (w_s = 0), so they take no part in the solve and keep x = 0, and their residuals stay
   * out of the bound.
   */
  private unreachable(deadEnds: Uint8Array | null): Uint8Array {
    const { size, rowStart, columns, state, startStates } = this;
    const blocked = new Uint8Array(size);
    if (deadEnds !== null) {
      for (let i = 0; i < size; i += 1) blocked[i] = deadEnds[state[i] as number] as number;
    }
    const dead = new Uint8Array(size).fill(1);
    const stack = new Int32Array(size);
    let depth = 0;
    for (let k = 0; k < startStates.length; k += 1) {
      const root = startStates[k] as number;
      if (blocked[root] || !dead[root]) continue;
      dead[root] = 0;
      stack[0] = root;
      depth = 1;
      while (depth > 0) {
        depth -= 1;
        const s = stack[depth] as number;
        const end = rowStart[s + 1] as number;
        for (let e = rowStart[s] as number; e < end; e += 1) {
          const t = columns[e] as number;
          if (dead[t] && !blocked[t]) {
            dead[t] = 0;
            stack[depth] = t;
            depth += 1;
          }
        }
      }
    }
    return dead;
  }

  /**
   * After a sweep of `run`: certifies it when its change says it may be close enough; false when it is
   * predicted not to close within the budget (or no longer moves).
   *
   * Each sweep's weighted change Σ w̄_i |Δx_i| is the residual met row by row, an estimate of the bound
   * that costs nothing; it decides when to certify. Certifying costs a few sweeps, so it waits until the
   * change is well inside the target, and waits longer each time it fails.
   */
  private check(
    run: Run,
    change: number,
    sweeps: number,
    dead: Uint8Array,
    tolerance: number,
    maxSweeps: number,
  ): boolean {
    const target = tolerance * Math.abs(startDot(this.startStates, this.startWeights, run.x));
    if (change <= run.threshold * target) {
      const certified = this.certify(run.b, run.x, dead);
      if (certified.bound <= tolerance * Math.abs(certified.value)) {
        run.result = certified;
        return true;
      }
      // At the rounding floor the iterate no longer moves, and more sweeps cannot help.
      if (change === 0) return false;
      run.threshold /= 16;
    }
    // The change shrinks geometrically once the iteration settles: give up early when its rate over the
    // last RATE_WINDOW sweeps says the budget will not be enough, or when it no longer shrinks.
    if (sweeps % RATE_WINDOW !== 0) return true;
    const rate = (change / run.windowStart) ** (1 / RATE_WINDOW);
    run.windowStart = change;
    if (sweeps < 2 * RATE_WINDOW) return true;
    if (!(rate < 1)) return false;
    const sweepsLeft = Math.log((run.threshold * target) / change) / Math.log(rate);
    return sweeps + sweepsLeft <= maxSweeps;
  }

  /**
   * π0·x and the certified bound on its distance to π0·x*, both evaluated with error-free transformations
   * (Dekker's TwoProduct, Knuth's TwoSum: the "Dot2" of Ogita, Rump and Oishi, 2005), whose result r̃ of a
   * dot product of n terms of magnitudes S satisfies |r̃ − r| ≤ u|r̃| + γ_n² S: the rounding floor drops from
   * about n·u to u. The bound is Σ_s w̄_s ((1 + 2u)|r̃_s| + 2γ²_{k+2} S_s) (the factors 2 cover the
   * rounding of S itself and |r| ≤ (|r̃| + γ²S) / (1 − u)), times (1 + γ_{2m+4}) for the rounding of that
   * sum, plus the same error term for π0·x.
   * Error-free products need no underflow or overflow: a product below 2⁻⁹⁰⁰ or a value above 2⁹⁰⁰ (far
   * from any probability × value here) voids the certificate.
   */
  private certify(
    b: Float64Array,
    x: Float64Array,
    dead: Uint8Array,
  ): { value: number; bound: number } {
    const { rowStart, columns, probabilities, probabilityHigh, probabilityLow, visits, size } =
      this;
    const xHigh = new Float64Array(size);
    const xLow = new Float64Array(size);
    for (let i = 0; i < size; i += 1) {
      const xi = x[i] as number;
      if (!(Math.abs(xi) <= OVERFLOW_GUARD)) return VOID;
      const scaled = SPLITTER * xi;
      const high = scaled - (scaled - xi);
      xHigh[i] = high;
      xLow[i] = xi - high;
    }
    let total = 0;
    for (let i = 0; i < size; i += 1) {
      // A dead end is no state of the chain being solved: its x = 0 is exact.
      if (dead[i]) continue;
      const xi = x[i] as number;
      let sum = b[i] as number;
      let compensation = 0;
      let magnitude = Math.abs(sum) + Math.abs(xi);
      const end = rowStart[i + 1] as number;
      for (let e = rowStart[i] as number; e < end; e += 1) {
        const j = columns[e] as number;
        const product = (probabilities[e] as number) * (x[j] as number);
        if (product !== 0 && Math.abs(product) < UNDERFLOW_GUARD) return VOID;
        const qHigh = probabilityHigh[e] as number;
        const qLow = probabilityLow[e] as number;
        const high = xHigh[j] as number;
        const low = xLow[j] as number;
        const productError = qLow * low - (product - qHigh * high - qLow * high - qHigh * low);
        const next = sum + product;
        const z = next - sum;
        compensation += sum - (next - z) + (product - z) + productError;
        sum = next;
        magnitude += Math.abs(product);
      }
      const next = sum - xi;
      const z = next - sum;
      compensation += sum - (next - z) + (-xi - z);
      const residual = next + compensation;
      const rowGamma = this.rowGamma[i] as number;
      total +=
        (visits[i] as number) *
        ((1 + 2 * UNIT_ROUNDOFF) * Math.abs(residual) + 2 * rowGamma * rowGamma * magnitude);
    }
    const { startStates, startWeights } = this;
    let sum = 0;
    let compensation = 0;
    let magnitude = 0;
    for (let k = 0; k < startStates.length; k += 1) {
      const i = startStates[k] as number;
      const weight = startWeights[k] as number;
      const product = weight * (x[i] as number);
      if (product !== 0 && Math.abs(product) < UNDERFLOW_GUARD) return VOID;
      const scaled = SPLITTER * weight;
      const high = scaled - (scaled - weight);
      const low = weight - high;
      const productError =
        low * (xLow[i] as number) -
        (product -
          high * (xHigh[i] as number) -
          low * (xHigh[i] as number) -
          high * (xLow[i] as number));
      const next = sum + product;
      const z = next - sum;
      compensation += sum - (next - z) + (product - z) + productError;
      sum = next;
      magnitude += Math.abs(product);
    }
    const value = sum + compensation;
    const gammaM = gamma(startStates.length + 1);
    const bound =
      total * (1 + gamma(2 * size + 4)) +
      2 * UNIT_ROUNDOFF * Math.abs(value) +
      2 * gammaM * gammaM * magnitude;
    return Number.isFinite(value) && Number.isFinite(bound) ? { value, bound } : VOID;
  }
}

/** One right-hand side being iterated: x from 0 (dead ends stay 0), and when to certify. */
interface Run {
  readonly b: Float64Array;
  readonly x: Float64Array;
  threshold: number;
  windowStart: number;
  result?: { value: number; bound: number };
}

/**
 * One Gauss–Seidel sweep x_i ← b_i + Σ_e q_e x_{c_e}, in local (post-)order, dead ends left at 0; returns
 * Σ w̄_i |Δx_i|.
 */
function sweepOne(
  rowStart: Int32Array,
  columns: Int32Array,
  probabilities: Float64Array,
  visits: Float64Array,
  b: Float64Array,
  x: Float64Array,
  dead: Uint8Array,
): number {
  let change = 0;
  for (let i = 0; i < x.length; i += 1) {
    if (dead[i]) continue;
    let acc = b[i] as number;
    const end = rowStart[i + 1] as number;
    for (let e = rowStart[i] as number; e < end; e += 1) {
      acc += (probabilities[e] as number) * (x[columns[e] as number] as number);
    }
    change += (visits[i] as number) * Math.abs(acc - (x[i] as number));
    x[i] = acc;
  }
  return change;
}

/** `sweepOne` for two right-hand sides at once; their changes go to `changes[0]` and `changes[1]`. */
function sweepPair(
  rowStart: Int32Array,
  columns: Int32Array,
  probabilities: Float64Array,
  visits: Float64Array,
  b: Float64Array,
  x: Float64Array,
  c: Float64Array,
  y: Float64Array,
  dead: Uint8Array,
  changes: Float64Array,
): void {
  let changeX = 0;
  let changeY = 0;
  for (let i = 0; i < x.length; i += 1) {
    if (dead[i]) continue;
    let accX = b[i] as number;
    let accY = c[i] as number;
    const end = rowStart[i + 1] as number;
    for (let e = rowStart[i] as number; e < end; e += 1) {
      const q = probabilities[e] as number;
      const j = columns[e] as number;
      accX += q * (x[j] as number);
      accY += q * (y[j] as number);
    }
    const w = visits[i] as number;
    changeX += w * Math.abs(accX - (x[i] as number));
    changeY += w * Math.abs(accY - (y[i] as number));
    x[i] = accX;
    y[i] = accY;
  }
  changes[0] = changeX;
  changes[1] = changeY;
}

/** π0·x in plain arithmetic, over the start's sparse list. */
function startDot(states: Int32Array, weights: Float64Array, x: Float64Array): number {
  let total = 0;
  for (let k = 0; k < states.length; k += 1) {
    total += (weights[k] as number) * (x[states[k] as number] as number);
  }
  return total;
}

/**
 * Local number of each state in depth-first post-order from the start's targets (successors before the
 * states that lead to them, back edges aside), −1 for states the start cannot reach.
 */
function postOrder(chain: CompressedChain): Int32Array {
  const n = chain.size;
  const { rowStart, columns, probabilities } = chain;
  // −1 not yet seen, −2 on the stack, ≥ 0 finished at that position.
  const local = new Int32Array(n).fill(-1);
  const stackState = new Int32Array(n);
  const stackEntry = new Int32Array(n);
  let finished = 0;
  for (let e = rowStart[n] as number; e < (rowStart[n + 1] as number); e += 1) {
    const root = columns[e] as number;
    if (local[root] !== -1 || (probabilities[e] as number) === 0) continue;
    let depth = 0;
    local[root] = -2;
    stackState[0] = root;
    stackEntry[0] = rowStart[root] as number;
    while (depth >= 0) {
      const s = stackState[depth] as number;
      const entry = stackEntry[depth] as number;
      if (entry < (rowStart[s + 1] as number)) {
        stackEntry[depth] = entry + 1;
        const t = columns[entry] as number;
        if (local[t] === -1 && (probabilities[entry] as number) !== 0) {
          local[t] = -2;
          depth += 1;
          stackState[depth] = t;
          stackEntry[depth] = rowStart[t] as number;
        }
      } else {
        local[s] = finished;
        finished += 1;
        depth -= 1;
      }
    }
  }
  return local;
}
