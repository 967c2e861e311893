/**
 * Splits an amount of cents by exact integer weights so the parts always add up to the amount: each part
 * gets the floor of its exact share, and the leftover cents go one each to the largest remainders. Ties
 * go to the larger weight, then to the earlier index, so the split is deterministic.
 */
export function splitCents(amountCents: number, weights: readonly bigint[]): number[] {
  if (!Number.isSafeInteger(amountCents) || amountCents < 0) {
    throw new RangeError(`amount must be a non-negative whole number of cents, got ${amountCents}`);
  }
  if (weights.length === 0) {
    if (amountCents === 0) return [];
    throw new RangeError('cannot split a non-zero amount over no parts');
  }
  let total = 0n;
  for (const weight of weights) {
    if (weight < 0n) throw new RangeError('weights must be non-negative');
    total += weight;
  }
  if (total === 0n) throw new RangeError('weights must not all be zero');

  const amount = BigInt(amountCents);
  const parts: number[] = [];
  const remainders: bigint[] = [];
  let assigned = 0;
  for (const weight of weights) {
    const exact = amount * weight;
    const part = Number(exact / total);
    parts.push(part);
    remainders.push(exact % total);
    assigned += part;
  }
  let leftover = amountCents - assigned;
  if (leftover > 0) {
    const order = weights.map((_, index) => index);
    order.sort((a, b) => {
      const byRemainder = compareBig(remainders[b] as bigint, remainders[a] as bigint);
      if (byRemainder !== 0) return byRemainder;
      return compareBig(weights[b] as bigint, weights[a] as bigint) || a - b;
    });
    for (const index of order) {
      if (leftover === 0) break;
      parts[index] = (parts[index] as number) + 1;
      leftover -= 1;
    }
  }
  return parts;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const FLOAT_SCALE = 2 ** 52;

/**
 * Turns non-negative float weights (time decay, configured weights) into integers with the same ratios to
 * within 2^-52 of the largest weight, so they can be split exactly. All-zero weights stay all zero.
 */
export function integerWeights(weights: readonly number[]): bigint[] {
  let max = 0;
  for (const weight of weights) {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`weights must be finite and non-negative, got ${weight}`);
    }
    if (weight > max) max = weight;
  }
  if (max === 0) return weights.map(() => 0n);
  return weights.map((weight) => BigInt(Math.round((weight / max) * FLOAT_SCALE)));
}

/** Fractions of one as floats, each correctly rounded when the total fits in 53 bits. */
export function fractionsOf(weights: readonly bigint[]): number[] {
  let total = 0n;
  for (const weight of weights) total += weight;
  // Shifting huge weights down to 53 bits keeps every significant bit a double can hold.
  const excess = total.toString(2).length - 53;
  const shift = BigInt(Math.max(0, excess));
  const denominator = Number(total >> shift);
  return weights.map((weight) => Number(weight >> shift) / denominator);
}

/**
 * `splitCents` for reports, where totals may be negative (a price above list is a negative discount) and
 * weights are plain whole numbers that may all be zero (then the total is split evenly). Negative totals
 * mirror positive ones.
 */
export function allocateCents(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total)) {
    throw new RangeError(`total ${total} is not a whole number of cents`);
  }
  if (weights.length === 0) {
    if (total === 0) return [];
    throw new RangeError(`cannot split ${total} cents over no shares`);
  }
  for (const weight of weights) {
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw new RangeError(`weight ${weight} is not a non-negative whole number`);
    }
  }
  const exact = weights.every((weight) => weight === 0)
    ? weights.map(() => 1n)
    : weights.map((weight) => BigInt(weight));
  if (total < 0) return splitCents(-total, exact).map((share) => (share === 0 ? 0 : -share));
  return splitCents(total, exact);
}
