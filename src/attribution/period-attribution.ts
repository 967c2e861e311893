import { markovAttribution, MarkovChainBuilder } from './attribution-markov';
import { RateShapleyAccumulator, SetShapleyAccumulator } from './attribution-shapley';
import { roundToTotal } from './journey-aggregate';

/**
 * Data-driven attribution of one reporting period over stored journeys. A journey is the touches of a deal's
 * contacts (or of one contact that never became a deal) up to the journey's end, inside the lookback window:
 *
 * - converting: a closed-won deal, ending at its close, worth its amount;
 * - non-converting: a closed-lost deal (ends at its close), an open deal gone stale (ends when it went stale),
 *   a contact with touches and no deal (ends when it went stale).
 *
 * Games are played per currency, so money of different currencies never meets: a deal's journey joins its
 * currency's game. A contact without a deal has no currency; its failure to convert is evidence about the
 * channels in every currency's game of the period, so it joins each of them. Every game is played twice, keyed
 * by campaign and by channel, because the removal effect of a campaign is not the sum of its channels'.
 */

export const DATA_DRIVEN_MODELS = ['markov', 'shapley', 'shapley_rate'] as const;
export type DataDrivenModel = (typeof DATA_DRIVEN_MODELS)[number];

export type PeriodDimension = 'campaign' | 'channel';
const DIMENSIONS: readonly PeriodDimension[] = ['campaign', 'channel'];

export interface JourneyTouch {
  readonly at: number;
  /** Tie-break for touches at the same instant, so the path is deterministic. */
  readonly id: number;
  readonly channel: string;
  readonly campaign: string | null;
}

export interface PeriodJourneyOptions {
  readonly lookbackMs: number;
}

/** The touches of a journey in [end − lookback, end], oldest first. */
export function journeyPath(
  touches: readonly JourneyTouch[],
  end: number,
  options: PeriodJourneyOptions,
): JourneyTouch[] {
  const from = end - options.lookbackMs;
  return touches
    .filter((touch) => touch.at >= from && touch.at <= end)
    .sort((a, b) => a.at - b.at || a.id - b.id);
}

/** One model's credit of one campaign (or channel) in one currency's game. */
export interface PeriodCredit {
  readonly currency: string;
  readonly dimension: PeriodDimension;
  /** Campaign or channel; `null` is touches without a campaign. */
  readonly key: string | null;
  readonly model: DataDrivenModel;
  readonly conversions: number;
  /** Whole cents; one game's credits add up to its converting deals' amounts, to the cent. */
  readonly valueCents: number;
  /** Markov only: the share of conversions lost when the key is removed. */
  readonly removalEffect: number | null;
  /** Converting journeys of the game whose path holds the key. */
  readonly deals: number;
  /** Converting and non-converting journeys in the game (contact journeys included). */
  readonly converting: number;
  readonly nonConverting: number;
}

const NO_KEY = '\u0000none';

interface Game {
  readonly keys: Map<string, number>;
  readonly names: string[];
  readonly markov: MarkovChainBuilder;
  readonly setShapley: SetShapleyAccumulator;
  readonly rateShapley: RateShapleyAccumulator;
  readonly deals: number[];
  converting: number;
  nonConverting: number;
  valueCents: number;
}

/**
 * Folds a period's journeys into per-currency games and solves them. Paths are not kept (only transition
 * counts and channel-set totals), except the distinct paths of contacts without a deal, which are counted
 * and folded into every currency's game at the end.
 */
export class PeriodAttribution {
  private readonly games = new Map<string, Game>();
  private readonly contactPaths = new Map<string, number>();
  private ids = new Int32Array(64);
  private solved = false;

  constructor(
    private readonly options: {
      readonly models: readonly DataDrivenModel[];
      readonly markovOrder: number;
    },
  ) {
    // Fail on a bad order before any journey is read.
    new MarkovChainBuilder(options.markovOrder);
  }

  /** A deal's journey (its contacts' touches, already cut to the lookback window by `journeyPath`). */
  addDeal(journey: {
    readonly currency: string;
    readonly converted: boolean;
    readonly valueCents: number;
    readonly path: readonly JourneyTouch[];
  }): void {
    if (journey.path.length === 0) return;
    if (!Number.isSafeInteger(journey.valueCents) || journey.valueCents < 0) {
      throw new RangeError(
        `deal amount must be whole non-negative cents, got ${journey.valueCents}`,
      );
    }
    const value = journey.converted ? journey.valueCents : 0;
    for (const dimension of DIMENSIONS) {
      const game = this.game(journey.currency, dimension);
      this.fold(
        game,
        journey.path,
        dimension,
        journey.converted ? 1 : 0,
        value,
        journey.converted ? 0 : 1,
      );
      if (journey.converted) game.valueCents += value;
    }
  }

