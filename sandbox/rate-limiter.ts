export interface RateLimitOptions {
  /** Requests per rolling 10 s (HubSpot: 100–190 for private apps, 110 for marketplace apps). */
  readonly perTenSeconds?: number;
  /** Requests per day; unlimited when absent. */
  readonly daily?: number;
  /** CRM search requests per second (HubSpot: 5). */
  readonly searchPerSecond?: number;
  /**
   * Add `Retry-After` (seconds until the window frees a slot) to 429s. HubSpot does not promise this header;
   * it is opt-in so end-to-end tests can let clients that honour it retry without waiting a full window.
   */
  readonly sendRetryAfter?: boolean;
}

export type RateDecision =
  | { readonly allowed: true; readonly headers: Record<string, string> }
  | {
      readonly allowed: false;
      readonly policyName: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY';
      readonly headers: Record<string, string>;
    };

/**
 * HubSpot's per-account budgets: a rolling 10-second window, an optional daily count and the search
 * endpoints' own per-second limit. Rejected requests do not consume budget, as with HubSpot.
 */
export class RateLimiter {
  private readonly recent: number[] = [];
  private readonly recentSearches: number[] = [];
  private dayStart = 0;
  private dayCount = 0;
  perTenSeconds: number;
  daily: number | undefined;
  searchPerSecond: number;
  sendRetryAfter: boolean;

  constructor(
    options: RateLimitOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.perTenSeconds = options.perTenSeconds ?? 190;
    this.daily = options.daily;
    this.searchPerSecond = options.searchPerSecond ?? 5;
    this.sendRetryAfter = options.sendRetryAfter ?? false;
  }

  take(isSearch: boolean): RateDecision {
    const now = this.clock();
    prune(this.recent, now - 10_000);
    prune(this.recentSearches, now - 1_000);
    if (now - this.dayStart >= 86_400_000) {
      this.dayStart = now - (now % 86_400_000);
      this.dayCount = 0;
    }
    const headers = (used: number): Record<string, string> => ({
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
      'X-HubSpot-RateLimit-Max': String(this.perTenSeconds),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.perTenSeconds - used)),
      ...(this.daily !== undefined
        ? {
            'X-HubSpot-RateLimit-Daily': String(this.daily),
            'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, this.daily - this.dayCount)),
          }
        : {}),
    });
    const retryAfter = (oldest: number | undefined, windowMs: number): Record<string, string> =>
      this.sendRetryAfter && oldest !== undefined
        ? { 'Retry-After': String(Math.max(1, Math.ceil((oldest + windowMs - now) / 1000))) }
        : {};
    if (this.daily !== undefined && this.dayCount >= this.daily) {
      return { allowed: false, policyName: 'DAILY', headers: headers(this.recent.length) };
    }
    if (this.recent.length >= this.perTenSeconds) {
      return {
        allowed: false,
        policyName: 'TEN_SECONDLY_ROLLING',
        headers: { ...headers(this.recent.length), ...retryAfter(this.recent[0], 10_000) },
      };
    }
    if (isSearch && this.recentSearches.length >= this.searchPerSecond) {
      return {
        allowed: false,
        policyName: 'SECONDLY',
        headers: { ...headers(this.recent.length), ...retryAfter(this.recentSearches[0], 1_000) },
      };
    }
    this.recent.push(now);
    if (isSearch) this.recentSearches.push(now);
    this.dayCount++;
    return { allowed: true, headers: headers(this.recent.length) };
  }

  reset(): void {
    this.recent.length = 0;
    this.recentSearches.length = 0;
    this.dayCount = 0;
  }
}

function prune(times: number[], before: number): void {
  let drop = 0;
  while (drop < times.length && (times[drop] as number) <= before) drop++;
  if (drop > 0) times.splice(0, drop);
}
