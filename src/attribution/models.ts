import { POSITION_MODELS } from './attribution-position';

/**
 * Every attribution model by the name the CLI, config and reports use. Path models run on aggregated
 * paths (no timestamps or milestones); journey models need timestamped touches; data-driven models run on
 * both.
 */
export const MODELS = {
  first: 'first touch: 100 % to the first touch',
  last: 'last touch: 100 % to the last touch before close',
  linear: 'linear: equal share per touch',
  u_shaped: 'U-shaped: 40 % first touch, 40 % lead creation, 20 % between',
  w_shaped: 'W-shaped: 30 % first touch, lead creation, opportunity creation each, 10 % the others',
  full_path: 'full path (Z): 22.5 % each milestone, 10 % the others',
  time_decay: 'time decay: weight 2^(−Δ/H), Δ from touch to close',
  j_shaped: 'J: 20 % first touch, 60 % last, 20 % between',
  inverse_j: 'inverse J: 60 % first touch, 20 % last, 20 % between',
  custom: 'custom: configured weights per position class and touch kind',
  markov: 'Markov removal effect of order k, solved (not simulated) to a certified 1e-13',
  shapley: 'Shapley (Zhao et al.): each journey split equally over its distinct channels',
  shapley_rate: 'Shapley value of the conversion-rate game over all 2^n channel sets (n ≤ 20)',
} as const;

export type ModelName = keyof typeof MODELS;

/** Models that need only the path of each journey (not times or milestones). */
export const PATH_MODELS = [
  'first',
  'last',
  'linear',
  'markov',
  'shapley',
  'shapley_rate',
] as const;
export type PathModel = (typeof PATH_MODELS)[number];

export const JOURNEY_MODELS = [...POSITION_MODELS, 'time_decay', 'custom'] as const;

/** Models run on journeys: the journey-level ones, then the data-driven ones. */
export const ALL_JOURNEY_MODELS: readonly ModelName[] = [
  ...JOURNEY_MODELS,
  'markov',
  'shapley',
  'shapley_rate',
];

export function isModelName(name: string): name is ModelName {
  return Object.prototype.hasOwnProperty.call(MODELS, name);
}

/** Column prefix of a model's results: `markov_2` for Markov of order 2, the model name otherwise. */
export function modelLabel(model: ModelName, order?: number): string {
  return model === 'markov' ? `markov_${order ?? 1}` : model;
}
