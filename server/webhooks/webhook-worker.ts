import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { Settings } from '../config';
import type { DatabaseHandle } from '../db/database';
import type { WebhookEvent } from '../hubspot/webhook-event.schema';
import type { Logger } from '../logger';
import type { BackgroundTask } from '../service';
import type { DispatchedEvent, HandlerOutcome, WebhookDispatcher } from './dispatcher';
import type { IntakeActivity } from './intake-activity';
import {
  claimDueEvents,
  completeClaimedEvent,
  completeClaimedEvents,
  recordEventFailure,
  releaseAllClaims,
  setEventOutcome,
  type WebhookEventRow,
} from './webhook-event.repository';
import type { WebhookMetrics } from './webhook-metrics';
import { WorkerTurns } from './worker-turns';

export interface WebhookWorkerOptions {
  readonly database: DatabaseHandle;
  readonly dispatcher: WebhookDispatcher;
  readonly metrics: WebhookMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly settings: Settings['webhooks'];
  /** Webhook requests in progress in this process; the worker shares the time with them (WorkerTurns). */
  readonly intakeActivity?: IntakeActivity;
  /** 0 ≤ x < 1; injected so tests can pin the retry jitter. */
  readonly random?: () => number;
}

type EventResult = HandlerOutcome | 'failed' | 'dead' | 'lost';
type Tally = Partial<Record<EventResult, number>>;

/**
 * Events per transaction on SQLite, where a transaction holds the only connection (and, the driver being
 * synchronous, the event loop): a webhook acknowledgement waits for at most one such slice (a few ms).
 */
const SQLITE_SLICE = 50;
/**
 * Processes the webhook inbox: claims due events in batches, applies each object's events in `occurredAt`
 * order through the dispatcher, and marks them done in the same transaction as their effects. A failing event
 * is rescheduled with exponential backoff and jitter, and is dead after `maxAttempts`; it never holds up the
 * events after it. Runs as a background loop woken by intake, or one step at a time with `drainOnce()`.
 */
export class WebhookWorker implements BackgroundTask {
  readonly name = 'webhook-worker';
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly sleepers = new Set<() => void>();
  private woken = false;

  constructor(private readonly options: WebhookWorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** New events were stored: look now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    for (const wakeUp of this.sleepers) wakeUp();
  }

  /** Claims and processes one batch; returns how many events it claimed (0: nothing was due). */
  async drainOnce(): Promise<number> {
    return this.step(this.turns());
  }

  private turns(): WorkerTurns {
    const { intakeActivity, settings } = this.options;
    return new WorkerTurns({
      ...(intakeActivity ? { activity: intakeActivity } : {}),
      share: settings.workerShare,
    });
  }

  /** One claim and its processing, stepping aside for intake between slices when its turn is over. */
  private async step(turns: WorkerTurns): Promise<number> {
    const { database, settings, now } = this.options;
    const claimed = await claimDueEvents(database.db, {
      workerId: this.workerId,
      now: now(),
      leaseMs: settings.claimLeaseMs,
      limit: settings.batchSize,
      skipLocked: database.supportsRowLocks,
    });
    if (claimed.length === 0) return 0;

    const ordered = byObjectInOrder(claimed).flat();
    // Slices on SQLite: intake shares this event loop and the one connection (see SQLITE_SLICE).
    const slice = database.supportsRowLocks ? ordered.length : SQLITE_SLICE;
    const tally: Tally = {};
    for (let start = 0; start < ordered.length; start += slice) {
      if (start > 0) await turns.between();
      const rows = ordered.slice(start, start + slice);
      const part = (await this.processTogether(rows)) ?? (await this.processOneByOne(rows));
      for (const [result, count] of Object.entries(part) as [EventResult, number][]) {
        tally[result] = (tally[result] ?? 0) + count;
      }
    }
    this.options.logger.info(
      { workerId: this.workerId, claimed: claimed.length, ...tally },
      `processed ${claimed.length} webhook event(s): ${describeTally(tally)}`,
    );
    return claimed.length;
  }

