import { DateTime } from 'luxon';

import type { OwnerSettings, SlaSettings } from './handoff-settings';

/**
 * The SLA clock: due = assignment + N working hours in the owner's time zone, counting only the configured
 * working days and hours and skipping holidays. Every working window is computed from local wall-clock times
 * in that zone, so nights, weekends, time-zone differences and DST changes come out right: a window that
 * spans a DST change counts the real hours it lasted.
 */

export const HOUR_MS = 3_600_000;
const MAX_DAYS_SCANNED = 3_700;

export interface WorkingCalendar {
  readonly timezone: string;
  /** ISO weekdays, 1 = Monday. */
  readonly workingDays: readonly number[];
  readonly workingHours: { readonly start: string; readonly end: string };
  /** Local dates (YYYY-MM-DD) with no working time. */
  readonly holidays: readonly string[];
}

/** The owner's calendar: their time zone and hours where set, the SLA defaults otherwise. */
export function calendarFor(
  sla: Pick<SlaSettings, 'timezone' | 'workingDays' | 'workingHours' | 'holidays'>,
  owner?: Pick<OwnerSettings, 'timezone' | 'workingHours'>,
): WorkingCalendar {
  return {
    timezone: owner?.timezone ?? sla.timezone,
    workingDays: sla.workingDays,
    workingHours: owner?.workingHours ?? sla.workingHours,
    holidays: sla.holidays,
  };
}

/**
 * The instant at which `durationMs` of working time has passed since `start`. A zero duration gives the next
 * moment the clock runs (the start itself when it falls inside working hours).
 */
export function addWorkingTime(
  start: number,
  durationMs: number,
  calendar: WorkingCalendar,
): number {
  let remaining = Math.max(0, durationMs);
  for (const [open, close] of workingWindows(start, calendar)) {
    const from = Math.max(start, open);
    if (from >= close) continue;
    if (remaining <= close - from) return from + remaining;
    remaining -= close - from;
  }
  throw new Error(
    `no working time within ${MAX_DAYS_SCANNED} days of ${new Date(start).toISOString()}`,
  );
}

/** Working time between two instants (0 when `to` is not after `from`). */
export function workingTimeBetween(from: number, to: number, calendar: WorkingCalendar): number {
  if (to <= from) return 0;
  let total = 0;
  for (const [open, close] of workingWindows(from, calendar)) {
    if (open >= to) break;
    total += Math.max(0, Math.min(close, to) - Math.max(open, from));
  }
  return total;
}

export interface SlaTimes {
  readonly assignedAt: number;
  readonly dueAt: number;
  /** When the reminder goes out: `reminderBeforeMinutes` of working time before the due time. */
  readonly reminderAt: number;
}

export function slaTimes(
  assignedAt: number,
  sla: Pick<SlaSettings, 'hours' | 'reminderBeforeMinutes'>,
  calendar: WorkingCalendar,
): SlaTimes {
  const slaMs = sla.hours * HOUR_MS;
  const reminderBeforeMs = sla.reminderBeforeMinutes * 60_000;
  return {
    assignedAt,
    dueAt: addWorkingTime(assignedAt, slaMs, calendar),
    reminderAt: addWorkingTime(assignedAt, Math.max(0, slaMs - reminderBeforeMs), calendar),
  };
}

export type SlaStatus =
  | { readonly state: 'running'; readonly remainingMs: number; readonly remainingWorkingMs: number }
  | { readonly state: 'met'; readonly marginMs: number }
  | { readonly state: 'breached'; readonly overdueMs: number; readonly touchedLate: boolean };

/** Where the clock stands at `now`: still running, met by a first touch in time, or breached. */
export function slaStatus(
  times: Pick<SlaTimes, 'dueAt'>,
  firstTouchAt: number | undefined,
  now: number,
  calendar: WorkingCalendar,
): SlaStatus {
  if (firstTouchAt !== undefined && firstTouchAt <= now) {
    return firstTouchAt <= times.dueAt
      ? { state: 'met', marginMs: times.dueAt - firstTouchAt }
      : { state: 'breached', overdueMs: firstTouchAt - times.dueAt, touchedLate: true };
  }
  if (now > times.dueAt)
    return { state: 'breached', overdueMs: now - times.dueAt, touchedLate: false };
  return {
    state: 'running',
    remainingMs: times.dueAt - now,
    remainingWorkingMs: workingTimeBetween(now, times.dueAt, calendar),
  };
}

export interface HandoffDelays {
  /** Event (became MQL) → assignment: Truce's and HubSpot's share of the wait. */
  readonly systemDelayMs: number | undefined;
  /** Assignment → first sales touch, wall-clock. */
  readonly repDelayMs: number | undefined;
  /** Assignment → first sales touch, counting only the owner's working time. */
  readonly repDelayWorkingMs: number | undefined;
}

export function handoffDelays(
  times: { readonly eventAt: number; readonly assignedAt?: number; readonly firstTouchAt?: number },
  calendar: WorkingCalendar,
): HandoffDelays {
  const { eventAt, assignedAt, firstTouchAt } = times;
  const touched = assignedAt !== undefined && firstTouchAt !== undefined;
  return {
    systemDelayMs: assignedAt === undefined ? undefined : Math.max(0, assignedAt - eventAt),
    repDelayMs: touched ? Math.max(0, firstTouchAt - assignedAt) : undefined,
    repDelayWorkingMs: touched ? workingTimeBetween(assignedAt, firstTouchAt, calendar) : undefined,
  };
}

/** Working windows [open, close) in epoch ms, day by day from the local day containing `from`. */
function* workingWindows(from: number, calendar: WorkingCalendar): Generator<[number, number]> {
  const [startHour, startMinute] = clock(calendar.workingHours.start);
  const [endHour, endMinute] = clock(calendar.workingHours.end);
  let day = DateTime.fromMillis(from, { zone: calendar.timezone }).startOf('day');
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned += 1) {
    if (
      calendar.workingDays.includes(day.weekday) &&
      !calendar.holidays.includes(day.toISODate()!)
    ) {
      const open = day.set({ hour: startHour, minute: startMinute }).toMillis();
      const close =
        endHour === 24
          ? day.plus({ days: 1 }).startOf('day').toMillis()
          : day.set({ hour: endHour, minute: endMinute }).toMillis();
      if (close > open) yield [open, close];
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
}

function clock(time: string): [number, number] {
  const [hours, minutes] = time.split(':').map(Number);
  return [hours!, minutes!];
}
