import { randomUUID } from 'node:crypto';

import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { pollingTask } from '../handoff/polling-task';
import { type HubSpotClients, PortalUnavailableError } from '../hubspot/hubspot-client';
import { classifyHubSpotError, type HubSpotFailure } from '../hubspot/hubspot-error';
import type { RateBudget } from '../hubspot/rate-budget';
import type { Logger } from '../logger';
import type { BackgroundTask } from '../service';
import {
  claimDueOutbox,
  completeOutbox,
  killOutbox,
  type OutboxItem,
  rescheduleOutbox,
} from './outbox.repository';
import { type ExecutionContext, executorFor } from './outbox-executors';
import { isOutboxOperation, outboxOperationSchemas } from './outbox-operations';

export type OutboxSettings = Config['settings']['hubspot']['outbox'];

export interface OutboxWorkerDeps {
  readonly database: DatabaseHandle;
  readonly clients: HubSpotClients;
  readonly budget: RateBudget;
  readonly logger: Logger;
  readonly now: () => number;
  readonly settings: OutboxSettings;
  /** In [0, 1); injected so tests can pin the jitter. */
  readonly random?: () => number;
}

export interface DrainResult {
  delivered: number;
  retried: number;
  dead: number;
}

export interface OutboxWorker extends BackgroundTask {
  /** Claims and delivers one batch of due writes. */
  drainOnce(): Promise<DrainResult>;
  /** Runs the next iteration now instead of after the poll interval (call after enqueueing). */
  wake(): void;
}

/** Delay before attempt n+1 after n failures: exponential, capped, with jitter so retries do not stampede. */
export function backoffDelay(
  attempts: number,
  settings: OutboxSettings,
  random: () => number,
): number {
  const exponential = Math.min(
    settings.maxDelayMs,
    settings.baseDelayMs * 2 ** Math.max(0, attempts - 1),
  );
  return Math.round(exponential * (0.5 + random() * 0.5));
}

/**
 * The SDK's fetch has no timeout: a stalled HubSpot would hold the worker forever. Past the limit the write is
 * treated as a transient failure (a retried `task.create` then looks for the task before creating it).
 */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from HubSpot within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const workerId = `outbox-${randomUUID()}`;
  const random = deps.random ?? Math.random;
  const log = deps.logger.child({ component: 'outbox' });

  async function deliver(item: OutboxItem): Promise<keyof DrainResult> {
    const { db } = deps.database;
    if (!isOutboxOperation(item.operation)) {
      await killOutbox(
        db,
        item.id,
        item.attempts,
        `unknown operation ${item.operation}`,
        deps.now(),
      );
      return 'dead';
    }
    const parsed = outboxOperationSchemas[item.operation].safeParse(item.payload);
    if (!parsed.success) {
      await killOutbox(
        db,
        item.id,
        item.attempts,
        `payload no longer valid: ${parsed.error.message}`,
        deps.now(),
      );
      return 'dead';
    }
    try {
      await deps.budget.take(item.portalId);
      const client = await deps.clients.forPortal(item.portalId);
      const execute = executorFor(item.operation) as (
        client: unknown,
        payload: unknown,
        context: ExecutionContext,
      ) => Promise<unknown>;
      const result = await withTimeout(
        execute(client, parsed.data, {
          idempotencyKey: item.idempotencyKey,
          attempts: item.attempts,
          nextCall: () => deps.budget.take(item.portalId),
        }),
        deps.settings.requestTimeoutMs,
      );
      await completeOutbox(db, item.id, result, deps.now());
      log.info(
        { portalId: item.portalId, outboxId: item.id, operation: item.operation },
        `HubSpot ${item.operation} delivered for portal ${item.portalId} (outbox ${item.id})`,
      );
      return 'delivered';
    } catch (error) {
      if (error instanceof PortalUnavailableError) return holdForPortal(item, error);
      const failure = classifyHubSpotError(error);
      // A 401 may be an access token HubSpot revoked early: drop it so the next attempt refreshes (OAuth).
      if (failure.kind === 'unauthorized') await deps.clients.invalidate?.(item.portalId);
      return handleFailure(item, failure);
    }
  }

  /**
   * The portal is uninstalled or must install again: the write is not at fault, so it keeps its attempts and
   * waits. Claims skip inactive portals, so it stays untouched until the portal is active again.
   */
  async function holdForPortal(
    item: OutboxItem,
    error: PortalUnavailableError,
  ): Promise<keyof DrainResult> {
    const now = deps.now();
    await rescheduleOutbox(
      deps.database.db,
      item.id,
      { nextAttemptAt: now, attempts: item.attempts, error: error.message },
      now,
    );
    log.warn(
      { portalId: item.portalId, outboxId: item.id, operation: item.operation },
      `HubSpot ${item.operation} held: ${error.message}`,
    );
    return 'retried';
  }

  async function handleFailure(
    item: OutboxItem,
    failure: HubSpotFailure,
  ): Promise<keyof DrainResult> {
    const { db } = deps.database;
    const now = deps.now();
    const context = {
      portalId: item.portalId,
      outboxId: item.id,
      operation: item.operation,
      failure: failure.kind,
    };
    if (failure.kind === 'rate_limited') {
      // Over budget is not a failure of this write: pause the portal and try again, without using an attempt.
      deps.budget.pauseUntil(item.portalId, now + failure.retryAfterMs);
      await rescheduleOutbox(
        db,
        item.id,
        {
          nextAttemptAt: now + failure.retryAfterMs,
          attempts: item.attempts,
          error: `429 ${failure.policy}: ${failure.message}`,
        },
        now,
      );
      log.warn(
        context,
        `HubSpot rate limit (${failure.policy}) for portal ${item.portalId}; retrying in ${failure.retryAfterMs} ms`,
      );
      return 'retried';
    }
    const attempts = item.attempts + 1;
    if (
      failure.kind === 'permanent' ||
      failure.kind === 'conflict' ||
      attempts >= deps.settings.maxAttempts
    ) {
      await killOutbox(db, item.id, attempts, `${failure.kind}: ${failure.message}`, now);
      log.error(
        { ...context, attempts },
        `HubSpot ${item.operation} is dead after ${attempts} attempt(s): ${failure.message}`,
      );
      return 'dead';
    }
    const delay = backoffDelay(attempts, deps.settings, random);
    await rescheduleOutbox(
      db,
      item.id,
      { nextAttemptAt: now + delay, attempts, error: `${failure.kind}: ${failure.message}` },
      now,
    );
    log.warn(
      { ...context, attempts, delay },
      `HubSpot ${item.operation} failed (${failure.message}); retry ${attempts} in ${delay} ms`,
    );
    return 'retried';
  }

  async function drainOnce(): Promise<DrainResult> {
    const items = await claimDueOutbox(deps.database.db, {
      now: deps.now(),
      limit: deps.settings.batchSize,
      leaseMs: deps.settings.leaseMs,
      workerId,
      rowLocks: deps.database.supportsRowLocks,
    });
    const result: DrainResult = { delivered: 0, retried: 0, dead: 0 };
    for (const item of items) result[await deliver(item)] += 1;
    return result;
  }

  const task = pollingTask({
    name: 'hubspot-outbox',
    pollIntervalMs: deps.settings.pollIntervalMs,
    logger: log,
    iterate: async () => {
      const result = await drainOnce();
      return result.delivered + result.retried + result.dead >= deps.settings.batchSize;
    },
  });
  return { ...task, drainOnce };
}
