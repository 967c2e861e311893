/**
 * Exact absorption values of an absorbing Markov chain, by sparse Gaussian elimination of states (the
 * state-elimination form of LU on I − Q).
 *
 * The system is x = Q x + b over the transient states; the answer is Σ π0_s x_s, the value reached from
 * the start. States are eliminated one at a time in minimum-fill order (fewest predecessors × successors
 * first, Markowitz), never pivoting off the diagonal: I − Q is a row-diagonally-dominant M-matrix, so
 * diagonal pivots are stable. Each pivot 1 − Q_ss is computed as the state's exit probability plus its
 * transitions to other states (the Grassmann–Taksar–Heyman trick), a sum of non-negative terms, so
 * nothing is lost to cancellation — and self-loops need never be stored. No iteration, no tolerance, no
 * step limit.
 *
 * Rows are plain number arrays and predecessor lists, with a scatter array to find entries, and the start
 * is a dense vector: the hot loops touch no hash map and allocate nothing per entry.
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

/**
 * The same chain in compressed rows: the transitions of state s are `columns[i]` → `probabilities[i]`
 * for i in rowStart[s]..rowStart[s+1]-1, each target at most once per row; the start distribution is row
 * `size` (rowStart has size + 2 entries).
 */
export interface CompressedChain {
  readonly size: number;
  readonly rowStart: Int32Array;
  readonly columns: Int32Array;
  readonly probabilities: Float64Array;
  readonly exit: ArrayLike<number>;
  readonly rhs: ReadonlyArray<ArrayLike<number>>;
}

/** Σ π0_s x_s for each right-hand side, where (I − Q) x = b. */
export function solveFromStart(chain: AbsorbingChain): number[] {
  const n = chain.size;
  const rowStart = new Int32Array(n + 2);
  let entries = chain.start.size;
  for (let s = 0; s < n; s += 1)
    entries += (chain.transitions[s] as ReadonlyMap<number, number>).size;
  const columns = new Int32Array(entries);
  const probabilities = new Float64Array(entries);
  let at = 0;
  for (let s = 0; s <= n; s += 1) {
    rowStart[s] = at;
    for (const [t, q] of s < n
      ? (chain.transitions[s] as ReadonlyMap<number, number>)
      : chain.start) {
      columns[at] = t;
      probabilities[at] = q;
      at += 1;
    }
  }
  rowStart[n + 1] = at;
  return solveCompressedFromStart({
    size: n,
    rowStart,
    columns,
    probabilities,
    exit: chain.exit,
    rhs: chain.rhs,
  });
}

