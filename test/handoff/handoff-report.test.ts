import {
  type HandoffReportRecord,
  handoffReportRows,
  percentile,
} from '../../src/handoff/handoff-report';

const H = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const NOW = t('2026-12-10T00:00:00Z');

function record(overrides: Partial<HandoffReportRecord>): HandoffReportRecord {
  return {
    mqlAt: t('2026-11-03T10:00:00Z'),
    source: 'PAID_SEARCH',
    campaign: 'black-friday',
    ...overrides,
  };
}

const assigned = t('2026-11-03T10:01:00Z');
const due = t('2026-11-03T14:01:00Z');
const records: HandoffReportRecord[] = [
  // met, accepted, became SQL
  record({
    assignedAt: assigned,
    dueAt: due,
    firstTouchAt: assigned + 1 * H,
    acceptedAt: assigned + 2 * H,
    sqlAt: assigned + 2 * H,
  }),
  // met, rejected bad fit
  record({
    assignedAt: assigned,
    dueAt: due,
    firstTouchAt: assigned + 2 * H,
    rejectedAt: assigned + 2 * H,
    rejectReason: 'bad_fit',
  }),
  // breached by the sweeper, then accepted late
  record({
    assignedAt: assigned,
    dueAt: due,
    breachedAt: due,
    firstTouchAt: assigned + 10 * H,
    acceptedAt: assigned + 10 * H,
    sqlAt: assigned + 10 * H,
  }),
  // touched late, rejected as a student (no breach marked yet: the touch decides)
  record({
    assignedAt: assigned,
    dueAt: due,
    firstTouchAt: assigned + 5 * H,
    rejectedAt: assigned + 5 * H,
    rejectReason: 'student_or_job_seeker',
  }),
  // untouched and overdue at NOW
  record({ assignedAt: assigned, dueAt: due }),
  // never assigned
  record({}),
  // other source, same month
  record({
    source: 'ORGANIC_SEARCH',
    assignedAt: assigned,
    dueAt: due,
    firstTouchAt: assigned + 3 * H,
    rejectedAt: assigned + 3 * H,
    rejectReason: 'bad_fit',
  }),
  // next month, still within its SLA at NOW
  record({
    mqlAt: t('2026-12-09T22:00:00Z'),
    assignedAt: t('2026-12-09T22:00:00Z'),
    dueAt: t('2026-12-10T13:00:00Z'),
  }),
  // no source at all
  record({ source: null, mqlAt: t('2026-11-30T23:30:00Z') }),
];

describe('handoffReportRows', () => {
  it('summarises per month and source', () => {
    const rows = handoffReportRows(records, {
      period: 'month',
      by: 'source',
      timezone: 'UTC',
      now: NOW,
    });
    expect(rows.map((row) => [row.period, row.key, row.mqls])).toEqual([
      ['2026-11', 'PAID_SEARCH', 6],
      ['2026-11', '(none)', 1],
      ['2026-11', 'ORGANIC_SEARCH', 1],
      ['2026-12', 'PAID_SEARCH', 1],
    ]);
    expect(rows[0]).toEqual({
      period: '2026-11',
      periodStart: t('2026-11-01T00:00:00Z'),
      key: 'PAID_SEARCH',
      mqls: 6,
      assigned: 5,
      accepted: 2,
      rejected: 2,
      rejectedByReason: { bad_fit: 1, student_or_job_seeker: 1 },
      breached: 3,
      convertedToSql: 2,
      medianSystemDelayMs: 60_000, // every assignment a minute after the MQL event
      p90SystemDelayMs: 60_000,
      medianRepDelayMs: 3.5 * H, // delays 1, 2, 5, 10 h
      p90RepDelayMs: 8.5 * H,
      slaCompliancePct: 40, // met 2 of 5 decided (2 met, 1 marked, 1 late, 1 overdue)
    });
    expect(rows[3]).toMatchObject({
      breached: 0,
      slaCompliancePct: null,
      medianRepDelayMs: null,
      medianSystemDelayMs: 0,
    });
  });

  it('cuts periods in the report time zone', () => {
    const rows = handoffReportRows(records, {
      period: 'month',
      by: 'campaign',
      timezone: 'Asia/Tokyo',
      now: NOW,
    });
    // 2026-11-30T23:30Z is already December 1st in Tokyo.
    expect(rows.map((row) => [row.period, row.key, row.mqls])).toEqual([
      ['2026-11', 'black-friday', 7],
      ['2026-12', 'black-friday', 2],
    ]);
  });

  it('groups by the assigned owner, unassigned episodes under (none)', () => {
    const owned = [
      { mqlAt: NOW - 5 * H, owner: '101', assignedAt: NOW - 5 * H },
      { mqlAt: NOW - 4 * H, owner: '101', assignedAt: NOW - 4 * H },
      { mqlAt: NOW - 3 * H, owner: '202', assignedAt: NOW - 3 * H },
      { mqlAt: NOW - 2 * H, owner: null },
    ];
    const rows = handoffReportRows(owned, {
      period: 'quarter',
      by: 'owner',
      timezone: 'UTC',
      now: NOW,
    });
    expect(rows.map((row) => [row.key, row.mqls, row.assigned])).toEqual([
      ['101', 2, 2],
      ['(none)', 1, 0],
      ['202', 1, 1],
    ]);
  });

  it.each([
    ['day', '2026-11-03'],
    ['week', '2026-W45'],
    ['quarter', '2026-Q4'],
  ] as const)('labels %s periods', (period, label) => {
    const rows = handoffReportRows([records[0]!], {
      period,
      by: 'source',
      timezone: 'UTC',
      now: NOW,
    });
    expect(rows[0]!.period).toBe(label);
  });
});

describe('percentile', () => {
  it.each([
    [[], 0.5, null],
    [[7], 0.9, 7],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[10, 1, 5], 0.5, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
  ])('%j at %d → %d', (values, q, expected) => {
    const result = percentile(values, q);
    if (expected === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(expected, 10);
  });
});
