import {
  type CustomWeights,
  customWeights,
  type PositionModel,
  positionWeights,
} from './attribution-position';
import { timeDecayWeights } from './attribution-time-decay';
import type { Journey, Touch } from './journey';
import { deriveMilestones, orderTouches } from './milestones';
import { fractionsOf, splitCents } from './money-split';

export type JourneyModel = PositionModel | 'time_decay' | 'custom';

export interface JourneyModelOptions {
  readonly halfLifeMs: number;
  readonly custom: CustomWeights;
}

/** One touch's share of a journey: a fraction of its conversion and whole cents of its value. */
export interface TouchCredit {
  readonly touch: Touch;
  readonly fraction: number;
  readonly cents: number;
}

/**
 * Credits of one journey under one journey-level model. Touches after close are excluded; a journey with
 * no touch left is refused (there is nothing to credit). Cents always add up to `valueCents`.
 */
export function creditJourney(
  model: JourneyModel,
  journey: Journey,
  options: JourneyModelOptions,
): TouchCredit[] {
  const touches = orderTouches(journey);
  if (touches.length === 0) throw new RangeError(`journey ${journey.id} has no touch before close`);
  const weights = journeyWeights(model, touches, journey, options);
  const fractions = fractionsOf(weights);
  const cents = splitCents(journey.valueCents, weights);
  return touches.map((touch, index) => ({
    touch,
    fraction: journey.converted ? (fractions[index] as number) : 0,
    cents: cents[index] as number,
  }));
}

function journeyWeights(
  model: JourneyModel,
  touches: readonly Touch[],
  journey: Journey,
  options: JourneyModelOptions,
): bigint[] {
  if (model === 'time_decay')
    return timeDecayWeights(touches, journey.closedAt, options.halfLifeMs);
  const milestones = deriveMilestones(touches, journey);
  if (model === 'custom') return customWeights(touches, milestones, options.custom);
  return positionWeights(model, touches.length, milestones);
}
