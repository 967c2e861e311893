import fc from 'fast-check';
import { DateTime } from 'luxon';

import { handoffSettingsSchema } from '../../src/handoff/handoff-settings';
import {
  addWorkingTime,
  calendarFor,
  handoffDelays,
  HOUR_MS,
  slaStatus,
  slaTimes,
  type WorkingCalendar,
  workingTimeBetween,
} from '../../src/handoff/sla-clock';

const sla = handoffSettingsSchema.parse({}).sla; // Mon–Fri 09:00–17:00 UTC, 4 h, reminder 60 min

function calendar(timezone: string, extra: Partial<WorkingCalendar> = {}): WorkingCalendar {
  return { ...calendarFor({ ...sla, timezone }), ...extra };
}

/** Local wall-clock time in a zone → epoch ms. */
function at(local: string, zone: string): number {
  const time = DateTime.fromISO(local, { zone });
  if (!time.isValid) throw new Error(`bad time ${local}`);
  return time.toMillis();
}

function local(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
}

describe('addWorkingTime: due = assignment + N working hours in the owner time zone', () => {
  it.each([
    // [label, zone, assigned (local), hours, due (local)]
    ['inside the day', 'UTC', '2026-11-18T10:00', 4, '2026-11-18T14:00'],
    ['ends exactly at closing', 'UTC', '2026-11-18T13:00', 4, '2026-11-18T17:00'],
    ['carries over the night', 'UTC', '2026-11-18T15:00', 4, '2026-11-19T11:00'],
    ['assigned at night starts at opening', 'UTC', '2026-11-18T22:30', 4, '2026-11-19T13:00'],
    ['assigned before opening', 'UTC', '2026-11-19T06:00', 1, '2026-11-19T10:00'],
    ['Friday afternoon runs into Monday', 'UTC', '2026-11-20T15:00', 4, '2026-11-23T11:00'],
    ['assigned on Saturday starts Monday', 'UTC', '2026-11-21T10:00', 4, '2026-11-23T13:00'],
    ['two working days', 'UTC', '2026-11-18T09:00', 16, '2026-11-19T17:00'],
    ['Sydney owner', 'Australia/Sydney', '2026-11-18T16:30', 2, '2026-11-19T10:30'],
    ['New York owner', 'America/New_York', '2026-11-18T16:00', 4, '2026-11-19T12:00'],
    // DST: Europe/Berlin leaves summer time on Sunday 2026-10-25 and enters it on 2026-03-29.
    [
      'Berlin, Friday before the autumn change',
      'Europe/Berlin',
      '2026-10-23T15:00',
      4,
      '2026-10-26T11:00',
    ],
    [
      'Berlin, Friday before the spring change',
      'Europe/Berlin',
      '2026-03-27T16:00',
      2,
      '2026-03-30T10:00',
    ],
    // America/New_York: 2026-03-08 spring forward, 2026-11-01 fall back.
    [
      'New York across spring forward',
      'America/New_York',
      '2026-03-06T16:00',
      3,
      '2026-03-09T11:00',
    ],
    ['New York across fall back', 'America/New_York', '2026-10-30T16:30', 1, '2026-11-02T09:30'],
  ])('%s', (_label, zone, assigned, hours, due) => {
    expect(local(addWorkingTime(at(assigned, zone), hours * HOUR_MS, calendar(zone)), zone)).toBe(
      due,
    );
  });

  it('gives the same instant whichever zone the caller thinks in', () => {
    const assigned = at('2026-11-18T20:00', 'UTC'); // 15:00 in New York, 05:00 next day in Tokyo
    expect(
      new Date(addWorkingTime(assigned, 4 * HOUR_MS, calendar('America/New_York'))).toISOString(),
    ).toBe(
      '2026-11-19T16:00:00.000Z', // 2 h left that day, 2 h from 09:00 EST (14:00Z)
    );
    expect(
      new Date(addWorkingTime(assigned, 4 * HOUR_MS, calendar('Asia/Tokyo'))).toISOString(),
    ).toBe(
      '2026-11-19T04:00:00.000Z', // 09:00 JST = 00:00Z, plus 4 h
    );
  });

  it('counts the real hours of a working window that spans a DST change', () => {
    // A 24-hour working day on the spring-forward Sunday in Berlin has only 23 hours.
    const cal = calendar('Europe/Berlin', {
      workingDays: [7],
      workingHours: { start: '00:00', end: '24:00' },
    });
    const start = at('2026-03-29T00:00', 'Europe/Berlin');
    expect(workingTimeBetween(start, at('2026-03-30T00:00', 'Europe/Berlin'), cal)).toBe(
      23 * HOUR_MS,
    );
    expect(local(addWorkingTime(start, 23 * HOUR_MS, cal), 'Europe/Berlin')).toBe(
      '2026-03-30T00:00',
    );
    expect(local(addWorkingTime(start, 3 * HOUR_MS, cal), 'Europe/Berlin')).toBe(
      '2026-03-29T04:00',
    );
  });

  it('skips holidays and honours custom working days and hours', () => {
    const cal = calendar('UTC', {
      holidays: ['2026-12-24', '2026-12-25'],
      workingDays: [1, 2, 3, 4, 5, 6],
      workingHours: { start: '08:30', end: '12:30' },
    });
    expect(local(addWorkingTime(at('2026-12-23T11:30', 'UTC'), 3 * HOUR_MS, cal), 'UTC')).toBe(
      '2026-12-26T10:30',
    );
  });

  it('takes the owner time zone and hours over the SLA defaults', () => {
    expect(
      calendarFor(sla, {
        timezone: 'Asia/Kolkata',
        workingHours: { start: '10:00', end: '19:00' },
      }),
    ).toEqual({
      timezone: 'Asia/Kolkata',
      workingDays: [1, 2, 3, 4, 5],
      workingHours: { start: '10:00', end: '19:00' },
      holidays: [],
    });
    expect(calendarFor(sla, {}).timezone).toBe('UTC');
  });

  it('refuses a calendar with no working time at all', () => {
    const cal = calendar('UTC', { workingHours: { start: '09:00', end: '09:00' } });
    expect(() => addWorkingTime(0, HOUR_MS, cal)).toThrow(/no working time/);
  });
});