  /** Drains until nothing is due (tests and the CLI). */
  async drain(): Promise<number> {
    let total = 0;
    for (let claimed = await this.drainOnce(); claimed > 0; claimed = await this.drainOnce()) {
      total += claimed;
    }
    return total;
  }

  private async run(): Promise<void> {
    const { database, logger, settings } = this.options;
    if (!database.supportsRowLocks) {
      // SQLite serves one process, so any claim left in the file is from a previous run that crashed.
      const released = await releaseAllClaims(database.db).catch(() => 0);
      if (released > 0)
        logger.warn(`released ${released} webhook event claim(s) left by a crashed run`);
    }
    // On PostgreSQL several loops overlap their round trips; SQLite has one connection, so one loop.
    const loops = database.supportsRowLocks ? settings.workerConcurrency : 1;
    await Promise.all(Array.from({ length: loops }, () => this.claimLoop()));
  }

  private async claimLoop(): Promise<void> {
    const { logger, settings } = this.options;
    const turns = this.turns();
    while (this.running) {
      let claimed = 0;
      try {
        this.woken = false;
        claimed = await this.step(turns);
      } catch (error) {
        logger.error(
          { err: error },
          'webhook worker: claiming events failed; retrying after the poll interval',
        );
      }
      if (claimed === 0 && this.running && !this.woken) await this.sleep(settings.pollIntervalMs);
      else await turns.between();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /**
   * The common case, every event succeeding, in one transaction: a round trip per handler write instead of a
   * transaction per event. If anything throws, the whole batch rolls back and `processOneByOne` isolates the
   * failing event; returns undefined then.
   */
  private async processTogether(rows: readonly WebhookEventRow[]): Promise<Tally | undefined> {
    const { database, dispatcher, metrics, logger, settings } = this.options;
    const now = this.options.now();
    if (rows.some((row) => row.attempts > settings.maxAttempts)) return undefined;
    let results: Map<number, EventResult>;
    try {
      results = await database.db.transaction().execute(async (trx) => {
        const ours = await completeClaimedEvents(trx, {
          ids: rows.map((row) => row.id),
          workerId: this.workerId,
          now,
        });
        const outcomes = new Map<number, EventResult>();
        const events: DispatchedEvent[] = [];
        for (const row of rows) {
          if (ours.has(row.id)) events.push(toDispatched(row));
          else outcomes.set(row.id, 'lost');
        }
        const context = { trx, now, logger };
        await dispatcher.prepare(events, context);
        for (const event of events)
          outcomes.set(event.id, await dispatcher.dispatch(event, context));
        for (const outcome of ['stale', 'ignored'] as const) {
          const ids = [...outcomes].filter(([, result]) => result === outcome).map(([id]) => id);
          await setEventOutcome(trx, ids, outcome);
        }
        return outcomes;
      });
    } catch {
      return undefined;
    }
    const tally: Tally = {};
    for (const row of rows) {
      const result = results.get(row.id)!;
      tally[result] = (tally[result] ?? 0) + 1;
      if (result === 'lost') continue;
      metrics.processed.inc({ outcome: result });
      metrics.processingLag.observe(Math.max(0, now - Number(row.received_at)) / 1000);
    }
    return tally;
  }

  private async processOneByOne(rows: readonly WebhookEventRow[]): Promise<Tally> {
    const tally: Tally = {};
    for (const row of rows) {
      const result = await this.process(row);
      tally[result] = (tally[result] ?? 0) + 1;
    }
    return tally;
  }

  private async process(row: WebhookEventRow): Promise<EventResult> {
    const { database, dispatcher, metrics, logger, settings } = this.options;
    const now = this.options.now();
    // attempts counts claims: above the budget means earlier claimers died while holding this event.
    if (row.attempts > settings.maxAttempts) {
      return this.fail(
        row,
        new Error('attempts exhausted: earlier claims ended without a result'),
        now,
      );
    }
    try {
      const event = toDispatched(row);
      const outcome = await database.db.transaction().execute(async (trx) => {
        // Claim check first: its row lock makes a second processor wait here, then find the event done.
        const ours = await completeClaimedEvent(trx, {
          id: row.id,
          workerId: this.workerId,
          now,
          outcome: 'applied',
        });
        if (!ours) return 'lost' as const;
        const result = await dispatcher.dispatch(event, { trx, now, logger });
        if (result !== 'applied') {
          await trx
            .updateTable('webhook_event')
            .set({ outcome: result })
            .where('id', '=', row.id)
            .execute();
        }
        return result;
      });
      if (outcome === 'lost') {
        logger.warn(
          { eventId: row.id },
          `webhook event ${row.id}: claim lost to another worker; skipped`,
        );
        return outcome;
      }
      metrics.processed.inc({ outcome });
      metrics.processingLag.observe(Math.max(0, now - Number(row.received_at)) / 1000);
      return outcome;
    } catch (error) {
      return this.fail(row, error, now);
    }
  }

  private async fail(
    row: WebhookEventRow,
    error: unknown,
    now: number,
  ): Promise<'failed' | 'dead'> {
    const { database, metrics, logger, settings } = this.options;
    const message = errorMessage(error);
    const dead = row.attempts >= settings.maxAttempts;
    const delay = retryDelay(row.attempts, settings, this.options.random ?? Math.random);
    await recordEventFailure(database.db, {
      id: row.id,
      workerId: this.workerId,
      status: dead ? 'dead' : 'failed',
      nextAttemptAt: now + delay,
      error: message,
    });
    metrics.failed.inc();
    const subject = `webhook event ${row.id} (${row.subscription_type} ${row.object_type} ${row.object_id}, portal ${row.portal_id})`;
    if (dead) {
      metrics.dead.inc();
      logger.error(
        { eventId: row.id, portalId: row.portal_id, attempts: row.attempts, err: error },
        `${subject} is dead after ${row.attempts} attempt(s): ${message}`,
      );
      return 'dead';
    }
    logger.warn(
      { eventId: row.id, portalId: row.portal_id, attempts: row.attempts, err: error },
      `${subject} failed (attempt ${row.attempts} of ${settings.maxAttempts}), retry in ${Math.round(delay / 1000)} s: ${message}`,
    );
    return 'failed';
  }
}

/** Exponential backoff with "equal jitter": between half and all of base·2^(attempt−1), capped. */
export function retryDelay(
  attempt: number,
  settings: Pick<Settings['webhooks'], 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number,
): number {
  const ceiling = Math.min(
    settings.retryMaxMs,
    settings.retryBaseMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Groups events per object, each group in `occurredAt` order (ties by arrival). */
function byObjectInOrder(rows: readonly WebhookEventRow[]): WebhookEventRow[][] {
  const groups = new Map<string, WebhookEventRow[]>();
  for (const row of rows) {
    const key = `${row.portal_id}:${row.object_type}:${row.object_id}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((group) =>
    group.sort(
      (a, b) => Number(a.occurred_at) - Number(b.occurred_at) || Number(a.id) - Number(b.id),
    ),
  );
}

function toDispatched(row: WebhookEventRow): DispatchedEvent {
  return {
    id: Number(row.id),
    portalId: Number(row.portal_id),
    subscriptionType: row.subscription_type,
    objectType: row.object_type,
    change: row.change,
    objectId: Number(row.object_id),
    propertyName: row.property_name === '' ? undefined : row.property_name,
    occurredAt: Number(row.occurred_at),
    payload: JSON.parse(row.payload) as WebhookEvent,
  };
}

function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error)
    return String(error.message);
  return String(error);
}

function describeTally(tally: Tally): string {
  return Object.entries(tally)
    .map(([result, count]) => `${count} ${result}`)
    .join(', ');
}