/** Σ π0_s x_s for each right-hand side, where (I − Q) x = b, on a chain in compressed rows. */
export function solveCompressedFromStart(chain: CompressedChain): number[] {
  const n = chain.size;
  const rhsCount = chain.rhs.length;
  // Row s: targets cols[s][i] with probability vals[s][i], never s itself; preds[t]: states with an entry t.
  const cols: number[][] = [];
  const vals: number[][] = [];
  const preds: number[][] = [];
  for (let s = 0; s < n; s += 1) {
    cols.push([]);
    vals.push([]);
    preds.push([]);
  }
  for (let s = 0; s < n; s += 1) {
    const rowCols = cols[s] as number[];
    const rowVals = vals[s] as number[];
    for (let i = chain.rowStart[s] as number; i < (chain.rowStart[s + 1] as number); i += 1) {
      const t = chain.columns[i] as number;
      const q = chain.probabilities[i] as number;
      // A self-loop only lowers the pivot, which GTH computes from the other entries.
      if (q === 0 || t === s) continue;
      rowCols.push(t);
      rowVals.push(q);
      (preds[t] as number[]).push(s);
    }
  }
  // The start is the one row every elimination may touch, so it is a dense vector rather than a row:
  // the answer is Σ start_s x_s + reached, and eliminating s moves start_s onto s's successors and b_s.
  const start = new Float64Array(n);
  for (let i = chain.rowStart[n] as number; i < (chain.rowStart[n + 1] as number); i += 1) {
    const t = chain.columns[i] as number;
    start[t] = (start[t] as number) + (chain.probabilities[i] as number);
  }
  const reached = new Float64Array(rhsCount);
  const exit = Float64Array.from({ length: n }, (_, s) => chain.exit[s] as number);
  const rhs = chain.rhs.map((b) => Float64Array.from({ length: n }, (_, s) => b[s] as number));

  const eliminated = new Uint8Array(n);
  // mark[t] = 1 + position of t in the row being updated, 0 elsewhere.
  const mark = new Int32Array(n);
  const cost = (s: number): number => (preds[s] as number[]).length * (cols[s] as number[]).length;
  const heap = new MinHeap();
  for (let s = 0; s < n; s += 1) heap.push(cost(s), s);

  let remaining = n;
  while (heap.size > 0) {
    const priority = heap.topPriority();
    const s = heap.pop();
    // Every cost change pushed a fresh entry, so an entry whose cost no longer matches is stale.
    if (eliminated[s] || priority !== cost(s)) continue;
    if (priority > DENSE_SWITCH_COST && remaining <= DENSE_MAX_STATES) {
      const alive: number[] = [];
      for (let t = 0; t < n; t += 1) if (!eliminated[t]) alive.push(t);
      eliminateDense(alive, cols, vals, exit, rhs, start, reached);
      break;
    }
    remaining -= 1;
    eliminated[s] = 1;
    const rowCols = cols[s] as number[];
    const rowVals = vals[s] as number[];
    const width = rowCols.length;
    let pivot = exit[s] as number;
    for (let j = 0; j < width; j += 1) pivot += rowVals[j] as number;
    // A state that cannot leave (pivot 0) holds no value (x_s = 0): reaching it is a dead end, like
    // leaving the chain.
    const startFactor = pivot === 0 ? 0 : (start[s] as number) / pivot;
    if (startFactor !== 0) {
      for (let j = 0; j < width; j += 1) {
        const t = rowCols[j] as number;
        start[t] = (start[t] as number) + startFactor * (rowVals[j] as number);
      }
      for (let r = 0; r < rhsCount; r += 1) {
        reached[r] = (reached[r] as number) + startFactor * ((rhs[r] as Float64Array)[s] as number);
      }
    }
    const sPreds = preds[s] as number[];
    for (let k = 0; k < sPreds.length; k += 1) {
      const p = sPreds[k] as number;
      const predCols = cols[p] as number[];
      const predVals = vals[p] as number[];
      const at = predCols.indexOf(s);
      const a = predVals[at] as number;
      removeAt(predCols, at);
      removeAt(predVals, at);
      if (pivot === 0) {
        exit[p] = (exit[p] as number) + a;
        continue;
      }
      const factor = a / pivot;
      foldRow(p, predCols, predVals, rowCols, rowVals, factor, mark, preds);
      exit[p] = (exit[p] as number) + factor * (exit[s] as number);
      for (let r = 0; r < rhsCount; r += 1) {
        const b = rhs[r] as Float64Array;
        b[p] = (b[p] as number) + factor * (b[s] as number);
      }
    }
    for (let j = 0; j < width; j += 1) {
      const t = rowCols[j] as number;
      const tPreds = preds[t] as number[];
      removeAt(tPreds, tPreds.indexOf(s));
      heap.push(cost(t), t);
    }
    for (let k = 0; k < sPreds.length; k += 1)
      heap.push(cost(sPreds[k] as number), sPreds[k] as number);
    sPreds.length = 0;
    rowCols.length = 0;
    rowVals.length = 0;
  }
  return Array.from(reached);
}

/**
 * Row p += factor × row s (entries `rowCols` → `rowVals`), except p's own column (GTH drops self-loops);
 * new entries are appended and p is listed among their predecessors. Its own function so that it is
 * optimised early rather than interpreted through the first solves.
 */
