/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) with a backtracking line search.
 * Deterministic: no random start, no sampling, so the same data always gives the same coefficients. Rows are
 * sparse (one-hot features dominate), which keeps each Hessian pass at O(n · nnz²).
 */

export interface SparseRow {
  readonly indices: readonly number[];
  readonly values: readonly number[];
}

export interface LogisticFitOptions {
  /** Penalty λ on ½·λ·‖β‖² (the intercept is not penalised). */
  readonly l2: number;
  readonly maxIterations?: number;
  readonly tolerance?: number;
  /** Optional per-row weights (e.g. for class balancing); default 1. */
  readonly weights?: readonly number[];
}

export interface LogisticFit {
  readonly intercept: number;
  readonly coefficients: number[];
  readonly iterations: number;
  readonly converged: boolean;
  /** Penalised negative log-likelihood at the solution. */
  readonly objective: number;
}

export function fitLogisticRegression(
  rows: readonly SparseRow[],
  labels: readonly number[],
  featureCount: number,
  options: LogisticFitOptions,
): LogisticFit {
  if (rows.length !== labels.length) throw new Error('rows and labels differ in length');
  if (rows.length === 0) throw new Error('no rows to fit');
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-9;
  const p = featureCount + 1; // index 0 is the intercept
  let beta = new Float64Array(p);
  const positives = labels.reduce((total, y) => total + y, 0);
  const rate = Math.min(Math.max(positives / labels.length, 1e-6), 1 - 1e-6);
  beta[0] = Math.log(rate / (1 - rate));

  let objective = penalisedLoss(rows, labels, beta, options);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations += 1;
    const { gradient, hessian } = derivatives(rows, labels, beta, options, p);
    const step = solveCholesky(hessian, gradient, p);
    let scale = 1;
    let candidate = beta;
    let candidateObjective = objective;
    for (let halvings = 0; halvings < 30; halvings += 1) {
      candidate = beta.map((value, j) => value - scale * step[j]!);
      candidateObjective = penalisedLoss(rows, labels, candidate, options);
      if (candidateObjective <= objective + 1e-12) break;
      scale /= 2;
    }
    const maxChange = Math.max(...step.map((value) => Math.abs(value * scale)));
    const improvement = objective - candidateObjective;
    beta = candidate;
    objective = candidateObjective;
    if (maxChange < 1e-7 || improvement < tolerance * Math.max(1, Math.abs(objective))) {
      converged = true;
      break;
    }
  }
  return {
    intercept: beta[0]!,
    coefficients: Array.from(beta.subarray(1)),
    iterations,
    converged,
    objective,
  };
}

/** Linear predictor (log-odds) of one sparse row. */
export function linearPredictor(
  row: SparseRow,
  intercept: number,
  coefficients: readonly number[],
): number {
  let eta = intercept;
  for (let k = 0; k < row.indices.length; k += 1)
    eta += coefficients[row.indices[k]!]! * row.values[k]!;
  return eta;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function penalisedLoss(
  rows: readonly SparseRow[],
  labels: readonly number[],
  beta: Float64Array,
  options: LogisticFitOptions,
): number {
  let loss = 0;
  for (let i = 0; i < rows.length; i += 1) {
    const eta = predictorWithIntercept(rows[i]!, beta);
    // log(1 + e^eta) − y·eta, computed without overflow
    const softplus = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
    loss += (options.weights?.[i] ?? 1) * (softplus - labels[i]! * eta);
  }
  let penalty = 0;
  for (let j = 1; j < beta.length; j += 1) penalty += beta[j]! * beta[j]!;
  return loss + 0.5 * options.l2 * penalty;
}

function derivatives(
  rows: readonly SparseRow[],
  labels: readonly number[],
  beta: Float64Array,
  options: LogisticFitOptions,
  p: number,
): { gradient: Float64Array; hessian: Float64Array } {
  const gradient = new Float64Array(p);
  const hessian = new Float64Array(p * p);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i]!;
    const weight = options.weights?.[i] ?? 1;
    const mu = sigmoid(predictorWithIntercept(row, beta));
    const residual = weight * (mu - labels[i]!);
    const curvature = weight * Math.max(mu * (1 - mu), 1e-12);
    addAt(gradient, 0, residual);
    addAt(hessian, 0, curvature);
    for (let a = 0; a < row.indices.length; a += 1) {
      const ja = row.indices[a]! + 1;
      const va = row.values[a]!;
      addAt(gradient, ja, residual * va);
      addAt(hessian, ja * p, curvature * va);
      for (let b = 0; b <= a; b += 1) {
        const jb = row.indices[b]! + 1;
        const hab = curvature * va * row.values[b]!;
        addAt(hessian, ja * p + jb, hab);
        if (ja !== jb) addAt(hessian, jb * p + ja, hab);
      }
    }
  }
  for (let j = 1; j < p; j += 1) {
    hessian[j] = hessian[j * p]!; // mirror the intercept column into its row
    addAt(gradient, j, options.l2 * beta[j]!);
    addAt(hessian, j * p + j, options.l2);
  }
  return { gradient, hessian };
}

function predictorWithIntercept(row: SparseRow, beta: Float64Array): number {
  let eta = beta[0]!;
  for (let k = 0; k < row.indices.length; k += 1)
    eta += beta[row.indices[k]! + 1]! * row.values[k]!;
  return eta;
}

/** Solves H·x = g for a symmetric positive-definite H (a tiny ridge is added if it is only semi-definite). */
function solveCholesky(matrix: Float64Array, rhs: Float64Array, n: number): Float64Array {
  for (let jitter = 0; ; jitter = jitter === 0 ? 1e-10 : jitter * 100) {
    const lower = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i += 1) {
      for (let j = 0; j <= i; j += 1) {
        let total = matrix[i * n + j]! + (i === j ? jitter : 0);
        for (let k = 0; k < j; k += 1) total -= lower[i * n + k]! * lower[j * n + k]!;
        if (i === j) {
          if (total <= 0) {
            ok = false;
            break;
          }
          lower[i * n + i] = Math.sqrt(total);
        } else {
          lower[i * n + j] = total / lower[j * n + j]!;
        }
      }
    }
    if (!ok) {
      if (jitter > 1e6) throw new Error('Hessian is not positive definite');
      continue;
    }
    const forward = new Float64Array(n);
    for (let i = 0; i < n; i += 1) {
      let total = rhs[i]!;
      for (let k = 0; k < i; k += 1) total -= lower[i * n + k]! * forward[k]!;
      forward[i] = total / lower[i * n + i]!;
    }
    const solution = new Float64Array(n);
    for (let i = n - 1; i >= 0; i -= 1) {
      let total = forward[i]!;
      for (let k = i + 1; k < n; k += 1) total -= lower[k * n + i]! * solution[k]!;
      solution[i] = total / lower[i * n + i]!;
    }
    return solution;
  }
}

function addAt(array: Float64Array, index: number, value: number): void {
  array[index] = array[index]! + value;
}
