import type { AttributionTable, CreditRow } from './attribution-report';
import type { ReportColumn, ReportRow, ReportView } from './report-view';

/**
 * The export views of the attribution report: the table per model (long), all models side by side with the
 * spread (wide), totals per currency, and the credit rows themselves (one line per deal, model and touch).
 */

const money = (key: string, header: string): ReportColumn => ({
  key,
  header,
  type: 'money',
  width: 14,
});

export function attributionByModelView(table: AttributionTable): ReportView {
  const columns: ReportColumn[] = [
    { key: 'currency', header: 'currency', type: 'text', width: 9 },
    { key: table.by, header: table.by, type: 'text', width: 32 },
    { key: 'model', header: 'model', type: 'text', width: 16 },
    { key: 'deals', header: 'deals', type: 'integer', width: 8 },
    money('gross', 'gross revenue'),
    money('discount', 'discount'),
    money('net', 'net revenue'),
    money('spend', 'spend'),
    { key: 'roi', header: 'ROI', type: 'percent', width: 10 },
    { key: 'sqls', header: 'SQLs', type: 'integer', width: 8 },
    money('cost_per_sql', 'cost per SQL'),
  ];
  function* rows(): Iterable<ReportRow> {
    for (const row of table.rows) {
      for (const model of table.models) {
        const figures = row.models[model]!;
        yield {
          currency: row.currency,
          [table.by]: row.key,
          model,
          deals: figures.deals,
          gross: figures.grossCents,
          discount: figures.discountCents,
          net: figures.netCents,
          spend: row.spendCents,
          roi: figures.roi,
          sqls: row.sqls,
          cost_per_sql: row.costPerSqlCents,
        };
      }
    }
  }
  return { name: 'by model', columns, rows: rows() };
}

export function modelsSideBySideView(table: AttributionTable): ReportView {
  const columns: ReportColumn[] = [
    { key: 'currency', header: 'currency', type: 'text', width: 9 },
    { key: table.by, header: table.by, type: 'text', width: 32 },
    ...table.models.map((model) => money(`net_${model}`, `${model} net`)),
    money('min', 'min'),
    money('max', 'max'),
    { key: 'max_min_ratio', header: 'max/min', type: 'ratio', width: 10 },
    money('spend', 'spend'),
    { key: 'sqls', header: 'SQLs', type: 'integer', width: 8 },
    money('cost_per_sql', 'cost per SQL'),
  ];
  function* rows(): Iterable<ReportRow> {
    for (const row of table.rows) {
      const cells: Record<string, string | number | null> = {
        currency: row.currency,
        [table.by]: row.key,
      };
      for (const model of table.models) cells[`net_${model}`] = row.models[model]!.netCents;
      cells.min = row.spread?.minNetCents ?? null;
      cells.max = row.spread?.maxNetCents ?? null;
      cells.max_min_ratio = row.spread?.ratio ?? null;
      cells.spend = row.spendCents;
      cells.sqls = row.sqls;
      cells.cost_per_sql = row.costPerSqlCents;
      yield cells;
    }
  }
  return { name: 'models side by side', columns, rows: rows() };
}

export function attributionTotalsView(table: AttributionTable): ReportView {
  const columns: ReportColumn[] = [
    { key: 'currency', header: 'currency', type: 'text', width: 9 },
    { key: 'model', header: 'model', type: 'text', width: 16 },
    { key: 'deals', header: 'deals', type: 'integer', width: 8 },
    money('gross', 'gross revenue'),
    money('discount', 'discount'),
    money('net', 'net revenue'),
    money('spend', 'spend'),
    { key: 'roi', header: 'ROI', type: 'percent', width: 10 },
  ];
  function* rows(): Iterable<ReportRow> {
    for (const total of table.totals) {
      for (const model of table.models) {
        const figures = total.models[model]!;
        yield {
          currency: total.currency,
          model,
          deals: figures.deals,
          gross: figures.grossCents,
          discount: figures.discountCents,
          net: figures.netCents,
          spend: total.spendCents,
          roi: figures.roi,
        };
      }
    }
  }
  return { name: 'totals', columns, rows: rows() };
}

export const CREDIT_COLUMNS: readonly ReportColumn[] = [
  { key: 'deal_id', header: 'deal_id', type: 'text', width: 14 },
  { key: 'model', header: 'model', type: 'text', width: 16 },
  { key: 'touch_id', header: 'touch_id', type: 'text', width: 14 },
  { key: 'period', header: 'period', type: 'text', width: 10 },
  { key: 'currency', header: 'currency', type: 'text', width: 9 },
  { key: 'campaign', header: 'campaign', type: 'text', width: 32 },
  { key: 'channel', header: 'channel', type: 'text', width: 18 },
  money('gross', 'gross'),
  money('discount', 'discount'),
  money('net', 'net'),
];

export function creditRowsView(
  credits: Iterable<CreditRow> | AsyncIterable<CreditRow>,
): ReportView {
  async function* rows(): AsyncIterable<ReportRow> {
    for await (const credit of credits) yield creditToReportRow(credit);
  }
  return { name: 'credits', columns: CREDIT_COLUMNS, rows: rows() };
}

export function creditToReportRow(credit: CreditRow): ReportRow {
  return {
    deal_id: credit.dealId,
    model: credit.model,
    touch_id: credit.touchId,
    period: credit.period,
    currency: credit.currency,
    campaign: credit.campaign,
    channel: credit.channel,
    gross: credit.grossCents,
    discount: credit.discountCents,
    net: credit.netCents,
  };
}
