import { formatTable } from './demo-table';

/** The price columns of a `GET /api/v1/reports/attribution?format=json` row (money in major units). */
export interface PriceRealisationRow {
  readonly campaign: string | null;
  readonly model: string;
  readonly gross: number;
  readonly discount: number;
  readonly net: number;
}

const dollars = (major: number) => `$${Math.round(major).toLocaleString('en-US')}`;

/**
 * Gross (list price of the won deals' line items), discount and net per campaign under one model: the
 * discount follows the revenue, so a campaign that brings discounted deals shows it.
 */
export function formatPriceRealisation(
  rows: readonly PriceRealisationRow[],
  model: string,
): string {
  const byCampaign = new Map<string, { gross: number; discount: number; net: number }>();
  for (const row of rows) {
    if (row.model !== model) continue;
    const key = row.campaign ?? '(none)';
    const sums = byCampaign.get(key) ?? { gross: 0, discount: 0, net: 0 };
    sums.gross += row.gross;
    sums.discount += row.discount;
    sums.net += row.net;
    byCampaign.set(key, sums);
  }
  return formatTable(
    ['Campaign', 'Gross (list)', 'Discount', 'Net', 'Discount %'],
    [...byCampaign].map(([campaign, sums]) => [
      campaign,
      dollars(sums.gross),
      dollars(sums.discount),
      dollars(sums.net),
      sums.gross === 0 ? '–' : `${((sums.discount / sums.gross) * 100).toFixed(1)} %`,
    ]),
  );
}
