import type { Rng } from './rng';
import type { WebhookEvent } from './webhook-events';
import { signWebhookRequest } from './webhook-signer';

/**
 * HubSpot's retry delays after a failed delivery: ten retries spread over about 24 hours. HubSpot documents
 * the count and the span, not the exact delays, so these grow roughly geometrically inside that span.
 */
export const HUBSPOT_RETRY_DELAYS_MS: readonly number[] = [
  60_000, 240_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 14_400_000, 21_600_000,
  25_200_000,
];

export interface DispatcherOptions {
  readonly targetUrl: string;
  readonly clientSecret: string;
  /** Which legacy signature accompanies v3 (default v2). */
  readonly legacySignatureVersion?: 'v1' | 'v2';
  readonly maxConcurrentRequests?: number;
  /** Events per request; HubSpot sends fewer than 100. */
  readonly maxEventsPerRequest?: number;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  /** Multiplies every retry delay: 1 is HubSpot's real schedule, 1e-5 replays 24 hours in under a second. */
  readonly retryTimeScale?: number;
  /** How long to gather events into one request before sending (default 5 ms). */
  readonly batchWindowMs?: number;
}

export interface DeliveryFaults {
  /** Shuffle events inside each request and send requests in shuffled order. */
  outOfOrder: boolean;
  /** Probability that an event is delivered a second time in a later request. */
  duplicateRate: number;
  /** Hold every delivery until resumed (events queue up). */
  paused: boolean;
}

export interface DeliveryRecord {
  readonly eventIds: readonly number[];
  readonly attemptNumber: number;
  /** HTTP status, or 0 for a connection error or timeout. */
  readonly status: number;
  readonly ok: boolean;
}

export interface DeliveryStats {
  requests: number;
  deliveredEvents: number;
  failedRequests: number;
  retries: number;
  duplicatesSent: number;
  /** Events the out-of-order switch moved away from their place in generation order. */
  reorderedEvents: number;
  /** Events given up on after the last retry. */
  deadEvents: number;
}

interface Batch {
  readonly events: WebhookEvent[];
  readonly attemptNumber: number;
}

/**
 * Delivers events like HubSpot: batched, signed, at most N requests in flight, a request slower than the
 * timeout counts as failed, failures retried on the schedule above with the attempt number raised.
 */
export class WebhookDispatcher {
  readonly faults: DeliveryFaults = { outOfOrder: false, duplicateRate: 0, paused: false };
  readonly stats: DeliveryStats = {
    requests: 0,
    deliveredEvents: 0,
    failedRequests: 0,
    retries: 0,
    duplicatesSent: 0,
    reorderedEvents: 0,
    deadEvents: 0,
  };
  readonly log: DeliveryRecord[] = [];
  private readonly queue: WebhookEvent[] = [];
  private readonly ready: Batch[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private drainScheduled = false;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private readonly options: Required<DispatcherOptions>;

  constructor(
    options: DispatcherOptions,
    private readonly rng: Rng,
    private readonly wallClock: () => number = Date.now,
  ) {
    this.options = {
      legacySignatureVersion: 'v2',
      maxConcurrentRequests: 10,
      maxEventsPerRequest: 99,
      timeoutMs: 5_000,
      maxRetries: 10,
      retryTimeScale: 1,
      batchWindowMs: 5,
      ...options,
    };
    if (this.options.maxEventsPerRequest < 1 || this.options.maxEventsPerRequest > 99) {
      throw new Error(
        'maxEventsPerRequest must be 1..99 (HubSpot sends fewer than 100 per request)',
      );
    }
  }

  enqueue(events: readonly WebhookEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.queue.push(...events);
    this.scheduleBatching();
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry (a paused dispatcher never settles). */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  resume(): void {
    this.faults.paused = false;
    this.pump();
  }

  pendingCount(): number {
    return this.queue.length + this.ready.reduce((n, b) => n + b.events.length, 0);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.ready.length = 0;
    this.settle();
  }

  private scheduleBatching(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    this.later(this.options.batchWindowMs, () => {
      this.drainScheduled = false;
      this.cutBatches();
      this.pump();
    });
  }

  private cutBatches(): void {
    const events = this.queue.splice(0);
    const duplicates: WebhookEvent[] = [];
    if (this.faults.duplicateRate > 0) {
      for (const event of events) {
        if (this.rng.chance(this.faults.duplicateRate)) duplicates.push(event);
      }
      this.stats.duplicatesSent += duplicates.length;
    }
    // A duplicate travels in a later request than its original, as HubSpot's redeliveries do.
    const generated = [...events, ...duplicates];
    for (const list of [events, duplicates]) {
      if (this.faults.outOfOrder) this.shuffle(list);
      for (let i = 0; i < list.length; i += this.options.maxEventsPerRequest) {
        this.ready.push({
          events: list.slice(i, i + this.options.maxEventsPerRequest),
          attemptNumber: 0,
        });
      }
    }
    if (this.faults.outOfOrder) {
      this.stats.reorderedEvents += countMoved(generated, [...events, ...duplicates]);
      this.shuffle(this.ready);
    }
  }

  private pump(): void {
    while (
      !this.faults.paused &&
      !this.closed &&
      this.inFlight < this.options.maxConcurrentRequests &&
      this.ready.length > 0
    ) {
      const batch = this.ready.shift() as Batch;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
        this.settle();
      });
    }
    this.settle();
  }

  private async send(batch: Batch): Promise<void> {
    const events = batch.events.map((e) => ({ ...e, attemptNumber: batch.attemptNumber }));
    const body = JSON.stringify(events);
    const headers = signWebhookRequest({
      secret: this.options.clientSecret,
      method: 'POST',
      uri: this.options.targetUrl,
      body,
      timestamp: this.wallClock(),
      legacyVersion: this.options.legacySignatureVersion,
    });
    this.stats.requests++;
    let status = 0;
    try {
      const response = await fetch(this.options.targetUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon',
          ...headers,
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch {
      status = 0;
    }
    const ok = status >= 200 && status < 300;
    this.log.push({
      eventIds: events.map((e) => e.eventId),
      attemptNumber: batch.attemptNumber,
      status,
      ok,
    });
    if (ok) {
      this.stats.deliveredEvents += events.length;
      return;
    }
    this.stats.failedRequests++;
    if (batch.attemptNumber >= this.options.maxRetries || this.closed) {
      this.stats.deadEvents += events.length;
      return;
    }
    this.stats.retries++;
    const base =
      HUBSPOT_RETRY_DELAYS_MS[batch.attemptNumber] ?? HUBSPOT_RETRY_DELAYS_MS.at(-1) ?? 0;
    // HubSpot randomises retries so that many failures do not all come back at the same moment.
    const jitter = 0.9 + this.rng.next() * 0.2;
    this.later(base * jitter * this.options.retryTimeScale, () => {
      this.ready.push({ events: batch.events, attemptNumber: batch.attemptNumber + 1 });
      this.pump();
    });
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private isIdle(): boolean {
    return (
      this.queue.length === 0 &&
      this.ready.length === 0 &&
      this.inFlight === 0 &&
      this.timers.size === 0
    );
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
  }
}

/** How many events the shuffle moved from their place in generation order (requests shuffled on top). */
function countMoved(generated: readonly WebhookEvent[], sent: readonly WebhookEvent[]): number {
  let moved = 0;
  for (let i = 0; i < sent.length; i++) if (sent[i] !== generated[i]) moved++;
  return moved;
}
