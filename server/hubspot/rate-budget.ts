/**
 * Keeps Truce under a portal's HubSpot request budget (a rolling 10-second window) and honours pauses that a
 * 429 asks for. Per portal, so one busy account never slows another. In-process: with several replicas, give
 * each a share of the account's budget (`hubspot.requestsPerTenSeconds`).
 */
export interface RateBudget {
  /** Resolves when one request for the portal may be sent now (and counts it). */
  take(portalId: number): Promise<void>;
  /** No request for the portal before `until` (epoch ms), e.g. after a 429. */
  pauseUntil(portalId: number, until: number): void;
}

export interface RateBudgetOptions {
  readonly requestsPerWindow: number;
  readonly windowMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const RECHECK_MS = 50;
/**
 * HubSpot counts a request when it arrives, and a request let through at the end of one window can arrive
 * a few milliseconds into the next (a slow event loop, a token refresh, the network). Counting each window as
 * this much longer keeps the arrivals inside the budget too.
 */
const ARRIVAL_SLACK_MS = 250;

export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const sent = new Map<number, number[]>();
  const pausedUntil = new Map<number, number>();
  // Callers for one portal queue behind each other so the window is checked and counted atomically.
  const queues = new Map<number, Promise<void>>();

  async function acquire(portalId: number): Promise<void> {
    for (;;) {
      const at = now();
      const pause = pausedUntil.get(portalId) ?? 0;
      if (pause > at) {
        // Re-read the clock at least every RECHECK_MS: an injected clock may move faster than the timer.
        await sleep(Math.min(pause - at, RECHECK_MS));
        continue;
      }
      const span = windowMs + ARRIVAL_SLACK_MS;
      const times = (sent.get(portalId) ?? []).filter((time) => time > at - span);
      if (times.length < options.requestsPerWindow) {
        times.push(at);
        sent.set(portalId, times);
        return;
      }
      sent.set(portalId, times);
      await sleep(Math.min(times[0]! + span - at + 1, RECHECK_MS));
    }
  }

  return {
    take(portalId) {
      const previous = queues.get(portalId) ?? Promise.resolve();
      const next = previous.then(() => acquire(portalId));
      queues.set(
        portalId,
        next.catch(() => undefined),
      );
      return next;
    },
    pauseUntil(portalId, until) {
      pausedUntil.set(portalId, Math.max(until, pausedUntil.get(portalId) ?? 0));
    },
  };
}
