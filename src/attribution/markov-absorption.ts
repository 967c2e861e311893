/**
 * Exact absorption values of an absorbing Markov chain, by sparse Gaussian elimination of states (the
 * state-elimination form of LU on I − Q).
 *
 * The system is x = Q x + b over the transient states; the answer is Σ π0_s x_s, the value reached from
 * the start. States are eliminated one at a time in minimum-fill order (fewest predecessors × successors
 * first, Markowitz), never pivoting off the diagonal: I − Q is a row-diagonally-dominant M-matrix, so
 * diagonal pivots are stable. Each pivot 1 − Q_ss is computed as the state's exit probability plus its
 * transitions to other states (the Grassmann–Taksar–Heyman trick), a sum of non-negative terms, so
 * nothing is lost to cancellation. No iteration, no tolerance, no step limit.
 */
export interface AbsorbingChain {
  /** Number of transient states, numbered 0..n-1. */
  readonly size: number;
  /** Transition probabilities between transient states: `transitions[s]` maps t → Q[s][t]. */
  readonly transitions: ReadonlyArray<ReadonlyMap<number, number>>;
  /** Probability of leaving the transient states from s (to any absorbing state): 1 − Σ_t Q[s][t]. */
  readonly exit: ArrayLike<number>;
  /** Start distribution over transient states (may sum to less than one). */
  readonly start: ReadonlyMap<number, number>;
  /** Right-hand sides b, each of length `size` (e.g. P(s → conversion), and value per step). */
  readonly rhs: ReadonlyArray<ArrayLike<number>>;
}

/** Σ π0_s x_s for each right-hand side, where (I − Q) x = b. */
export function solveFromStart(chain: AbsorbingChain): number[] {
  const n = chain.size;
  const startNode = n;
  const out: Array<Map<number, number>> = [];
  const incoming: Array<Set<number>> = [];
  for (let s = 0; s <= n; s += 1) incoming.push(new Set());
  for (let s = 0; s < n; s += 1) {
    const row = new Map<number, number>();
    for (const [t, q] of chain.transitions[s] as ReadonlyMap<number, number>) {
      if (q === 0) continue;
      row.set(t, q);
      (incoming[t] as Set<number>).add(s);
    }
    out.push(row);
  }
  const startRow = new Map<number, number>();
  for (const [t, p] of chain.start) {
    if (p === 0) continue;
    startRow.set(t, p);
    (incoming[t] as Set<number>).add(startNode);
  }
  out.push(startRow);
  const exit = Float64Array.from(
    { length: n + 1 },
    (_, s) => (s < n ? chain.exit[s] : 0) as number,
  );
  const rhs = chain.rhs.map((b) =>
    Float64Array.from({ length: n + 1 }, (_, s) => (s < n ? b[s] : 0) as number),
  );

  const eliminated = new Uint8Array(n + 1);
  const cost = (s: number): number => {
    const row = out[s] as Map<number, number>;
    const outs = row.size - (row.has(s) ? 1 : 0);
    const ins = (incoming[s] as Set<number>).size - ((incoming[s] as Set<number>).has(s) ? 1 : 0);
    return ins * outs;
  };
  const heap = new MinHeap();
  for (let s = 0; s < n; s += 1) heap.push(cost(s), s);

  let remaining = n;
  while (heap.size > 0) {
    const [priority, s] = heap.pop();
    // Every cost change pushed a fresh entry, so an entry whose cost no longer matches is stale.
    if (eliminated[s] || priority !== cost(s)) continue;
    if (priority > DENSE_SWITCH_COST && remaining <= DENSE_MAX_STATES) {
      const alive: number[] = [];
      for (let t = 0; t < n; t += 1) if (!eliminated[t]) alive.push(t);
      eliminateDense(alive, out, exit, rhs, startNode);
      break;
    }
    remaining -= 1;
    eliminated[s] = 1;
    const row = out[s] as Map<number, number>;
    row.delete(s);
    let pivot = exit[s] as number;
    for (const q of row.values()) pivot += q;
    const preds = incoming[s] as Set<number>;
    preds.delete(s);
    const touched = new Set<number>();
    for (const p of preds) {
      const predRow = out[p] as Map<number, number>;
      const a = predRow.get(s) as number;
      predRow.delete(s);
      touched.add(p);
      // A state that cannot leave (pivot 0) is never absorbed into anything with value: x_s = 0.
      if (pivot === 0) continue;
      const factor = a / pivot;
      for (const [t, q] of row) {
        predRow.set(t, (predRow.get(t) ?? 0) + factor * q);
        (incoming[t] as Set<number>).add(p);
      }
      exit[p] = (exit[p] as number) + factor * (exit[s] as number);
      for (const b of rhs) b[p] = (b[p] as number) + factor * (b[s] as number);
    }
    for (const t of row.keys()) {
      (incoming[t] as Set<number>).delete(s);
      touched.add(t);
    }
    preds.clear();
    row.clear();
    for (const t of touched) if (t !== startNode && !eliminated[t]) heap.push(cost(t), t);
  }
  return rhs.map((b) => b[startNode] as number);
}

/**
 * Once no cheap pivot is left, the remaining states are nearly all connected to each other; dense
 * elimination in typed arrays then beats hash maps by far (no boxing, no hashing), at m² memory.
 */
const DENSE_SWITCH_COST = 64;
const DENSE_MAX_STATES = 3000;

