/** How good a score is on labelled outcomes: ranking (AUC), probabilities (log loss, Brier), calibration. */

/** Area under the ROC curve by the rank-sum (Mann–Whitney) formula; ties count one half. */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((score, index) => ({ score, label: labels[index]! }));
  order.sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSumPositives = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.score === order[start]!.score) end += 1;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k += 1) {
      if (order[k]!.label === 1) {
        positives += 1;
        rankSumPositives += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const EPSILON = 1e-15;

export function logLoss(probabilities: readonly number[], labels: readonly number[]): number {
  let total = 0;
  probabilities.forEach((probability, index) => {
    const p = Math.min(Math.max(probability, EPSILON), 1 - EPSILON);
    total -= labels[index] === 1 ? Math.log(p) : Math.log(1 - p);
  });
  return total / probabilities.length;
}

export function brierScore(probabilities: readonly number[], labels: readonly number[]): number {
  let total = 0;
  probabilities.forEach((probability, index) => (total += (probability - labels[index]!) ** 2));
  return total / probabilities.length;
}

export interface CalibrationBin {
  readonly from: number;
  readonly to: number;
  readonly n: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
}

/** Equal-width probability bins; empty bins are left out. */
export function calibrationTable(
  probabilities: readonly number[],
  labels: readonly number[],
  bins = 10,
): CalibrationBin[] {
  const totals = Array.from({ length: bins }, () => ({ n: 0, predicted: 0, observed: 0 }));
  probabilities.forEach((probability, index) => {
    const bin = totals[Math.min(bins - 1, Math.floor(probability * bins))]!;
    bin.n += 1;
    bin.predicted += probability;
    bin.observed += labels[index]!;
  });
  return totals.flatMap((bin, index) =>
    bin.n === 0
      ? []
      : [
          {
            from: index / bins,
            to: (index + 1) / bins,
            n: bin.n,
            meanPredicted: bin.predicted / bin.n,
            observedRate: bin.observed / bin.n,
          },
        ],
  );
}

/** Expected calibration error: the n-weighted mean gap between predicted and observed per bin. */
export function expectedCalibrationError(table: readonly CalibrationBin[]): number {
  const n = table.reduce((total, bin) => total + bin.n, 0);
  return table.reduce(
    (total, bin) => total + (bin.n / n) * Math.abs(bin.meanPredicted - bin.observedRate),
    0,
  );
}
