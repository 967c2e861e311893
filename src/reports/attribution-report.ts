import { ReportInputError } from './report-input-error';

/**
 * The campaign (or channel) table: per currency and campaign, each model's attributed gross and net revenue,
 * the discount given and the deals that contributed; all models side by side with their spread, so a campaign
 * whose credit swings with the model is visible; spend, ROI and cost per SQL. Currencies are never added up
 * together: every row and total belongs to one currency.
 *
 * Rows are added one at a time so the caller can stream credits from storage; memory grows with the number
 * of campaigns and deals, not of credit rows.
 */

/** One stored credit: a share of one deal's revenue given by one model to one touch. */
export interface CreditRow {
  readonly dealId: string;
  readonly model: string;
  readonly touchId: string | null;
  readonly campaign: string | null;
  readonly channel: string;
  /** ISO 4217, the deal's currency. */
  readonly currency: string;
  readonly grossCents: number;
  readonly discountCents: number;
  readonly netCents: number;
  /** The reporting period of the deal's close, e.g. `2026-Q3`. */
  readonly period: string;
}

export type ReportDimension = 'campaign' | 'channel';

export interface SpendRow {
  /** Campaign or channel, matching the table's dimension; `null` is spend on nothing named. */
  readonly key: string | null;
  readonly currency: string;
  readonly spendCents: number;
}

export interface SqlCount {
  readonly key: string | null;
  readonly sqls: number;
}

export interface AttributionTableOptions {
  readonly by: ReportDimension;
  /** Models to report, in column order; credits of other models are ignored. Default: every model seen. */
  readonly models?: readonly string[];
}

export interface ModelFigures {
  readonly grossCents: number;
  readonly discountCents: number;
  readonly netCents: number;
  /** Deals that gave this row a non-zero credit under the model. */
  readonly deals: number;
  /** (net − spend) / spend; `null` without spend. */
  readonly roi: number | null;
}

export interface ModelSpread {
  readonly minNetCents: number;
  readonly maxNetCents: number;
  readonly minModel: string;
  readonly maxModel: string;
  /** max / min of the net credit; `null` when the smallest is zero (no finite ratio). */
  readonly ratio: number | null;
}

export interface AttributionTableRow {
  readonly currency: string;
  readonly key: string | null;
  readonly models: Readonly<Record<string, ModelFigures>>;
  readonly spread: ModelSpread | null;
  readonly spendCents: number | null;
  readonly sqls: number | null;
  /** spend / SQLs, rounded half up to the cent; `null` without spend or SQLs. */
  readonly costPerSqlCents: number | null;
}

export interface AttributionTotals {
  readonly currency: string;
  readonly models: Readonly<Record<string, ModelFigures>>;
  readonly spendCents: number | null;
}

export interface AttributionTable {
  readonly by: ReportDimension;
  readonly models: readonly string[];
  readonly rows: readonly AttributionTableRow[];
  readonly totals: readonly AttributionTotals[];
}

interface Sums {
  grossCents: number;
  discountCents: number;
  netCents: number;
  deals: Set<string>;
  /** Deals counted already by the source (data-driven results are stored per key, not per deal). */
  countedDeals?: number;
}

/**
 * A credit already summed per key: the data-driven models' result of one period's game, stored per campaign
 * or channel rather than per deal. `deals` is how many converting deals' journeys held the key.
 */
export interface AggregateCredit {
  readonly model: string;
  readonly key: string | null;
  readonly currency: string;
  readonly netCents: number;
  readonly deals: number;
}

interface Bucket {
  readonly currency: string;
  readonly key: string | null;
  readonly byModel: Map<string, Sums>;
  spendCents: number | null;
}

export class AttributionAccumulator {
  private readonly buckets = new Map<string, Bucket>();
  private readonly seenModels = new Set<string>();
  private readonly aggregateTotals = new Map<string, number>();
  private readonly wanted: ReadonlySet<string> | undefined;

  constructor(private readonly options: AttributionTableOptions) {
    this.wanted = options.models ? new Set(options.models) : undefined;
  }

