import type { Rng } from './rng';
import { HOUR, PRODUCTS, REASONS_BY_FIT, REJECT_FACTOR } from './scenario-plan';
import {
  type Fit,
  type OwnerProfile,
  REJECTION_REASONS,
  type RejectionReason,
  type ScenarioProduct,
} from './scenario-types';

export type SalesReaction =
  | { readonly kind: 'ignored' }
  | { readonly kind: 'rejected'; readonly firstTouchMs: number; readonly reason: RejectionReason }
  | { readonly kind: 'accepted'; readonly firstTouchMs: number };

/**
 * What an owner with this profile does with a lead of this fit, from four uniform draws. Exported so a demo
 * whose router picks a different owner than the scenario's rotation can replay the same draws for its owner.
 */
export function salesReaction(
  profile: OwnerProfile,
  fit: Fit,
  draws: readonly [number, number, number, number] | readonly number[],
): SalesReaction {
  const [ignore = 0, delay = 0, reject = 0, reason = 0] = draws;
  if (ignore < profile.ignoreRate) return { kind: 'ignored' };
  const firstTouchMs =
    Math.round(-Math.log(1 - delay) * profile.meanFirstTouchHours * HOUR) + 5 * 60_000;
  if (reject < Math.min(0.95, profile.rejectRate * REJECT_FACTOR[fit])) {
    const weights = REASONS_BY_FIT[fit];
    const total = weights.reduce((a, b) => a + b, 0);
    let r = reason * total;
    let picked: RejectionReason = REJECTION_REASONS[0];
    for (let i = 0; i < REJECTION_REASONS.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) {
        picked = REJECTION_REASONS[i] as RejectionReason;
        break;
      }
    }
    return { kind: 'rejected', firstTouchMs, reason: picked };
  }
  return { kind: 'accepted', firstTouchMs };
}

interface LineDraw {
  readonly product: ScenarioProduct;
  readonly quantity: number;
  readonly discountPercent: number;
  readonly netCents: number;
}

export function drawLineItems(rng: Rng): LineDraw[] {
  const count = rng.weighted([1, 2, 3], [0.5, 0.35, 0.15]);
  const chosen = new Set<ScenarioProduct>();
  while (chosen.size < count) chosen.add(rng.pick(PRODUCTS));
  return [...chosen].map((product) => {
    const quantity = product.name.includes('seat') ? rng.int(3, 40) : 1;
    const discountPercent = rng.weighted([0, 10, 15, 20], [0.5, 0.25, 0.15, 0.1]);
    // Same rounding as the sandbox's line item amount: to the cent.
    const netCents = Math.round((product.priceCents * quantity * (100 - discountPercent)) / 100);
    return { product, quantity, discountPercent, netCents };
  });
}
