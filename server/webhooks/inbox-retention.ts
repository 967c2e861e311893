import type { DatabaseHandle } from '../db/database';
import type { Logger } from '../logger';
import type { BackgroundTask } from '../service';
import { pruneDoneEvents } from './webhook-event.repository';
import type { WebhookMetrics } from './webhook-metrics';

const DAY_MS = 86_400_000;

/**
 * Rows per delete statement. On SQLite one statement holds the only connection (and, the driver being
 * synchronous, the event loop): 1,000 rows take about 3 ms with a million done events in the inbox, 5,000 take
 * about 22 ms (BENCHMARKS.md, inbox-prune), so intake never waits long behind a batch.
 */
const PRUNE_BATCH_SIZE = 1000;

/**
 * The instant before which processed events may go. Retention deletes only `done` events whose processing and
 * occurrence both lie before it, which is why it cannot change an answer inside the window:
 * - `dead`, `pending` and `failed` events are never deleted (`truce events --dead`, `events retry`, the
 *   queue-depth and dead gauges, the demo's catch-up read only those);
 * - the handoff handler reads back a contact's processed touches that occurred at or after the trigger of the
 *   episode it opens; for a trigger inside the window those touches occurred inside it too, and an event is
 *   deleted only when its own `occurred_at` is before the cutoff, so none of them is gone (the stale checks
 *   read the CRM slice, not the inbox);
 * - the inbox is also the dedupe record: HubSpot redelivers for at most 24 hours, and the config insists on a
 *   retention of at least 2 days, so a redelivery always finds its event. Only `truce replay` of a file older
 *   than the retention stores such events again (processed as late events: the newest value still wins).
 */
export function retentionCutoff(now: number, retentionDays: number): number {
  return now - retentionDays * DAY_MS;
}

export interface PruneRun {
  readonly deleted: number;
  readonly batches: number;
}

/**
 * Deletes prunable events in batches of `batchSize` until a batch comes back short. Each batch starts the
 * index range where the previous one ended; `between` runs after every full batch (the service pauses there).
 */
export async function pruneInbox(
  database: DatabaseHandle,
  options: {
    readonly before: number;
    readonly batchSize?: number;
    readonly onBatch?: (deleted: number) => void;
    /** After every full batch, with how long it took; false stops the run. */
    readonly between?: (batchMs: number) => Promise<boolean>;
  },
): Promise<PruneRun> {
  const limit = options.batchSize ?? PRUNE_BATCH_SIZE;
  let deleted = 0;
  let batches = 0;
  let from: number | undefined;
  for (;;) {
    const started = performance.now();
    const batch = await pruneDoneEvents(database.db, {
      before: options.before,
      limit,
      skipLocked: database.supportsRowLocks,
      ...(from === undefined ? {} : { from }),
    });
    batches += 1;
    deleted += batch.deleted;
    if (batch.deleted > 0) options.onBatch?.(batch.deleted);
    from = batch.reached ?? from;
    if (batch.deleted < limit) return { deleted, batches };
    if (options.between && !(await options.between(performance.now() - started)))
      return { deleted, batches };
  }
}

export interface InboxRetentionOptions {
  readonly database: DatabaseHandle;
  readonly metrics: Pick<WebhookMetrics, 'pruned'>;
  readonly logger: Logger;
  readonly now: () => number;
  /** > 0; the service does not start the task when retention is off. */
  readonly retentionDays: number;
  /** After a run that deleted something. */
  readonly intervalMs?: number;
  /** Runs that find nothing double the wait up to this. */
  readonly maxIntervalMs?: number;
}

/**
 * Deletes processed webhook events older than `webhooks.retentionDays`, in small batches with a pause after
 * each as long as the batch took (so pruning takes at most about half of SQLite's connection while a backlog
 * goes), every few minutes, backing off to an hour while there is nothing to delete. Several processes on one
 * PostgreSQL can run it at once: each batch skips rows another batch has locked.
 */
export class InboxRetention implements BackgroundTask {
  readonly name = 'inbox-retention';
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: InboxRetentionOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** One run: deletes until nothing older than the window is left (or the task stops). */
  async pruneOnce(): Promise<PruneRun> {
    const { database, metrics, logger, now, retentionDays } = this.options;
    const result = await pruneInbox(database, {
      before: retentionCutoff(now(), retentionDays),
      onBatch: (deleted) => metrics.pruned.inc(deleted),
      between: async (batchMs) => {
        await this.sleep(Math.max(1, batchMs));
        return this.running;
      },
    });
    if (result.deleted > 0)
      logger.info(
        { deleted: result.deleted, batches: result.batches },
        `pruned ${result.deleted} processed webhook event(s) older than ${retentionDays} day(s)`,
      );
    return result;
  }

  private async run(): Promise<void> {
    const interval = this.options.intervalMs ?? 5 * 60_000;
    const maxInterval = this.options.maxIntervalMs ?? 60 * 60_000;
    let wait = interval;
    while (this.running) {
      let deleted = 0;
      try {
        deleted = (await this.pruneOnce()).deleted;
      } catch (error) {
        this.options.logger.error({ err: error }, 'inbox retention: pruning failed; will retry');
      }
      wait = deleted > 0 ? interval : Math.min(maxInterval, wait * 2);
      if (this.running) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
