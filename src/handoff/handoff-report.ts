import { DateTime } from 'luxon';

/**
 * Handoff report rows per period and per source, campaign or owner: the numbers marketing and sales argue about,
 * computed one way for both. Counts use the time each thing happened on the episode (not only its current
 * status), so a lead that breached and was then accepted counts in both columns.
 */

export const REPORT_PERIODS = ['day', 'week', 'month', 'quarter'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];
export const REPORT_GROUPINGS = ['source', 'campaign', 'owner'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

export const NO_KEY = '(none)';

export interface HandoffReportRecord {
  /** When the contact became an MQL (the episode's start); decides the period. */
  readonly mqlAt: number;
  readonly source?: string | null;
  readonly campaign?: string | null;
  /** The HubSpot owner id the episode was assigned to. */
  readonly owner?: string | null;
  readonly assignedAt?: number | null;
  readonly dueAt?: number | null;
  readonly firstTouchAt?: number | null;
  readonly acceptedAt?: number | null;
  readonly rejectedAt?: number | null;
  readonly rejectReason?: string | null;
  readonly breachedAt?: number | null;
  /** When the contact reached the accepted lifecycle stage (SQL) or beyond. */
  readonly sqlAt?: number | null;
}

export interface HandoffReportOptions {
  readonly period: ReportPeriod;
  readonly by: ReportGrouping;
  /** Time zone the periods are cut in. */
  readonly timezone: string;
  /** Open episodes past their due time count as breached from `now` on. */
  readonly now: number;
}

export interface HandoffReportRow {
  readonly period: string;
  readonly periodStart: number;
  readonly key: string;
  readonly mqls: number;
  readonly assigned: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly breached: number;
  readonly convertedToSql: number;
  /** Became MQL → assigned: Truce's and HubSpot's share of the wait, apart from the rep's. */
  readonly medianSystemDelayMs: number | null;
  readonly p90SystemDelayMs: number | null;
  readonly medianRepDelayMs: number | null;
  readonly p90RepDelayMs: number | null;
  /** First touches by the due time over episodes whose SLA outcome is known; null when none is. */
  readonly slaCompliancePct: number | null;
}

export function handoffReportRows(
  records: readonly HandoffReportRecord[],
  options: HandoffReportOptions,
): HandoffReportRow[] {
  const groups = new Map<
    string,
    { period: string; periodStart: number; key: string; records: HandoffReportRecord[] }
  >();
  for (const record of records) {
    const start = periodStart(record.mqlAt, options);
    const period = periodLabel(start, options.period);
    const key = record[options.by]?.trim() || NO_KEY;
    const id = `${period}\u0000${key}`;
    const group = groups.get(id) ?? { period, periodStart: start.toMillis(), key, records: [] };
    group.records.push(record);
    groups.set(id, group);
  }
  return [...groups.values()]
    .map((group) =>
      summarise(group.period, group.periodStart, group.key, group.records, options.now),
    )
    .sort((a, b) => a.periodStart - b.periodStart || b.mqls - a.mqls || a.key.localeCompare(b.key));
}

function summarise(
  period: string,
  periodStartMs: number,
  key: string,
  records: readonly HandoffReportRecord[],
  now: number,
): HandoffReportRow {
  const rejectedByReason: Record<string, number> = {};
  let met = 0;
  let breachedSla = 0;
  const repDelays: number[] = [];
  const systemDelays: number[] = [];
  for (const record of records) {
    if (isSet(record.assignedAt)) systemDelays.push(Math.max(0, record.assignedAt - record.mqlAt));
    if (isSet(record.rejectedAt)) {
      const reason = record.rejectReason?.trim() || NO_KEY;
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
    }
    if (isSet(record.assignedAt) && isSet(record.firstTouchAt))
      repDelays.push(Math.max(0, record.firstTouchAt - record.assignedAt));
    const outcome = slaOutcome(record, now);
    if (outcome === 'met') met += 1;
    if (outcome === 'breached') breachedSla += 1;
  }
  const count = (pick: (record: HandoffReportRecord) => unknown) =>
    records.filter((record) => isSet(pick(record))).length;
  return {
    period,
    periodStart: periodStartMs,
    key,
    mqls: records.length,
    assigned: count((r) => r.assignedAt),
    accepted: count((r) => r.acceptedAt),
    rejected: count((r) => r.rejectedAt),
    rejectedByReason,
    breached: breachedSla,
    convertedToSql: count((r) => r.sqlAt),
    medianSystemDelayMs: wholeMs(percentile(systemDelays, 0.5)),
    p90SystemDelayMs: wholeMs(percentile(systemDelays, 0.9)),
    medianRepDelayMs: wholeMs(percentile(repDelays, 0.5)),
    p90RepDelayMs: wholeMs(percentile(repDelays, 0.9)),
    slaCompliancePct:
      met + breachedSla === 0 ? null : Math.round((1000 * met) / (met + breachedSla)) / 10,
  };
}

/** Met: first touch by the due time; breached: marked, touched late, or still untouched after it. */
function slaOutcome(
  record: HandoffReportRecord,
  now: number,
): 'met' | 'breached' | 'open' | 'none' {
  if (isSet(record.breachedAt)) return 'breached';
  if (!isSet(record.dueAt)) return 'none';
  if (isSet(record.firstTouchAt)) return record.firstTouchAt <= record.dueAt ? 'met' : 'breached';
  return now > record.dueAt ? 'breached' : 'open';
}

/** Linear interpolation between closest ranks (the common "type 7" definition); null for no values. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

function periodStart(
  at: number,
  options: Pick<HandoffReportOptions, 'period' | 'timezone'>,
): DateTime {
  return DateTime.fromMillis(at, { zone: options.timezone }).startOf(options.period);
}

function periodLabel(start: DateTime, period: ReportPeriod): string {
  switch (period) {
    case 'day':
      return start.toISODate()!;
    case 'week':
      return start.toISOWeekDate()!.slice(0, 8);
    case 'month':
      return start.toFormat('yyyy-LL');
    case 'quarter':
      return `${start.year}-Q${start.quarter}`;
  }
}

/** Times are whole milliseconds everywhere in Truce. */
function wholeMs(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
