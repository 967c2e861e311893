import { ReportInputError } from './report-input-error';

/**
 * Splits a whole number of cents in proportion to non-negative integer weights, exactly: shares are floored,
 * then the leftover cents go one each to the largest remainders (ties: larger weight, then earlier position).
 * The shares always sum to the total. With all weights zero the total is split evenly.
 */
export function allocateCents(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total)) {
    throw new ReportInputError('invalid_amount', `total ${total} is not a whole number of cents`);
  }
  if (weights.length === 0) {
    if (total === 0) return [];
    throw new ReportInputError('invalid_split', `cannot split ${total} cents over no shares`);
  }
  for (const weight of weights) {
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw new ReportInputError(
        'invalid_split',
        `weight ${weight} is not a non-negative whole number`,
      );
    }
  }
  if (total < 0) return allocateCents(-total, weights).map((share) => (share === 0 ? 0 : -share));
  const sum = weights.reduce((acc, weight) => acc + BigInt(weight), 0n);
  const effective = sum === 0n ? weights.map(() => 1n) : weights.map((weight) => BigInt(weight));
  const divisor = sum === 0n ? BigInt(weights.length) : sum;
  const bigTotal = BigInt(total);
  const floors = effective.map((weight) => (bigTotal * weight) / divisor);
  const remainders = effective.map((weight) => (bigTotal * weight) % divisor);
  let leftover = bigTotal - floors.reduce((acc, share) => acc + share, 0n);
  const order = effective
    .map((_, index) => index)
    .sort((a, b) => {
      const byRemainder = remainders[b]! - remainders[a]!;
      if (byRemainder !== 0n) return byRemainder > 0n ? 1 : -1;
      const byWeight = effective[b]! - effective[a]!;
      if (byWeight !== 0n) return byWeight > 0n ? 1 : -1;
      return a - b;
    });
  for (const index of order) {
    if (leftover === 0n) break;
    floors[index] = floors[index]! + 1n;
    leftover -= 1n;
  }
  return floors.map((share) => Number(share));
}
