/**
 * The demo replays a quarter in seconds, so the service and the sandbox share one clock that jumps to each
 * scenario action's time and runs at wall-clock speed in between. Assignment times, SLA due times and
 * signature timestamps then follow the scenario's calendar, and the SLA report means what it says.
 */
export interface DemoClock {
  now(): number;
  /** Moves the clock to `at` (never backwards, so times stored by the service stay ordered). */
  advanceTo(at: number): void;
}

export function demoClock(start: number, wallClock: () => number = Date.now): DemoClock {
  let base = start;
  let setAt = wallClock();
  const now = () => base + (wallClock() - setAt);
  return {
    now,
    advanceTo(at) {
      base = Math.max(at, now());
      setAt = wallClock();
    },
  };
}
