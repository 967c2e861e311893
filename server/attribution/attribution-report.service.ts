import type { Kysely } from 'kysely';

import { isModelName } from '../../src/attribution/models';
import {
  AttributionAccumulator,
  type CreditRow,
  type ReportDimension,
} from '../../src/reports/attribution-report';
import {
  attributionByModelView,
  attributionTotalsView,
  creditRowsView,
  modelsSideBySideView,
} from '../../src/reports/attribution-views';
import { ReportInputError } from '../../src/reports/report-input-error';
import { type ReportRange, resolveReportRange } from '../../src/reports/report-period';
import type { ReportView } from '../../src/reports/report-view';
import type { Settings } from '../config';
import type { Database } from '../db/schema';
import { AppError } from '../http/app-error';
import { EXPORT_FORMATS, type ExportFormat } from '../reports/export/report-writer';
import { spendInRange } from './campaign-spend.repository';
import { addPeriodCredits, modelsWithResults } from './period-attribution.repository';

export interface AttributionReportQuery {
  readonly models: readonly string[];
  readonly range: ReportRange;
  readonly by: ReportDimension;
  readonly format: ExportFormat;
  /** `table`: the campaign/channel table; `credits`: every stored per-deal credit row, streamed. */
  readonly view: 'table' | 'credits';
}

/**
 * Reads and checks a report request (query string or CLI flags): a model is one of the stored ones or `all`,
 * periods are `2026`, `2026-Q3`, `2026-07`, `2026-07-15`, and `from` must not be after `to`. Every refusal is
 * a 400 with the reason.
 */
export function parseReportQuery(
  raw: {
    model?: unknown;
    from?: unknown;
    to?: unknown;
    by?: unknown;
    format?: unknown;
    view?: unknown;
  },
  settings: Settings['attribution'],
): AttributionReportQuery {
  const text = (name: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      throw AppError.badRequest(`${name} must be given once`, 'invalid_query');
    return value;
  };
  const model = text('model', raw.model) ?? 'all';
  // Journey models are stored per deal; data-driven ones per period (truce attribute-period).
  const stored = [...settings.models, ...settings.dataDriven.models] as readonly string[];
  let models: readonly string[];
  if (model === 'all') models = stored;
  else if (!isModelName(model)) {
    throw AppError.badRequest(
      `unknown model "${model}": use all or one of ${stored.join(', ')}`,
      'unknown_model',
    );
  } else if (!stored.includes(model)) {
    throw AppError.badRequest(
      `model "${model}" is not computed for deals (configured: ${stored.join(', ')})`,
      'unknown_model',
    );
  } else models = [model];
  const by = text('by', raw.by) ?? 'campaign';
  if (by !== 'campaign' && by !== 'channel') {
    throw AppError.badRequest(`by must be campaign or channel, not "${by}"`, 'invalid_query');
  }
  const format = text('format', raw.format) ?? 'json';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw AppError.badRequest(
      `format must be one of ${EXPORT_FORMATS.join(', ')}, not "${format}"`,
      'invalid_query',
    );
  }
  const view = text('view', raw.view) ?? 'table';
  if (view !== 'table' && view !== 'credits') {
    throw AppError.badRequest(`view must be table or credits, not "${view}"`, 'invalid_query');
  }
  let range: ReportRange;
  try {
    range = resolveReportRange(
      { from: text('from', raw.from), to: text('to', raw.to) },
      settings.timeZone,
    );
  } catch (error) {
    if (error instanceof ReportInputError) throw AppError.badRequest(error.message, error.code);
    throw error;
  }
  return { models, range, by, format: format as ExportFormat, view };
}

const PAGE = 1_000;

/** Stored credits of deals closed in the range, page by page (keyset on id), so memory stays flat. */
export async function* storedCredits(
  db: Kysely<Database>,
  portalId: number,
  query: Pick<AttributionReportQuery, 'models' | 'range'>,
): AsyncIterable<CreditRow> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('attribution_credit')
      .selectAll()
      .where('portal_id', '=', portalId)
      .where('id', '>', after)
      .where('model', 'in', [...query.models])
      .$if(query.range.start !== null, (qb) => qb.where('closed_at', '>=', query.range.start!))
      .$if(query.range.end !== null, (qb) => qb.where('closed_at', '<', query.range.end!))
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      yield {
        dealId: String(row.deal_id),
        model: row.model,
        touchId: row.touchpoint_id === null ? null : String(row.touchpoint_id),
        campaign: row.campaign,
        channel: row.channel,
        currency: row.currency,
        grossCents: Number(row.gross_cents),
        discountCents: Number(row.discount_cents),
        netCents: Number(row.net_cents),
        period: row.period,
      };
    }
    if (rows.length < PAGE) return;
    after = Number(rows.at(-1)!.id);
  }
}

/**
 * The report's views: the table per model (long form) for CSV and JSON; for XLSX also the models side by
 * side with their spread and the totals per currency. Spend is per campaign, so it shows only `by=campaign`.
 */
export async function attributionReportViews(
  db: Kysely<Database>,
  portalId: number,
  asked: AttributionReportQuery,
): Promise<ReportView[]> {
  if (asked.view === 'credits') {
    // Per-deal rows exist for the journey models only; data-driven models are solved per period, not per deal.
    return [creditRowsView(storedCredits(db, portalId, asked))];
  }
  // One model asked by name is shown even if empty; `all` leaves out data-driven models never computed.
  const query =
    asked.models.length > 1
      ? { ...asked, models: await modelsWithResults(db, portalId, asked) }
      : asked;
  const accumulator = new AttributionAccumulator({ by: query.by, models: query.models });
  for await (const credit of storedCredits(db, portalId, query)) accumulator.add(credit);
  await addPeriodCredits(db, portalId, query, accumulator);
  if (query.by === 'campaign') {
    for (const spend of await spendInRange(db, portalId, query.range)) {
      accumulator.addSpend({
        key: spend.campaign,
        currency: spend.currency,
        spendCents: spend.cents,
      });
    }
  }
  const table = accumulator.table();
  const byModel = attributionByModelView(table);
  if (query.format !== 'xlsx') return [byModel];
  return [byModel, modelsSideBySideView(table), attributionTotalsView(table)];
}
