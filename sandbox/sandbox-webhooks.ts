import type { PortalChange } from './crm-types';
import type { Rng } from './rng';
import {
  type DeliveryFaults,
  type DeliveryRecord,
  type DeliveryStats,
  type DispatcherOptions,
  WebhookDispatcher,
} from './webhook-dispatcher';
import {
  DEFAULT_SUBSCRIPTIONS,
  type WebhookEvent,
  WebhookEventFactory,
  type WebhookSubscription,
} from './webhook-events';

export interface WebhookOptions extends DispatcherOptions {
  /** Default: `DEFAULT_SUBSCRIPTIONS` (Truce's own). */
  readonly subscriptions?: readonly WebhookSubscription[];
}

const NO_STATS: DeliveryStats = {
  requests: 0,
  deliveredEvents: 0,
  failedRequests: 0,
  retries: 0,
  duplicatesSent: 0,
  reorderedEvents: 0,
  deadEvents: 0,
};

/**
 * The app's webhook side of the portal: subscribed once a target is connected (like an installed app), silent
 * while muted (seeding a portal's history is not news to the app), and every generated event kept in `sent`.
 */
export class SandboxWebhooks {
  private dispatcher: WebhookDispatcher | undefined;
  private factory: WebhookEventFactory | undefined;
  private muted = 0;
  private pendingFaults: Partial<DeliveryFaults> = {};
  /** Every event generated since connecting, in generation order (before any fault switch applies). */
  readonly generated: WebhookEvent[] = [];

  constructor(
    private readonly portalId: number,
    private readonly appId: number,
    private readonly rng: Rng,
    private readonly wallClock: () => number,
  ) {}

  connect(options: WebhookOptions): void {
    this.dispatcher?.close();
    const { subscriptions, ...dispatcherOptions } = options;
    this.factory = new WebhookEventFactory(
      subscriptions ?? DEFAULT_SUBSCRIPTIONS,
      this.portalId,
      this.appId,
      this.rng.int(1_000_000, 1_900_000),
      this.rng.int(100_000_000, 900_000_000),
    );
    this.dispatcher = new WebhookDispatcher(dispatcherOptions, this.rng, this.wallClock);
    Object.assign(this.dispatcher.faults, this.pendingFaults);
  }

  connected(): boolean {
    return this.dispatcher !== undefined;
  }

  handle(change: PortalChange): void {
    if (this.muted > 0 || !this.factory || !this.dispatcher) return;
    const events = this.factory.eventsFor(change);
    this.generated.push(...events);
    this.dispatcher.enqueue(events);
  }

  /** Runs `work` without producing webhooks. */
  silently<T>(work: () => T): T {
    this.muted++;
    try {
      return work();
    } finally {
      this.muted--;
    }
  }

  setFaults(faults: Partial<DeliveryFaults>): void {
    this.pendingFaults = { ...this.pendingFaults, ...faults };
    if (!this.dispatcher) return;
    Object.assign(this.dispatcher.faults, faults);
    if (faults.paused === false) this.dispatcher.resume();
  }

  faults(): DeliveryFaults {
    return {
      outOfOrder: false,
      duplicateRate: 0,
      paused: false,
      ...this.pendingFaults,
      ...this.dispatcher?.faults,
    };
  }

  flush(): Promise<void> {
    return this.dispatcher?.flush() ?? Promise.resolve();
  }

  stats(): DeliveryStats {
    return { ...(this.dispatcher?.stats ?? NO_STATS) };
  }

  log(): readonly DeliveryRecord[] {
    return this.dispatcher?.log ?? [];
  }

  subscriptions(): ReturnType<WebhookEventFactory['subscriptionList']> {
    return this.factory?.subscriptionList() ?? [];
  }

  close(): void {
    this.dispatcher?.close();
  }
}
