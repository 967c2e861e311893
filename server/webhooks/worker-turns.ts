import type { IntakeActivity } from './intake-activity';

/** Longest the worker works on without stepping aside while webhook requests wait (adds to their latency). */
export const MAX_TURN_MS = 20;

export interface WorkerTurnsOptions {
  /** Webhook requests in progress in this process; undefined: nobody to share with. */
  readonly activity?: IntakeActivity;
  /** Share of the time the worker keeps while requests are in flight (0 < share < 1). */
  readonly share: number;
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly nextTurnOfTheLoop?: () => Promise<void>;
}

/**
 * Shares the one event loop (and on SQLite the one connection) between the webhook worker and intake, so
 * that under a flood of webhooks neither starves: the worker keeps `share` of the time, intake gets the rest.
 *
 * The worker calls `between()` after each unit of work (a claimed slice). When it steps aside, intake's
 * requests run for as long as the event loop has them (one turn of I/O can take tens of ms under a flood);
 * the worker then works on for the same time scaled by share / (1 − share), up to MAX_TURN_MS, before it steps
 * aside again. While requests are in flight it also waits at least as long as its own work scaled the other
 * way, so intake gets its share even when its requests arrive in small pieces. With no request in flight it
 * only lets pending I/O run and carries on.
 */
export class WorkerTurns {
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly nextTurnOfTheLoop: () => Promise<void>;
  private turnStartedAt: number;
  private turnMs = 0;

  constructor(private readonly options: WorkerTurnsOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.nextTurnOfTheLoop =
      options.nextTurnOfTheLoop ?? (() => new Promise((resolve) => setImmediate(resolve)));
    this.turnStartedAt = this.clock();
  }

  /** Returns at once while the worker's turn lasts; otherwise steps aside for intake first. */
  async between(): Promise<void> {
    const { activity, share } = this.options;
    const busyMs = this.clock() - this.turnStartedAt;
    if (busyMs < this.turnMs) return;
    const started = this.clock();
    await this.nextTurnOfTheLoop();
    if (activity) {
      const until = started + intakePauseMs(busyMs, share);
      while (activity.inFlight > 0 && this.clock() < until) await this.sleep(1);
    }
    const awayMs = this.clock() - started;
    this.turnStartedAt = this.clock();
    this.turnMs =
      activity && activity.inFlight > 0 ? Math.min(MAX_TURN_MS, (awayMs * share) / (1 - share)) : 0;
  }
}

/**
 * How long the worker steps aside after `busyMs` of work while webhook requests are in flight, so that intake
 * gets at least (1 − share) of the time: busy / (busy + pause) ≤ share. Capped at MAX_TURN_MS.
 */
export function intakePauseMs(busyMs: number, share: number): number {
  return Math.min(MAX_TURN_MS, Math.max(0, (busyMs * (1 - share)) / share));
}
