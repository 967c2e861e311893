import { type CreditKey, type Journey, touchKey } from './journey';
import { creditJourney, type JourneyModel, type JourneyModelOptions } from './journey-credit';
import { orderTouches } from './milestones';
import { JOURNEY_MODELS, type ModelName, type PathModel } from './models';
import { type Credit, type ModelCredits, PathAggregate } from './path-aggregate';

export interface JourneyAggregateOptions extends JourneyModelOptions {
  readonly models: readonly ModelName[];
  /** Markov orders to run when `markov` is selected. */
  readonly orders: readonly number[];
  readonly by: CreditKey;
}

const JOURNEY_LEVEL: ReadonlySet<string> = new Set(JOURNEY_MODELS);

/**
 * Folds journeys one at a time: journey-level models credit each journey to the cent and add it to the
 * key's totals; data-driven models receive the journey's path (touches up to close) with one conversion
 * or one non-conversion. Values are in cents throughout, so every model's credits add up to the total
 * value to the cent.
 */
export class JourneyAggregate {
  private readonly paths: PathAggregate;
  private readonly journeyModels: JourneyModel[];
  private readonly totals = new Map<JourneyModel, { c: number[]; cents: number[] }>();
  private totalCents = 0;

  constructor(private readonly options: JourneyAggregateOptions) {
    this.journeyModels = options.models.filter((model): model is JourneyModel =>
      JOURNEY_LEVEL.has(model),
    );
    for (const model of this.journeyModels) this.totals.set(model, { c: [], cents: [] });
    const dataDriven = options.models.filter(
      (model): model is PathModel =>
        model === 'markov' || model === 'shapley' || model === 'shapley_rate',
    );
    this.paths = new PathAggregate({ models: dataDriven, orders: options.orders });
  }

  get keys(): readonly string[] {
    return this.paths.keys;
  }

  /** Adds one journey; throws a RangeError naming the problem for a journey that cannot be credited. */
  add(journey: Journey): void {
    const perModel = this.journeyModels.map((model) => creditJourney(model, journey, this.options));
    const touches = orderTouches(journey);
    if (touches.length === 0) throw new RangeError('no touch at or before closedAt');
    const names = touches.map((touch) => touchKey(touch, this.options.by));
    const conversions = journey.converted ? 1 : 0;
    this.paths.add(names, conversions, journey.valueCents, 1 - conversions);
    this.totalCents += journey.valueCents;
    this.journeyModels.forEach((model, index) => {
      const totals = this.totals.get(model) as { c: number[]; cents: number[] };
      for (const credit of perModel[index] as ReturnType<typeof creditJourney>) {
        const id = this.paths.keyId(touchKey(credit.touch, this.options.by));
        while (totals.c.length <= id) {
          totals.c.push(0);
          totals.cents.push(0);
        }
        totals.c[id] = (totals.c[id] as number) + credit.fraction;
        totals.cents[id] = (totals.cents[id] as number) + credit.cents;
      }
    });
  }

  /** Every selected model's credits; `value` is in cents. */
  results(): ModelCredits[] {
    const count = this.paths.keys.length;
    const dataDriven = this.paths.results();
    const results: ModelCredits[] = [];
    for (const model of this.options.models) {
      const totals = this.totals.get(model as JourneyModel);
      if (totals) {
        results.push({
          label: model,
          removalEffects: false,
          credits: Array.from({ length: count }, (_, id) => ({
            conversions: totals.c[id] ?? 0,
            value: totals.cents[id] ?? 0,
          })),
        });
      }
    }
    for (const result of dataDriven) {
      results.push({ ...result, credits: this.toWholeCents(result.credits) });
    }
    return results;
  }

  /** Data-driven value credits are reals adding up to the total; the money is rounded to match it. */
  private toWholeCents(credits: readonly Credit[]): Credit[] {
    const cents = roundToTotal(
      credits.map((credit) => credit.value),
      this.totalCents,
    );
    return credits.map((credit, id) => ({ ...credit, value: cents[id] as number }));
  }
}

/**
 * Largest-remainder rounding of reals that add up to `total` (up to float error): floors, then the
 * missing cents one each to the largest fractional parts (ties to the larger value, then the earlier key).
 * Works for negative parts too (the conversion-rate Shapley game can give them).
 */
export function roundToTotal(values: readonly number[], total: number): number[] {
  if (values.length === 0) return [];
  const parts = values.map((value) => Math.floor(value));
  let missing = total - parts.reduce((sum, part) => sum + part, 0);
  const order = values
    .map((_, index) => index)
    .sort((a, b) => {
      const byFraction =
        (values[b] as number) -
        (parts[b] as number) -
        ((values[a] as number) - (parts[a] as number));
      return byFraction || (values[b] as number) - (values[a] as number) || a - b;
    });
  for (let i = 0; missing > 0; i = (i + 1) % order.length, missing -= 1) {
    const index = order[i] as number;
    parts[index] = (parts[index] as number) + 1;
  }
  for (
    let i = order.length - 1;
    missing < 0;
    i = (i - 1 + order.length) % order.length, missing += 1
  ) {
    const index = order[i] as number;
    parts[index] = (parts[index] as number) - 1;
  }
  return parts;
}
