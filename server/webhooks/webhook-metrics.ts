import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

import type { DatabaseHandle } from '../db/database';
import { type InboxStats, inboxStats } from './webhook-event.repository';

export interface WebhookMetrics {
  readonly received: Counter;
  readonly duplicates: Counter;
  readonly processed: Counter<'outcome'>;
  readonly failed: Counter;
  readonly dead: Counter;
  readonly pruned: Counter;
  readonly ackLatency: Histogram;
  readonly processingLag: Histogram;
}

/**
 * Webhook metrics on the app's own registry (never prom-client's global one, so two apps in one process, as in
 * tests, do not collide). Queue depth, dead events and the oldest waiting event are read from the inbox at
 * scrape time: they describe the shared database, not this process.
 */
export function createWebhookMetrics(
  registry: Registry,
  database: DatabaseHandle,
  now: () => number,
): WebhookMetrics {
  const registers = [registry];
  // A scrape collects the three inbox gauges together; they share the query that is in flight.
  let inFlight: Promise<InboxStats> | undefined;
  const stats = (): Promise<InboxStats> => {
    inFlight ??= inboxStats(database.db).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  new Gauge({
    name: 'truce_webhook_queue_depth',
    help: 'Webhook events stored and not yet processed (pending or waiting for a retry)',
    registers,
    async collect() {
      const { counts } = await stats();
      this.set(counts.pending + counts.failed);
    },
  });
  new Gauge({
    name: 'truce_webhook_dead_events',
    help: 'Webhook events that exhausted their attempts (see `truce events --dead`)',
    registers,
    async collect() {
      this.set((await stats()).counts.dead);
    },
  });
  new Gauge({
    name: 'truce_webhook_oldest_waiting_seconds',
    help: 'Age of the oldest webhook event not yet processed (0 when the queue is empty)',
    registers,
    async collect() {
      const oldest = (await stats()).oldestWaitingReceivedAt;
      this.set(oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
    },
  });
  return {
    received: new Counter({
      name: 'truce_webhook_events_received_total',
      help: 'Webhook events in verified, valid batches (new and duplicate)',
      registers,
    }),
    duplicates: new Counter({
      name: 'truce_webhook_events_duplicate_total',
      help: 'Webhook events already in the inbox (redeliveries), acknowledged without storing',
      registers,
    }),
    processed: new Counter({
      name: 'truce_webhook_events_processed_total',
      help: 'Webhook events processed, by outcome (applied, stale, ignored)',
      labelNames: ['outcome'],
      registers,
    }),
    failed: new Counter({
      name: 'truce_webhook_event_failures_total',
      help: 'Failed processing attempts of webhook events',
      registers,
    }),
    dead: new Counter({
      name: 'truce_webhook_events_dead_total',
      help: 'Webhook events that became dead in this process',
      registers,
    }),
    pruned: new Counter({
      name: 'truce_webhook_events_pruned_total',
      help: 'Processed webhook events deleted by retention (webhooks.retentionDays) in this process',
      registers,
    }),
    ackLatency: new Histogram({
      name: 'truce_webhook_ack_seconds',
      help: 'Time from receiving a webhook request to answering it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    processingLag: new Histogram({
      name: 'truce_webhook_processing_lag_seconds',
      help: 'Time from storing a webhook event to processing it',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600],
      registers,
    }),
  };
}