  add(row: CreditRow): void {
    if (this.wanted && !this.wanted.has(row.model)) return;
    checkCurrency(row.currency);
    if (
      !Number.isSafeInteger(row.grossCents) ||
      !Number.isSafeInteger(row.netCents) ||
      !Number.isSafeInteger(row.discountCents) ||
      row.netCents + row.discountCents !== row.grossCents
    ) {
      throw new ReportInputError(
        'invalid_credit',
        `credit of deal ${row.dealId} (${row.model}): gross ${row.grossCents} ≠ net ${row.netCents} + discount ${row.discountCents}`,
      );
    }
    this.seenModels.add(row.model);
    const bucket = this.bucket(
      row.currency,
      this.options.by === 'campaign' ? row.campaign : row.channel,
    );
    let sums = bucket.byModel.get(row.model);
    if (!sums) {
      sums = { grossCents: 0, discountCents: 0, netCents: 0, deals: new Set() };
      bucket.byModel.set(row.model, sums);
    }
    sums.grossCents += row.grossCents;
    sums.discountCents += row.discountCents;
    sums.netCents += row.netCents;
    if (row.netCents !== 0 || row.grossCents !== 0) sums.deals.add(row.dealId);
  }

  addAggregate(credit: AggregateCredit): void {
    if (this.wanted && !this.wanted.has(credit.model)) return;
    checkCurrency(credit.currency);
    if (!Number.isSafeInteger(credit.netCents) || !Number.isSafeInteger(credit.deals)) {
      throw new ReportInputError(
        'invalid_credit',
        `${credit.model} credit of ${credit.key ?? 'no campaign'}: ${credit.netCents} is not whole cents`,
      );
    }
    this.seenModels.add(credit.model);
    const bucket = this.bucket(credit.currency, credit.key);
    let sums = bucket.byModel.get(credit.model);
    if (!sums) {
      sums = { grossCents: 0, discountCents: 0, netCents: 0, deals: new Set(), countedDeals: 0 };
      bucket.byModel.set(credit.model, sums);
    }
    // Data-driven value is attributed from the deals' amounts, with no discount split.
    sums.grossCents += credit.netCents;
    sums.netCents += credit.netCents;
    sums.countedDeals = (sums.countedDeals ?? 0) + credit.deals;
  }

  /** Converting deals behind an aggregate model's totals in one currency (a deal holds several keys). */
  addAggregateDeals(model: string, currency: string, deals: number): void {
    const id = `${currency}\u0000${model}`;
    this.aggregateTotals.set(id, (this.aggregateTotals.get(id) ?? 0) + deals);
  }

  addSpend(spend: SpendRow): void {
    checkCurrency(spend.currency);
    if (!Number.isSafeInteger(spend.spendCents) || spend.spendCents < 0) {
      throw new ReportInputError(
        'invalid_spend',
        `spend ${spend.spendCents} is not a non-negative whole number of cents`,
      );
    }
    const bucket = this.bucket(spend.currency, spend.key);
    bucket.spendCents = (bucket.spendCents ?? 0) + spend.spendCents;
  }

  /** The table so far; SQL counts are per campaign (or channel) and shown on each of its currency rows. */
  table(sqlCounts?: Iterable<SqlCount>): AttributionTable {
    const models = this.options.models ? [...this.options.models] : [...this.seenModels].sort();
    const sqlsByKey = sqlCounts ? sumSqls(sqlCounts) : undefined;
    const rows = [...this.buckets.values()]
      .sort((a, b) => compareText(a.currency, b.currency) || compareKeys(a.key, b.key))
      .map((bucket) => toRow(bucket, models, sqlsByKey));
    return {
      by: this.options.by,
      models,
      rows,
      totals: totalsOf([...this.buckets.values()], models, this.aggregateTotals),
    };
  }