function foldRow(
  p: number,
  predCols: number[],
  predVals: number[],
  rowCols: readonly number[],
  rowVals: readonly number[],
  factor: number,
  mark: Int32Array,
  preds: number[][],
): void {
  const before = predCols.length;
  for (let i = 0; i < before; i += 1) mark[predCols[i] as number] = i + 1;
  for (let j = 0; j < rowCols.length; j += 1) {
    const t = rowCols[j] as number;
    if (t === p) continue;
    const q = factor * (rowVals[j] as number);
    const i = mark[t] as number;
    if (i > 0) {
      predVals[i - 1] = (predVals[i - 1] as number) + q;
    } else {
      predCols.push(t);
      predVals.push(q);
      (preds[t] as number[]).push(p);
    }
  }
  for (let i = 0; i < before; i += 1) mark[predCols[i] as number] = 0;
}

/** Removes entry `at` by moving the last entry into its place (order within a row does not matter). */
function removeAt(list: number[], at: number): void {
  const last = list.pop() as number;
  if (at < list.length) list[at] = last;
}

/**
 * Once no cheap pivot is left, the remaining states are nearly all connected to each other; dense
 * elimination in typed arrays then beats sparse rows by far, at m² memory.
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
  cols: readonly number[][],
  vals: readonly number[][],
  exit: Float64Array,
  rhs: Float64Array[],
  start: Float64Array,
  reached: Float64Array,
): void {
  const m = alive.length;
  const rhsCount = rhs.length;
  const position = new Int32Array(start.length);
  for (let i = 0; i < m; i += 1) position[alive[i] as number] = i;
  // Row i of `q` holds Q[alive[i]][alive[j]]; row m is the start node. Diagonal entries stay 0.
  const q = new Float64Array((m + 1) * m);
  const rowCount = new Int32Array(m + 1);
  const columnCount = new Int32Array(m);
  const localExit = new Float64Array(m + 1);
  // Right-hand side r of row i at localRhs[i × rhsCount + r].
  const localRhs = new Float64Array((m + 1) * rhsCount);
  // The rows with an entry in column j (some since eliminated), so a pivot's column is found without a
  // strided pass over the whole matrix. Entries are non-negative and only ever grow, so a row is listed
  // once.
  const columnRows = new Int32Array(m * (m + 1));
  const columnLength = new Int32Array(m);
  for (let i = 0; i < m; i += 1) {
    const state = alive[i] as number;
    const rowCols = cols[state] as number[];
    const rowVals = vals[state] as number[];
    for (let e = 0; e < rowCols.length; e += 1) {
      const j = position[rowCols[e] as number] as number;
      q[i * m + j] = rowVals[e] as number;
      columnRows[j * (m + 1) + (columnLength[j] as number)] = i;
      columnLength[j] = (columnLength[j] as number) + 1;
      rowCount[i] = (rowCount[i] as number) + 1;
      columnCount[j] = (columnCount[j] as number) + 1;
    }
    localExit[i] = exit[state] as number;
    for (let r = 0; r < rhsCount; r += 1) {
      localRhs[i * rhsCount + r] = (rhs[r] as Float64Array)[state] as number;
    }
  }
  for (let j = 0; j < m; j += 1) {
    const weight = start[alive[j] as number] as number;
    if (weight === 0) continue;
    q[m * m + j] = weight;
    columnRows[j * (m + 1) + (columnLength[j] as number)] = m;
    columnLength[j] = (columnLength[j] as number) + 1;
    rowCount[m] = (rowCount[m] as number) + 1;
    columnCount[j] = (columnCount[j] as number) + 1;
  }
  for (let r = 0; r < rhsCount; r += 1) localRhs[m * rhsCount + r] = reached[r] as number;
  const done = new Uint8Array(m);
  const columns = new Int32Array(m);
  for (let step = 0; step < m; step += 1) {
    const k = cheapestPivot(done, rowCount, columnCount, m);
    done[k] = 1;
    const rowK = k * m;
    // Only the non-zero columns of the pivot row can change other rows.
    const width = pivotColumns(q, rowK, m, done, columns, columnCount);
    let pivot = localExit[k] as number;
    for (let c = 0; c < width; c += 1) pivot += q[rowK + (columns[c] as number)] as number;
    const listed = columnLength[k] as number;
    for (let r = 0; r < listed; r += 1) {
      const i = columnRows[k * (m + 1) + r] as number;
      if (i < m && done[i]) continue;
      const rowI = i * m;
      const a = q[rowI + k] as number;
      q[rowI + k] = 0;
      rowCount[i] = (rowCount[i] as number) - 1;
      if (pivot === 0) {
        // As in the sparse phase: a state that cannot leave is a dead end.
        localExit[i] = (localExit[i] as number) + a;
        continue;
      }
      const factor = a / pivot;
      rowCount[i] =
        (rowCount[i] as number) +
        addRow(q, rowI, rowK, factor, columns, width, columnCount, columnRows, columnLength, i);
      localExit[i] = (localExit[i] as number) + factor * (localExit[k] as number);
      for (let b = 0; b < rhsCount; b += 1) {
        localRhs[i * rhsCount + b] =
          (localRhs[i * rhsCount + b] as number) + factor * (localRhs[k * rhsCount + b] as number);
      }
    }
  }
  for (let r = 0; r < rhsCount; r += 1) {
    reached[r] = localRhs[m * rhsCount + r] as number;
  }
}

/**
 * Lists the non-zero columns of the pivot row among the remaining states in `columns` (and takes them out
 * of the column counts); returns how many there are. Its own function, like `addRow`, so that it is
 * optimised early rather than interpreted through the first solves.
 */
