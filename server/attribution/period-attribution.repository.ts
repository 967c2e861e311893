import type { Kysely } from 'kysely';

import { DATA_DRIVEN_MODELS } from '../../src/attribution/period-attribution';
import type { AttributionAccumulator, ReportDimension } from '../../src/reports/attribution-report';
import type { ReportRange } from '../../src/reports/report-period';
import type { Database } from '../db/schema';

const DATA_DRIVEN: ReadonlySet<string> = new Set(DATA_DRIVEN_MODELS);

/**
 * Adds the stored data-driven results of the quarters inside the range to a report. A quarter only partly
 * inside the range is left out: its game was played over the whole quarter and cannot be cut.
 */
export async function addPeriodCredits(
  db: Kysely<Database>,
  portalId: number,
  query: {
    readonly models: readonly string[];
    readonly range: ReportRange;
    readonly by: ReportDimension;
  },
  accumulator: AttributionAccumulator,
): Promise<void> {
  const models = query.models.filter((model) => DATA_DRIVEN.has(model));
  if (models.length === 0) return;
  const rows = await db
    .selectFrom('period_attribution')
    .select(['period', 'model', 'currency', 'key', 'value_cents', 'deals', 'converting'])
    .where('portal_id', '=', portalId)
    .where('dimension', '=', query.by)
    .where('model', 'in', models)
    .$if(query.range.start !== null, (qb) => qb.where('period_start', '>=', query.range.start!))
    .$if(query.range.end !== null, (qb) => qb.where('period_end', '<=', query.range.end!))
    .orderBy('period')
    .execute();
  const games = new Set<string>();
  for (const row of rows) {
    accumulator.addAggregate({
      model: row.model,
      key: row.key === '' ? null : row.key,
      currency: row.currency,
      netCents: Number(row.value_cents),
      deals: Number(row.deals),
    });
    const game = `${row.period}\u0000${row.model}\u0000${row.currency}`;
    if (!games.has(game)) {
      games.add(game);
      accumulator.addAggregateDeals(row.model, row.currency, Number(row.converting));
    }
  }
}

/**
 * The models of a `model=all` report: a data-driven model shows only when some quarter in the range has
 * results, since zeros for a game never played would read as "this model credits nothing" and skew the spread.
 */
export async function modelsWithResults(
  db: Kysely<Database>,
  portalId: number,
  query: {
    readonly models: readonly string[];
    readonly range: ReportRange;
    readonly by: ReportDimension;
  },
): Promise<string[]> {
  const dataDriven = query.models.filter((model) => DATA_DRIVEN.has(model));
  if (dataDriven.length === 0) return [...query.models];
  const rows = await db
    .selectFrom('period_attribution')
    .select('model')
    .distinct()
    .where('portal_id', '=', portalId)
    .where('dimension', '=', query.by)
    .where('model', 'in', dataDriven)
    .$if(query.range.start !== null, (qb) => qb.where('period_start', '>=', query.range.start!))
    .$if(query.range.end !== null, (qb) => qb.where('period_end', '<=', query.range.end!))
    .execute();
  const present = new Set(rows.map((row) => row.model));
  return query.models.filter((model) => !DATA_DRIVEN.has(model) || present.has(model));
}
