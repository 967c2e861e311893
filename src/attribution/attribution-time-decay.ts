import type { Touch } from './journey';
import { integerWeights } from './money-split';

export const DEFAULT_HALF_LIFE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Time-decay weights 2^(−Δ/H), Δ = time from the touch to close (to the last touch when the journey has
 * no close date). Weights are taken relative to the most recent touch, which only rescales them, so a
 * journey years long does not underflow to all zeros.
 */
export function timeDecayWeights(
  touches: readonly Touch[],
  closedAt: number | undefined,
  halfLifeMs: number,
): bigint[] {
  if (touches.length < 1) throw new RangeError('a journey needs at least one touch');
  if (!(halfLifeMs > 0)) throw new RangeError(`half-life must be positive, got ${halfLifeMs}`);
  let latest = -Infinity;
  for (const touch of touches) if (touch.at > latest) latest = touch.at;
  const reference = closedAt ?? latest;
  const nearest = reference - latest;
  return integerWeights(
    touches.map((touch) => 2 ** (-(reference - touch.at - nearest) / halfLifeMs)),
  );
}