  /** A contact with touches that never became a deal (non-converting, in every currency's game). */
  addContact(path: readonly JourneyTouch[]): void {
    if (path.length === 0) return;
    const encoded = JSON.stringify(path.map((touch) => [touch.campaign, touch.channel]));
    this.contactPaths.set(encoded, (this.contactPaths.get(encoded) ?? 0) + 1);
  }

  /** Every model's credits per currency, dimension and key, sorted; games without a conversion give none. */
  results(): PeriodCredit[] {
    // Contact journeys are folded in here; a second call would count them twice.
    if (this.solved) throw new Error('a period is solved once');
    this.solved = true;
    const contactPaths = [...this.contactPaths].map(([encoded, count]) => ({
      path: (JSON.parse(encoded) as Array<[string | null, string]>).map(
        ([campaign, channel], id) => ({
          at: id,
          id,
          campaign,
          channel,
        }),
      ),
      count,
    }));
    const results: PeriodCredit[] = [];
    for (const [id, game] of [...this.games].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const [currency, dimension] = id.split('\u0000') as [string, PeriodDimension];
      for (const { path, count } of contactPaths) this.fold(game, path, dimension, 0, 0, count);
      if (game.converting === 0) continue;
      results.push(...this.solve(game, currency, dimension));
    }
    return results;
  }

  private solve(game: Game, currency: string, dimension: PeriodDimension): PeriodCredit[] {
    const count = game.names.length;
    const credits: PeriodCredit[] = [];
    const emit = (
      model: DataDrivenModel,
      values: ReadonlyArray<{ conversions: number; value: number; removalEffect?: number }>,
    ) => {
      const cents = roundToTotal(
        values.map((credit) => credit.value),
        game.valueCents,
      );
      game.names.forEach((name, index) => {
        credits.push({
          currency,
          dimension,
          key: name === NO_KEY ? null : name,
          model,
          conversions: values[index]?.conversions ?? 0,
          valueCents: cents[index] as number,
          removalEffect: values[index]?.removalEffect ?? null,
          deals: game.deals[index] ?? 0,
          converting: game.converting,
          nonConverting: game.nonConverting,
        });
      });
    };
    for (const model of this.options.models) {
      if (model === 'markov') {
        const result = markovAttribution(game.markov, count);
        emit(
          model,
          result.credits.map((credit) => ({
            conversions: credit.conversions,
            value: credit.value,
            removalEffect: credit.removalEffectConversions,
          })),
        );
      } else if (model === 'shapley') {
        emit(model, game.setShapley.credits(count));
      } else {
        emit(model, game.rateShapley.credits(count));
      }
    }
    return credits.sort(
      (a, b) => compare(a.model, b.model) || compare(a.key ?? '\uffff', b.key ?? '\uffff'),
    );
  }

  private fold(
    game: Game,
    path: readonly JourneyTouch[],
    dimension: PeriodDimension,
    conversions: number,
    value: number,
    nulls: number,
  ): void {
    if (this.ids.length < path.length) this.ids = new Int32Array(path.length * 2);
    for (let i = 0; i < path.length; i += 1) {
      const touch = path[i] as JourneyTouch;
      const name = dimension === 'channel' ? touch.channel : (touch.campaign ?? NO_KEY);
      let id = game.keys.get(name);
      if (id === undefined) {
        id = game.names.length;
        game.keys.set(name, id);
        game.names.push(name);
        game.deals.push(0);
      }
      this.ids[i] = id;
    }
    const models = this.options.models;
    if (models.includes('markov'))
      game.markov.add(this.ids, path.length, conversions, value, nulls);
    if (models.includes('shapley')) game.setShapley.add(this.ids, path.length, conversions, value);
    if (models.includes('shapley_rate')) {
      game.rateShapley.add(this.ids, path.length, conversions, value, nulls);
    }
    if (conversions > 0) {
      game.converting += conversions;
      for (const id of new Set(this.ids.subarray(0, path.length))) {
        game.deals[id] = (game.deals[id] as number) + 1;
      }
    } else game.nonConverting += nulls;
  }

  private game(currency: string, dimension: PeriodDimension): Game {
    const id = `${currency}\u0000${dimension}`;
    let game = this.games.get(id);
    if (!game) {
      game = {
        keys: new Map(),
        names: [],
        markov: new MarkovChainBuilder(this.options.markovOrder),
        setShapley: new SetShapleyAccumulator(),
        rateShapley: new RateShapleyAccumulator(),
        deals: [],
        converting: 0,
        nonConverting: 0,
        valueCents: 0,
      };
      this.games.set(id, game);
    }
    return game;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