function pivotColumns(
  q: Float64Array,
  rowK: number,
  m: number,
  done: Uint8Array,
  columns: Int32Array,
  columnCount: Int32Array,
): number {
  let width = 0;
  for (let j = 0; j < m; j += 1) {
    if (q[rowK + j] !== 0 && !done[j]) {
      columns[width] = j;
      width += 1;
      columnCount[j] = (columnCount[j] as number) - 1;
    }
  }
  return width;
}

/** The remaining state with the fewest off-diagonal non-zeros in its row × in its column. */
function cheapestPivot(
  done: Uint8Array,
  rowCount: Int32Array,
  columnCount: Int32Array,
  m: number,
): number {
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
  return k;
}

/**
 * q[rowI + j] += factor × q[rowK + j] over the pivot row's non-zero columns, except the diagonal (GTH
 * pivots never read it); returns how many entries of row i became non-zero and counts them per column. A
 * small function of its own so the engine optimises the hot loop after a few calls instead of waiting to
 * replace a long-running frame.
 */
function addRow(
  q: Float64Array,
  rowI: number,
  rowK: number,
  factor: number,
  columns: Int32Array,
  width: number,
  columnCount: Int32Array,
  columnRows: Int32Array,
  columnLength: Int32Array,
  i: number,
): number {
  // Column j's rows are listed at columnRows[j × stride …], stride = rows of the matrix.
  const stride = columnRows.length / columnLength.length;
  let created = 0;
  for (let c = 0; c < width; c += 1) {
    const j = columns[c] as number;
    if (j === i) continue;
    const before = q[rowI + j] as number;
    if (before === 0) {
      created += 1;
      columnCount[j] = (columnCount[j] as number) + 1;
      columnRows[j * stride + (columnLength[j] as number)] = i;
      columnLength[j] = (columnLength[j] as number) + 1;
    }
    q[rowI + j] = before + factor * (q[rowK + j] as number);
  }
  return created;
}

/** A binary min-heap of (priority, node) in typed arrays; stale entries are skipped by the caller. */
class MinHeap {
  private priorities = new Float64Array(64);
  private nodes = new Int32Array(64);
  size = 0;

  topPriority(): number {
    return this.priorities[0] as number;
  }

  push(priority: number, node: number): void {
    if (this.size === this.nodes.length) {
      const priorities = new Float64Array(this.size * 2);
      priorities.set(this.priorities);
      this.priorities = priorities;
      const nodes = new Int32Array(this.size * 2);
      nodes.set(this.nodes);
      this.nodes = nodes;
    }
    const { priorities, nodes } = this;
    let i = this.size;
    this.size += 1;
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

  /** Removes the entry with the lowest priority and returns its node. */
  pop(): number {
    const { priorities, nodes } = this;
    const top = nodes[0] as number;
    this.size -= 1;
    const length = this.size;
    const lastPriority = priorities[length] as number;
    const lastNode = nodes[length] as number;
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
