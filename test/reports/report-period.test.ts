import { ReportInputError } from '../../src/reports/report-input-error';
import {
  isInRange,
  parsePeriod,
  periodLabelOf,
  periodsIn,
  resolveReportRange,
} from '../../src/reports/report-period';

const utc = (iso: string) => Date.parse(iso);

describe('parsePeriod', () => {
  it.each<[string, string, string, string]>([
    ['2026', 'year', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
    ['2026-Q1', 'quarter', '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z'],
    ['2026-Q3', 'quarter', '2026-07-01T00:00:00Z', '2026-10-01T00:00:00Z'],
    ['2026-q4', 'quarter', '2026-10-01T00:00:00Z', '2027-01-01T00:00:00Z'],
    ['2026-02', 'month', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    ['2028-02-29', 'day', '2028-02-29T00:00:00Z', '2028-03-01T00:00:00Z'],
  ])('%s is the %s [%s, %s)', (label, granularity, start, end) => {
    expect(parsePeriod(label)).toMatchObject({ granularity, start: utc(start), end: utc(end) });
  });

  it('normalises the quarter label', () => {
    expect(parsePeriod(' 2026-q3 ').label).toBe('2026-Q3');
  });

  it('starts and ends a period at local midnight in the portal time zone', () => {
    expect(parsePeriod('2026-Q3', 'Europe/Berlin')).toMatchObject({
      start: utc('2026-06-30T22:00:00Z'),
      end: utc('2026-09-30T22:00:00Z'),
    });
    // The month in which clocks go back is an hour longer.
    const october = parsePeriod('2026-10', 'Europe/Berlin');
    expect(october.end - october.start).toBe((31 * 24 + 1) * 3_600_000);
  });

  it.each(['2026-Q5', '2026-13', '2026-02-30', 'Q3 2026', '26-07', '', '2026-7'])(
    'refuses %p',
    (label) => {
      expect(() => parsePeriod(label)).toThrow(ReportInputError);
    },
  );

  it('refuses an unknown time zone', () => {
    expect(() => parsePeriod('2026', 'Mars/Olympus')).toThrow(/not a time zone/);
  });
});

describe('resolveReportRange', () => {
  it('runs from the start of from to the end of to', () => {
    expect(resolveReportRange({ from: '2026-Q3', to: '2026-Q3' })).toEqual({
      start: utc('2026-07-01T00:00:00Z'),
      end: utc('2026-10-01T00:00:00Z'),
    });
    expect(resolveReportRange({ from: '2026-07-15', to: '2026-08' })).toEqual({
      start: utc('2026-07-15T00:00:00Z'),
      end: utc('2026-09-01T00:00:00Z'),
    });
  });

  it('leaves a missing end open', () => {
    expect(resolveReportRange({ from: '2026' })).toEqual({
      start: utc('2026-01-01T00:00:00Z'),
      end: null,
    });
    expect(resolveReportRange({})).toEqual({ start: null, end: null });
  });

  it.each([
    ['2026-Q4', '2026-Q3'],
    ['2026-08', '2026-07'],
    ['2026-07-02', '2026-07-01'],
    ['2027', '2026-12-31'],
  ])('refuses from %s after to %s', (from, to) => {
    let caught: unknown;
    try {
      resolveReportRange({ from, to });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReportInputError);
    expect(caught).toMatchObject({ code: 'invalid_range' });
    expect((caught as Error).message).toContain(`from ${from.toUpperCase()} is after to ${to}`);
  });

  it('tells whether a moment is inside', () => {
    const range = resolveReportRange({ from: '2026-Q3', to: '2026-Q3' });
    expect(isInRange(utc('2026-07-01T00:00:00Z'), range)).toBe(true);
    expect(isInRange(utc('2026-09-30T23:59:59.999Z'), range)).toBe(true);
    expect(isInRange(utc('2026-10-01T00:00:00Z'), range)).toBe(false);
    expect(isInRange(0, { start: null, end: null })).toBe(true);
  });
});

describe('periodLabelOf and periodsIn', () => {
  it.each<[string, 'year' | 'quarter' | 'month' | 'day', string, string]>([
    ['2026-09-30T23:30:00Z', 'quarter', 'UTC', '2026-Q3'],
    ['2026-09-30T23:30:00Z', 'quarter', 'Europe/Berlin', '2026-Q4'],
    ['2026-01-31T12:00:00Z', 'month', 'UTC', '2026-01'],
    ['2026-01-01T03:00:00Z', 'year', 'America/New_York', '2025'],
    ['2026-03-05T10:00:00Z', 'day', 'UTC', '2026-03-05'],
  ])('%s in %s (%s) is %s', (iso, granularity, zone, label) => {
    expect(periodLabelOf(utc(iso), granularity, zone)).toBe(label);
  });

  it('lists the months of a quarter and the quarters a range touches', () => {
    expect(periodsIn(parsePeriod('2026-Q3'), 'month').map((p) => p.label)).toEqual([
      '2026-07',
      '2026-08',
      '2026-09',
    ]);
    const range = { start: utc('2026-02-15T00:00:00Z'), end: utc('2026-07-02T00:00:00Z') };
    expect(periodsIn(range, 'quarter').map((p) => p.label)).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
    ]);
  });
});
