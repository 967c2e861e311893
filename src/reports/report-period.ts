import { DateTime, IANAZone } from 'luxon';

import { ReportInputError } from './report-input-error';

/**
 * Report periods as people write them: `2026` (year), `2026-Q3` (quarter), `2026-07` (month), `2026-07-15`
 * (day). A period is the half-open interval [start, end) in epoch ms, in the portal's time zone, so a quarter
 * closes at local midnight and not at UTC's.
 */

export type PeriodGranularity = 'year' | 'quarter' | 'month' | 'day';

export interface Period {
  readonly label: string;
  readonly granularity: PeriodGranularity;
  readonly start: number;
  readonly end: number;
}

export interface ReportRange {
  /** Inclusive start, epoch ms; `null` when open. */
  readonly start: number | null;
  /** Exclusive end, epoch ms; `null` when open. */
  readonly end: number | null;
}

const PATTERNS: readonly [RegExp, PeriodGranularity][] = [
  [/^(\d{4})$/, 'year'],
  [/^(\d{4})-Q([1-4])$/i, 'quarter'],
  [/^(\d{4})-(\d{2})$/, 'month'],
  [/^(\d{4})-(\d{2})-(\d{2})$/, 'day'],
];

export function parsePeriod(label: string, zone = 'UTC'): Period {
  const text = label.trim();
  checkZone(zone);
  for (const [pattern, granularity] of PATTERNS) {
    const match = pattern.exec(text);
    if (!match) continue;
    const year = Number(match[1]);
    const first =
      granularity === 'year'
        ? DateTime.fromObject({ year, month: 1, day: 1 }, { zone })
        : granularity === 'quarter'
          ? DateTime.fromObject({ year, month: (Number(match[2]) - 1) * 3 + 1, day: 1 }, { zone })
          : granularity === 'month'
            ? DateTime.fromObject({ year, month: Number(match[2]), day: 1 }, { zone })
            : DateTime.fromObject(
                { year, month: Number(match[2]), day: Number(match[3]) },
                { zone },
              );
    if (!first.isValid) {
      throw new ReportInputError('invalid_period', `"${text}" is not a real ${granularity}`);
    }
    const next = first.plus(granularity === 'quarter' ? { months: 3 } : { [`${granularity}s`]: 1 });
    return {
      label: granularity === 'quarter' ? text.toUpperCase() : text,
      granularity,
      start: first.toMillis(),
      end: next.toMillis(),
    };
  }
  throw new ReportInputError(
    'invalid_period',
    `"${text}" is not a period: use 2026, 2026-Q3, 2026-07 or 2026-07-15`,
  );
}

/**
 * The interval from the start of `from` to the end of `to` (so `from=2026-Q3&to=2026-Q3` is the whole
 * quarter). `from` after `to` — an empty interval — is an error, not an empty report.
 */
export function resolveReportRange(
  input: { readonly from?: string | undefined; readonly to?: string | undefined },
  zone = 'UTC',
): ReportRange {
  const from = input.from === undefined ? undefined : parsePeriod(input.from, zone);
  const to = input.to === undefined ? undefined : parsePeriod(input.to, zone);
  if (from && to && from.start >= to.end) {
    throw new ReportInputError('invalid_range', `from ${from.label} is after to ${to.label}`);
  }
  return { start: from?.start ?? null, end: to?.end ?? null };
}

/** The label of the period a moment falls in: `2026-Q3`, `2026-07`, … */
export function periodLabelOf(at: number, granularity: PeriodGranularity, zone = 'UTC'): string {
  checkZone(zone);
  const moment = DateTime.fromMillis(at, { zone });
  switch (granularity) {
    case 'year':
      return moment.toFormat('yyyy');
    case 'quarter':
      return `${moment.toFormat('yyyy')}-Q${moment.quarter}`;
    case 'month':
      return moment.toFormat('yyyy-MM');
    case 'day':
      return moment.toFormat('yyyy-MM-dd');
  }
}

/** Every period of one granularity that overlaps [start, end), in order. */
export function periodsIn(
  range: { readonly start: number; readonly end: number },
  granularity: PeriodGranularity,
  zone = 'UTC',
): Period[] {
  const periods: Period[] = [];
  let at = range.start;
  while (at < range.end) {
    const period = parsePeriod(periodLabelOf(at, granularity, zone), zone);
    periods.push(period);
    at = period.end;
  }
  return periods;
}

export function isInRange(at: number, range: ReportRange): boolean {
  return (range.start === null || at >= range.start) && (range.end === null || at < range.end);
}

function checkZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) {
    throw new ReportInputError('invalid_period', `"${zone}" is not a time zone`);
  }
}