describe('workingTimeBetween', () => {
  it.each([
    ['same day', '2026-11-18T10:00', '2026-11-18T12:30', 2.5],
    ['over a night', '2026-11-18T16:00', '2026-11-19T10:00', 2],
    ['over a weekend', '2026-11-20T16:00', '2026-11-23T10:00', 2],
    ['both outside hours', '2026-11-21T10:00', '2026-11-22T10:00', 0],
    ['reversed', '2026-11-18T12:00', '2026-11-18T10:00', 0],
  ])('%s', (_label, from, to, hours) => {
    expect(workingTimeBetween(at(from, 'UTC'), at(to, 'UTC'), calendar('UTC'))).toBe(
      hours * HOUR_MS,
    );
  });

  it('is the inverse of addWorkingTime', () => {
    const cal = calendar('America/Los_Angeles');
    for (let k = 0; k < 50; k += 1) {
      const start = Date.parse('2026-03-01T00:00:00Z') + k * 7.3 * HOUR_MS;
      const duration = ((k * 37) % 40) * 0.5 * HOUR_MS + 60_000;
      const due = addWorkingTime(start, duration, cal);
      expect(workingTimeBetween(start, due, cal)).toBe(duration);
    }
  });
});

describe('SLA clock properties in zones with and without DST', () => {
  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'Australia/Sydney',
    'Asia/Kolkata',
    'America/Santiago',
  ];
  const instant = fc.integer({
    min: Date.parse('2026-01-01T00:00:00Z'),
    max: Date.parse('2027-12-31T00:00:00Z'),
  });
  const duration = fc.integer({ min: 0, max: 60 * HOUR_MS });

  it('due time lands inside working hours, and exactly the asked working time has passed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, duration, (zone, start, ms) => {
        const cal = calendar(zone);
        const due = addWorkingTime(start, ms, cal);
        expect(workingTimeBetween(start, due, cal)).toBe(ms);
        const local = DateTime.fromMillis(due, { zone });
        expect(cal.workingDays).toContain(local.weekday);
        const minutes = local.hour * 60 + local.minute;
        expect(minutes).toBeGreaterThanOrEqual(9 * 60);
        expect(minutes).toBeLessThanOrEqual(17 * 60);
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('a later assignment or a longer SLA never gives an earlier due time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        instant,
        instant,
        duration,
        duration,
        (zone, a, b, d1, d2) => {
          const cal = calendar(zone);
          const [early, late] = a <= b ? [a, b] : [b, a];
          const [short, long] = d1 <= d2 ? [d1, d2] : [d2, d1];
          expect(addWorkingTime(early, short, cal)).toBeLessThanOrEqual(
            addWorkingTime(late, short, cal),
          );
          expect(addWorkingTime(early, short, cal)).toBeLessThanOrEqual(
            addWorkingTime(early, long, cal),
          );
        },
      ),
      { numRuns: 300, seed: 20261126 },
    );
  });
});

