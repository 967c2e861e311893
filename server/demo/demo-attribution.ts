import type { Scenario } from '../../sandbox/scenario-types';
import { formatTable } from './demo-table';

/** One row of `GET /api/v1/reports/attribution?format=json&model=all&by=campaign`. */
export interface AttributionRow {
  readonly currency: string;
  /** null for touches without a campaign */
  readonly campaign: string | null;
  readonly model: string;
  readonly deals: number;
  readonly gross: number;
  readonly discount: number;
  readonly net: number;
  readonly spend: number | null;
  readonly roi: number | null;
}

export interface AttributionSummary {
  readonly models: readonly string[];
  readonly campaigns: readonly string[];
  /** Net credit per campaign per model, in major units (the report writes money as e.g. 10800.00). */
  readonly credit: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Half the sum of |model share − true revenue share| over the scenario's campaigns: 0 is perfect, 1 is disjoint. */
  readonly errorByModel: ReadonlyMap<string, number>;
}

const campaignOf = (row: AttributionRow) => row.campaign ?? '(none)';

export function summariseAttribution(
  scenario: Scenario,
  rows: readonly AttributionRow[],
): AttributionSummary {
  const models = [...new Set(rows.map((row) => row.model))];
  const campaigns = [...new Set(rows.map(campaignOf))];
  const credit = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const perModel = credit.get(campaignOf(row)) ?? new Map<string, number>();
    perModel.set(row.model, (perModel.get(row.model) ?? 0) + row.net);
    credit.set(campaignOf(row), perModel);
  }
  const errorByModel = new Map<string, number>();
  for (const model of models) {
    const total = scenario.truth.campaigns.reduce(
      (sum, c) => sum + (credit.get(c.name)?.get(model) ?? 0),
      0,
    );
    if (total === 0) continue;
    const distance = scenario.truth.campaigns.reduce(
      (sum, c) =>
        sum + Math.abs((credit.get(c.name)?.get(model) ?? 0) / total - c.trueRevenueShare),
      0,
    );
    errorByModel.set(model, distance / 2);
  }
  return { models, campaigns, credit, errorByModel };
}

const dollars = (major: number) => `$${Math.round(major).toLocaleString('en-US')}`;

export function formatAttributionTable(
  summary: AttributionSummary,
  rows: readonly AttributionRow[],
  scenario: Scenario,
): string {
  const spend = new Map(scenario.setup.campaigns.map((c) => [c.name, c.spendCents]));
  const truth = new Map(scenario.truth.campaigns.map((c) => [c.name, c.trueRevenueShare]));
  const roi = new Map<string, number[]>();
  for (const row of rows)
    if (row.roi !== null) roi.set(campaignOf(row), [...(roi.get(campaignOf(row)) ?? []), row.roi]);
  return formatTable(
    ['Campaign', ...summary.models, 'Spread (max/min)', 'Spend', 'ROI (min–max)', 'True share'],
    summary.campaigns.map((campaign) => {
      const values = summary.models.map((m) => summary.credit.get(campaign)?.get(m) ?? 0);
      const positive = values.filter((v) => v > 0);
      const spread =
        positive.length === values.length && positive.length > 0
          ? `${(Math.max(...values) / Math.min(...values)).toFixed(1)}×`
          : '–';
      const rois = roi.get(campaign) ?? [];
      const share = truth.get(campaign);
      return [
        campaign,
        ...values.map(dollars),
        spread,
        spend.has(campaign) ? dollars((spend.get(campaign) ?? 0) / 100) : '–',
        rois.length ? `${Math.min(...rois).toFixed(2)}–${Math.max(...rois).toFixed(2)}` : '–',
        share === undefined ? '–' : `${(share * 100).toFixed(1)} %`,
      ];
    }),
  );
}

export function formatModelError(summary: AttributionSummary): string {
  return formatTable(
    ['Model', 'Error vs true revenue share'],
    [...summary.errorByModel]
      .sort((a, b) => a[1] - b[1])
      .map(([model, error]) => [model, `${(error * 100).toFixed(1)} %`]),
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Grouped bars: credit per campaign, one bar per model, written as SVG text. */
export function creditChartSvg(summary: AttributionSummary): string {
  const palette = [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf',
    '#393b79',
    '#637939',
  ];
  const bar = 8;
  const group = summary.models.length * bar + 16;
  const left = 60;
  const top = 30;
  const height = 260;
  const width = left + summary.campaigns.length * group + 180;
  const max = Math.max(
    1,
    ...summary.campaigns.flatMap((c) =>
      summary.models.map((m) => summary.credit.get(c)?.get(m) ?? 0),
    ),
  );
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 120}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="18" font-size="14">Credit per campaign per attribution model (net, USD)</text>`,
    `<line x1="${left}" y1="${top + height}" x2="${left + summary.campaigns.length * group}" y2="${top + height}" stroke="#333"/>`,
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end">${escapeXml(dollars(max))}</text>`,
    `<text x="${left - 6}" y="${top + height}" text-anchor="end">$0</text>`,
  ];
  summary.campaigns.forEach((campaign, ci) => {
    const x0 = left + ci * group + 8;
    summary.models.forEach((model, mi) => {
      const value = summary.credit.get(campaign)?.get(model) ?? 0;
      const h = (value / max) * height;
      parts.push(
        `<rect x="${x0 + mi * bar}" y="${(top + height - h).toFixed(1)}" width="${bar - 1}" height="${h.toFixed(1)}" fill="${palette[mi % palette.length]}"><title>${escapeXml(`${campaign} · ${model}: ${dollars(value)}`)}</title></rect>`,
      );
    });
    const cx = x0 + (summary.models.length * bar) / 2;
    parts.push(
      `<text x="${cx}" y="${top + height + 12}" text-anchor="end" transform="rotate(-35 ${cx} ${top + height + 12})">${escapeXml(campaign)}</text>`,
    );
  });
  const legendX = left + summary.campaigns.length * group + 20;
  summary.models.forEach((model, mi) => {
    parts.push(
      `<rect x="${legendX}" y="${top + mi * 16}" width="10" height="10" fill="${palette[mi % palette.length]}"/>`,
      `<text x="${legendX + 16}" y="${top + mi * 16 + 9}">${escapeXml(model)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