  private bucket(currency: string, key: string | null): Bucket {
    const id = `${currency}\u0000${key === null ? '\u0001' : `k${key}`}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { currency, key, byModel: new Map(), spendCents: null };
      this.buckets.set(id, bucket);
    }
    return bucket;
  }
}

export function buildAttributionTable(
  credits: Iterable<CreditRow>,
  options: AttributionTableOptions & {
    readonly spend?: Iterable<SpendRow>;
    readonly sqlCounts?: Iterable<SqlCount>;
  },
): AttributionTable {
  const accumulator = new AttributionAccumulator(options);
  for (const credit of credits) accumulator.add(credit);
  for (const spend of options.spend ?? []) accumulator.addSpend(spend);
  return accumulator.table(options.sqlCounts);
}

function toRow(
  bucket: Bucket,
  models: readonly string[],
  sqlsByKey: Map<string | null, number> | undefined,
): AttributionTableRow {
  const figures: Record<string, ModelFigures> = {};
  for (const model of models) {
    const sums = bucket.byModel.get(model);
    const netCents = sums?.netCents ?? 0;
    figures[model] = {
      grossCents: sums?.grossCents ?? 0,
      discountCents: sums?.discountCents ?? 0,
      netCents,
      deals: (sums?.deals.size ?? 0) + (sums?.countedDeals ?? 0),
      roi: roiOf(netCents, bucket.spendCents),
    };
  }
  const sqls = sqlsByKey ? (sqlsByKey.get(bucket.key) ?? 0) : null;
  return {
    currency: bucket.currency,
    key: bucket.key,
    models: figures,
    spread: spreadOf(figures, models),
    spendCents: bucket.spendCents,
    sqls,
    costPerSqlCents:
      bucket.spendCents !== null && sqls !== null && sqls > 0
        ? divideRoundHalfUp(bucket.spendCents, sqls)
        : null,
  };
}

function spreadOf(
  figures: Record<string, ModelFigures>,
  models: readonly string[],
): ModelSpread | null {
  if (models.length === 0) return null;
  let minModel = models[0]!;
  let maxModel = models[0]!;
  for (const model of models) {
    if (figures[model]!.netCents < figures[minModel]!.netCents) minModel = model;
    if (figures[model]!.netCents > figures[maxModel]!.netCents) maxModel = model;
  }
  const minNetCents = figures[minModel]!.netCents;
  const maxNetCents = figures[maxModel]!.netCents;
  return {
    minNetCents,
    maxNetCents,
    minModel,
    maxModel,
    ratio: minNetCents > 0 ? maxNetCents / minNetCents : null,
  };
}

function totalsOf(
  buckets: readonly Bucket[],
  models: readonly string[],
  aggregateDeals: ReadonlyMap<string, number>,
): AttributionTotals[] {
  const byCurrency = new Map<string, { models: Map<string, Sums>; spendCents: number | null }>();
  for (const bucket of buckets) {
    let total = byCurrency.get(bucket.currency);
    if (!total) {
      total = { models: new Map(), spendCents: null };
      byCurrency.set(bucket.currency, total);
    }
    if (bucket.spendCents !== null) total.spendCents = (total.spendCents ?? 0) + bucket.spendCents;
    for (const [model, sums] of bucket.byModel) {
      let into = total.models.get(model);
      if (!into) {
        into = { grossCents: 0, discountCents: 0, netCents: 0, deals: new Set() };
        total.models.set(model, into);
      }
      into.grossCents += sums.grossCents;
      into.discountCents += sums.discountCents;
      into.netCents += sums.netCents;
      for (const deal of sums.deals) into.deals.add(deal);
    }
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([currency, total]) => {
      const figures: Record<string, ModelFigures> = {};
      for (const model of models) {
        const sums = total.models.get(model);
        const netCents = sums?.netCents ?? 0;
        figures[model] = {
          grossCents: sums?.grossCents ?? 0,
          discountCents: sums?.discountCents ?? 0,
          netCents,
          deals: (sums?.deals.size ?? 0) + (aggregateDeals.get(`${currency}\u0000${model}`) ?? 0),
          roi: roiOf(netCents, total.spendCents),
        };
      }
      return { currency, models: figures, spendCents: total.spendCents };
    });
}

function roiOf(netCents: number, spendCents: number | null): number | null {
  return spendCents !== null && spendCents > 0 ? (netCents - spendCents) / spendCents : null;
}

function sumSqls(counts: Iterable<SqlCount>): Map<string | null, number> {
  const result = new Map<string | null, number>();
  for (const { key, sqls } of counts) {
    if (!Number.isSafeInteger(sqls) || sqls < 0) {
      throw new ReportInputError(
        'invalid_sql_count',
        `SQL count ${sqls} is not a non-negative whole number`,
      );
    }
    result.set(key, (result.get(key) ?? 0) + sqls);
  }
  return result;
}

function divideRoundHalfUp(cents: number, by: number): number {
  const quotient = Math.floor(cents / by);
  return (cents - quotient * by) * 2 >= by ? quotient + 1 : quotient;
}

function checkCurrency(currency: string): void {
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new ReportInputError(
      'invalid_currency',
      `"${currency}" is not an ISO 4217 currency code`,
    );
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Named rows first, alphabetically; the row of credit or spend with no campaign last. */
function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareText(a, b);
}