/**
 * Eliminates the states `alive` with dense rows, with the same GTH pivots as the sparse phase, folding
 * everything into the start node's right-hand sides. Pivots are still chosen by the Markowitz count
 * (non-zeros in the row × in the column, kept up to date), so fill stays as low as in the sparse phase.
 */
function eliminateDense(
  alive: readonly number[],
  out: Array<Map<number, number>>,
  exit: Float64Array,
  rhs: Float64Array[],
  startNode: number,
): void {
  const m = alive.length;
  const position = new Map<number, number>();
  alive.forEach((state, i) => position.set(state, i));
  // Row i of `q` holds Q[alive[i]][alive[j]]; row m is the start node.
  const q = new Float64Array((m + 1) * m);
  const rowCount = new Int32Array(m + 1);
  const columnCount = new Int32Array(m);
  const localExit = new Float64Array(m + 1);
  const localRhs = rhs.map(() => new Float64Array(m + 1));
  for (let i = 0; i <= m; i += 1) {
    const state = i < m ? (alive[i] as number) : startNode;
    for (const [t, value] of out[state] as Map<number, number>) {
      const j = position.get(t) as number;
      const cell = i * m + j;
      if (q[cell] === 0 && j !== i) {
        rowCount[i] = (rowCount[i] as number) + 1;
        columnCount[j] = (columnCount[j] as number) + 1;
      }
      q[cell] = (q[cell] as number) + value;
    }
    localExit[i] = exit[state] as number;
    rhs.forEach((b, r) => ((localRhs[r] as Float64Array)[i] = b[state] as number));
  }
  const done = new Uint8Array(m);
  const columns = new Int32Array(m);
  const rows = new Int32Array(m + 1);
  for (let step = 0; step < m; step += 1) {
    let k = -1;
    let best = Infinity;
    for (let i = 0; i < m; i += 1) {
      if (done[i]) continue;
      const cost = (rowCount[i] as number) * (columnCount[i] as number);
      if (cost < best) {
        best = cost;
        k = i;
      }
    }
    done[k] = 1;
    const rowK = k * m;
    let pivot = localExit[k] as number;
    // Only the non-zero columns of the pivot row can change other rows.
    let width = 0;
    for (let j = 0; j < m; j += 1) {
      if (done[j]) continue;
      const value = q[rowK + j] as number;
      if (value !== 0) {
        pivot += value;
        columns[width] = j;
        width += 1;
        columnCount[j] = (columnCount[j] as number) - 1;
      }
    }
    let height = 0;
    for (let i = 0; i <= m; i += 1) {
      if (i < m && done[i]) continue;
      if (q[i * m + k] !== 0) {
        rows[height] = i;
        height += 1;
      }
    }
    for (let r = 0; r < height; r += 1) {
      const i = rows[r] as number;
      const rowI = i * m;
      const a = q[rowI + k] as number;
      q[rowI + k] = 0;
      rowCount[i] = (rowCount[i] as number) - 1;
      if (pivot === 0) continue;
      const factor = a / pivot;
      rowCount[i] =
        (rowCount[i] as number) + addRow(q, rowI, rowK, factor, columns, width, columnCount, i);
      localExit[i] = (localExit[i] as number) + factor * (localExit[k] as number);
      for (const b of localRhs) b[i] = (b[i] as number) + factor * (b[k] as number);
    }
  }
  rhs.forEach((b, r) => (b[startNode] = (localRhs[r] as Float64Array)[m] as number));
}

/**
 * q[rowI + j] += factor × q[rowK + j] over the pivot row's non-zero columns; returns how many entries of
 * row i became non-zero (off the diagonal) and counts them per column. A small function of its own so the
 * engine optimises the hot loop after a few calls instead of waiting to replace a long-running frame.
 */
function addRow(
  q: Float64Array,
  rowI: number,
  rowK: number,
  factor: number,
  columns: Int32Array,
  width: number,
  columnCount: Int32Array,
  i: number,
): number {
  let created = 0;
  for (let c = 0; c < width; c += 1) {
    const j = columns[c] as number;
    const before = q[rowI + j] as number;
    if (before === 0 && j !== i) {
      created += 1;
      columnCount[j] = (columnCount[j] as number) + 1;
    }
    q[rowI + j] = before + factor * (q[rowK + j] as number);
  }
  return created;
}

/** A binary min-heap of (priority, node); stale entries are skipped by the caller. */
class MinHeap {
  private readonly priorities: number[] = [];
  private readonly nodes: number[] = [];

  get size(): number {
    return this.nodes.length;
  }

  push(priority: number, node: number): void {
    const { priorities, nodes } = this;
    let i = nodes.length;
    priorities.push(priority);
    nodes.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((priorities[parent] as number) <= priority) break;
      priorities[i] = priorities[parent] as number;
      nodes[i] = nodes[parent] as number;
      i = parent;
    }
    priorities[i] = priority;
    nodes[i] = node;
  }

  pop(): [number, number] {
    const { priorities, nodes } = this;
    const top: [number, number] = [priorities[0] as number, nodes[0] as number];
    const lastPriority = priorities.pop() as number;
    const lastNode = nodes.pop() as number;
    const length = nodes.length;
    if (length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= length) break;
        const right = left + 1;
        const child =
          right < length && (priorities[right] as number) < (priorities[left] as number)
            ? right
            : left;
        if ((priorities[child] as number) >= lastPriority) break;
        priorities[i] = priorities[child] as number;
        nodes[i] = nodes[child] as number;
        i = child;
      }
      priorities[i] = lastPriority;
      nodes[i] = lastNode;
    }
    return top;
  }
}
