import type { Milestones, Touch } from './journey';
import { integerWeights } from './money-split';

/** The position-based models with fixed shares (PRODUCT.md, "Attribution models"). */
export const POSITION_MODELS = [
  'first',
  'last',
  'linear',
  'u_shaped',
  'w_shaped',
  'full_path',
  'j_shaped',
  'inverse_j',
] as const;
export type PositionModel = (typeof POSITION_MODELS)[number];

type MilestoneName = keyof Milestones;

/** Shares in basis points: milestones, and what the touches holding no milestone split between them. */
interface PositionRule {
  readonly milestones: ReadonlyArray<readonly [MilestoneName, number]>;
  readonly others: number;
}

const RULES: Record<Exclude<PositionModel, 'linear'>, PositionRule> = {
  first: { milestones: [['firstTouch', 10_000]], others: 0 },
  last: { milestones: [['closedWon', 10_000]], others: 0 },
  u_shaped: {
    milestones: [
      ['firstTouch', 4_000],
      ['leadCreation', 4_000],
    ],
    others: 2_000,
  },
  w_shaped: {
    milestones: [
      ['firstTouch', 3_000],
      ['leadCreation', 3_000],
      ['opportunityCreation', 3_000],
    ],
    others: 1_000,
  },
  full_path: {
    milestones: [
      ['firstTouch', 2_250],
      ['leadCreation', 2_250],
      ['opportunityCreation', 2_250],
      ['closedWon', 2_250],
    ],
    others: 1_000,
  },
  j_shaped: {
    milestones: [
      ['firstTouch', 2_000],
      ['closedWon', 6_000],
    ],
    others: 2_000,
  },
  inverse_j: {
    milestones: [
      ['firstTouch', 6_000],
      ['closedWon', 2_000],
    ],
    others: 2_000,
  },
};

/**
 * Exact integer weights per touch (same order as `touches`) for a fixed-share model. A touch holding
 * several milestones gets every share it holds. When no touch is left for the "others" share, that share
 * goes to the milestones in proportion to theirs (W-shaped: "the 10 % goes to the milestones"); the
 * U-shaped rule for exactly two touches is 50/50 whichever milestones they hold.
 */
export function positionWeights(
  model: PositionModel,
  touchCount: number,
  milestones: Milestones,
): bigint[] {
  if (touchCount < 1) throw new RangeError('a journey needs at least one touch');
  if (touchCount === 1) return [1n];
  if (model === 'linear' || (model === 'u_shaped' && touchCount === 2)) {
    return Array.from({ length: touchCount }, () => 1n);
  }
  const rule = RULES[model];
  const held = new Array<number>(touchCount).fill(0);
  const isMilestone = new Array<boolean>(touchCount).fill(false);
  for (const [name, share] of rule.milestones) {
    const index = milestones[name];
    held[index] = (held[index] as number) + share;
    isMilestone[index] = true;
  }
  const others = isMilestone.filter((flag) => !flag).length;
  if (others === 0 || rule.others === 0) return held.map((share) => BigInt(share));
  // Scaling milestone shares by the number of others keeps every weight an integer.
  return held.map((share, index) =>
    isMilestone[index] ? BigInt(share * others) : BigInt(rule.others),
  );
}

/** Configured weights per position class and multipliers per touch kind (the custom model). */
export interface CustomWeights {
  readonly positions: {
    readonly firstTouch: number;
    readonly leadCreation: number;
    readonly opportunityCreation: number;
    readonly closedWon: number;
    /** Split equally over the touches that hold no milestone. */
    readonly other: number;
  };
  /** Multiplier per touch kind; kinds not listed (and touches without a kind) use 1. */
  readonly kinds: Readonly<Record<string, number>>;
}

/**
 * Custom model weights: a touch gets the weights of the position classes it holds (or, holding none
 * weighted above 0, its equal part of `other`), times its kind's multiplier; the result is normalised when split. If every weight comes out
 * zero (e.g. all kinds weighted 0) the journey is split equally rather than dropped.
 */
export function customWeights(
  touches: readonly Touch[],
  milestones: Milestones,
  weights: CustomWeights,
): bigint[] {
  const count = touches.length;
  if (count < 1) throw new RangeError('a journey needs at least one touch');
  const raw = new Array<number>(count).fill(0);
  const isMilestone = new Array<boolean>(count).fill(false);
  const names: MilestoneName[] = ['firstTouch', 'leadCreation', 'opportunityCreation', 'closedWon'];
  for (const name of names) {
    // A class weighted 0 is not a milestone for this model, so its touch shares `other` instead.
    if (weights.positions[name] === 0) continue;
    const index = milestones[name];
    raw[index] = (raw[index] as number) + weights.positions[name];
    isMilestone[index] = true;
  }
  const others = isMilestone.filter((flag) => !flag).length;
  const result = raw.map((weight, index) => {
    const positional = isMilestone[index] ? weight : weights.positions.other / others;
    const kind = (touches[index] as Touch).kind;
    const multiplier = kind !== undefined ? (weights.kinds[kind] ?? 1) : 1;
    return positional * multiplier;
  });
  const integers = integerWeights(result);
  return integers.every((weight) => weight === 0n) ? integers.map(() => 1n) : integers;
}