describe('slaTimes and slaStatus', () => {
  const cal = calendar('UTC');
  const times = slaTimes(at('2026-11-20T15:00', 'UTC'), sla, cal);

  it('puts the reminder one working hour before the due time', () => {
    expect(local(times.dueAt, 'UTC')).toBe('2026-11-23T11:00');
    expect(local(times.reminderAt, 'UTC')).toBe('2026-11-23T10:00');
  });

  it('sends the reminder at the start when the SLA is shorter than the reminder lead', () => {
    const short = slaTimes(
      at('2026-11-21T15:00', 'UTC'),
      { hours: 0.5, reminderBeforeMinutes: 60 },
      cal,
    );
    expect(local(short.reminderAt, 'UTC')).toBe('2026-11-23T09:00');
    expect(local(short.dueAt, 'UTC')).toBe('2026-11-23T09:30');
  });

  it.each([
    [
      'running over the weekend',
      undefined,
      '2026-11-21T12:00',
      { state: 'running', remainingMs: 47 * HOUR_MS, remainingWorkingMs: 2 * HOUR_MS },
    ],
    [
      'met by a touch before the due time',
      '2026-11-23T10:00',
      '2026-11-25T00:00',
      { state: 'met', marginMs: HOUR_MS },
    ],
    [
      'met exactly at the due time',
      '2026-11-23T11:00',
      '2026-11-23T11:00',
      { state: 'met', marginMs: 0 },
    ],
    [
      'breached, untouched',
      undefined,
      '2026-11-23T11:30',
      { state: 'breached', overdueMs: HOUR_MS / 2, touchedLate: false },
    ],
    [
      'breached, touched late',
      '2026-11-23T13:00',
      '2026-11-24T00:00',
      { state: 'breached', overdueMs: 2 * HOUR_MS, touchedLate: true },
    ],
    [
      'a touch in the future of now is not yet seen',
      '2026-11-23T10:00',
      '2026-11-23T09:30',
      { state: 'running', remainingMs: 1.5 * HOUR_MS, remainingWorkingMs: 1.5 * HOUR_MS },
    ],
  ])('%s', (_label, touch, now, expected) => {
    expect(slaStatus(times, touch ? at(touch, 'UTC') : undefined, at(now, 'UTC'), cal)).toEqual(
      expected,
    );
  });
});

describe('handoffDelays', () => {
  it('separates system delay (event → assignment) from rep delay (assignment → first touch)', () => {
    const cal = calendar('UTC');
    expect(
      handoffDelays(
        {
          eventAt: at('2026-11-20T16:59', 'UTC'),
          assignedAt: at('2026-11-20T17:01', 'UTC'),
          firstTouchAt: at('2026-11-23T09:30', 'UTC'),
        },
        cal,
      ),
    ).toEqual({
      systemDelayMs: 2 * 60_000,
      repDelayMs: 64.5 * HOUR_MS - 60_000,
      repDelayWorkingMs: 0.5 * HOUR_MS,
    });
    expect(handoffDelays({ eventAt: 0 }, cal)).toEqual({
      systemDelayMs: undefined,
      repDelayMs: undefined,
      repDelayWorkingMs: undefined,
    });
  });
});
