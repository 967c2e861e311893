import { markovAttribution, MarkovChainBuilder } from './attribution-markov';
import { RateShapleyAccumulator, SetShapleyAccumulator } from './attribution-shapley';
import type { PathModel } from './models';
import { modelLabel } from './models';

/** Credit of one key (channel or campaign) under one model. */
export interface Credit {
  readonly conversions: number;
  readonly value: number;
  readonly removalEffectConversions?: number;
  readonly removalEffectValue?: number;
}

/** One model's credits, indexed like `PathAggregate.keys`. */
export interface ModelCredits {
  readonly label: string;
  readonly removalEffects: boolean;
  readonly credits: readonly Credit[];
}

export interface PathModelSelection {
  readonly models: readonly PathModel[];
  /** Markov orders to run when `markov` is selected. */
  readonly orders: readonly number[];
}

/**
 * Streams many journeys (as channel paths with conversions, value and non-conversions) into every selected
 * model's running totals: counts per channel, Markov transition counts, channel-set totals. Paths are not
 * kept, so memory grows with the number of distinct channels and states, not with the number of paths.
 */
export class PathAggregate {
  private readonly keyIds = new Map<string, number>();
  readonly keys: string[] = [];
  private readonly positional = new Map<
    'first' | 'last' | 'linear',
    { c: number[]; v: number[] }
  >();
  private readonly markov: MarkovChainBuilder[] = [];
  private readonly setShapley: SetShapleyAccumulator | undefined;
  private readonly rateShapley: RateShapleyAccumulator | undefined;
  private ids = new Int32Array(64);
  totalConversions = 0;
  totalValue = 0;
  totalNulls = 0;
  paths = 0;

  constructor(private readonly selection: PathModelSelection) {
    for (const model of selection.models) {
      if (model === 'first' || model === 'last' || model === 'linear') {
        this.positional.set(model, { c: [], v: [] });
      }
    }
    if (selection.models.includes('markov')) {
      for (const order of selection.orders) this.markov.push(new MarkovChainBuilder(order));
    }
    this.setShapley = selection.models.includes('shapley')
      ? new SetShapleyAccumulator()
      : undefined;
    this.rateShapley = selection.models.includes('shapley_rate')
      ? new RateShapleyAccumulator()
      : undefined;
  }

  /** Id of a channel (or campaign) name, assigned on first sight. */
  keyId(name: string): number {
    let id = this.keyIds.get(name);
    if (id === undefined) {
      id = this.keys.length;
      this.keyIds.set(name, id);
      this.keys.push(name);
      for (const totals of this.positional.values()) {
        totals.c.push(0);
        totals.v.push(0);
      }
    }
    return id;
  }

  /** Adds one path given by names. */
  add(names: readonly string[], conversions: number, value: number, nulls: number): void {
    if (this.ids.length < names.length) this.ids = new Int32Array(names.length * 2);
    for (let i = 0; i < names.length; i += 1) this.ids[i] = this.keyId(names[i] as string);
    this.addIds(this.ids, names.length, conversions, value, nulls);
  }

  /** Adds one path of ids from `keyId` (the first `length` entries of `ids`). */
  addIds(
    ids: ArrayLike<number>,
    length: number,
    conversions: number,
    value: number,
    nulls: number,
  ): void {
    if (length === 0) throw new RangeError('a path needs at least one channel');
    this.paths += 1;
    this.totalConversions += conversions;
    this.totalValue += value;
    this.totalNulls += nulls;
    for (const [model, totals] of this.positional) {
      if (model === 'linear') {
        const c = conversions / length;
        const v = value / length;
        for (let i = 0; i < length; i += 1) {
          const id = ids[i] as number;
          totals.c[id] = (totals.c[id] as number) + c;
          totals.v[id] = (totals.v[id] as number) + v;
        }
      } else {
        const id = ids[model === 'first' ? 0 : length - 1] as number;
        totals.c[id] = (totals.c[id] as number) + conversions;
        totals.v[id] = (totals.v[id] as number) + value;
      }
    }
    for (const chain of this.markov) chain.add(ids, length, conversions, value, nulls);
    this.setShapley?.add(ids, length, conversions, value);
    this.rateShapley?.add(ids, length, conversions, value, nulls);
  }

  /** Solves the data-driven models and returns every selected model's credits, in selection order. */
  results(): ModelCredits[] {
    const count = this.keys.length;
    const results: ModelCredits[] = [];
    for (const model of this.selection.models) {
      if (model === 'first' || model === 'last' || model === 'linear') {
        const totals = this.positional.get(model) as { c: number[]; v: number[] };
        results.push({
          label: model,
          removalEffects: false,
          credits: totals.c.map((conversions, id) => ({
            conversions,
            value: totals.v[id] as number,
          })),
        });
      } else if (model === 'markov') {
        for (const chain of this.markov) {
          results.push({
            label: modelLabel('markov', chain.order),
            removalEffects: true,
            credits: markovAttribution(chain, count).credits,
          });
        }
      } else if (model === 'shapley') {
        results.push({
          label: model,
          removalEffects: false,
          credits: (this.setShapley as SetShapleyAccumulator).credits(count),
        });
      } else {
        results.push({
          label: model,
          removalEffects: false,
          credits: (this.rateShapley as RateShapleyAccumulator).credits(count),
        });
      }
    }
    return results;
  }
}
