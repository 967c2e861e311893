import type { Sandbox } from '../../sandbox/sandbox';
import type { RunningService } from '../service';

export interface Backlog {
  /** Webhook events stored but not processed (pending or waiting for a retry). */
  readonly webhooks: number;
  /** Handoff episodes waiting for the scoring worker. */
  readonly scoring: number;
  /** HubSpot writes not yet delivered. */
  readonly outbox: number;
  /** Touch refreshes and deal credit computations queued for the attribution worker. */
  readonly attribution: number;
}

export async function serviceBacklog(service: RunningService): Promise<Backlog> {
  const { db } = service.database;
  const count = async (query: Promise<{ n: number | string | bigint } | undefined>) =>
    Number((await query)?.n ?? 0);
  const [webhooks, scoring, outbox, attribution] = await Promise.all([
    count(
      db
        .selectFrom('webhook_event')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['pending', 'failed'])
        .executeTakeFirst(),
    ),
    count(
      db
        .selectFrom('handoff')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'scoring')
        .executeTakeFirst(),
    ),
    count(
      db
        .selectFrom('hubspot_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirst(),
    ),
    count(
      db
        .selectFrom('attribution_job')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst(),
    ),
  ]);
  return { webhooks, scoring, outbox, attribution };
}

export interface CatchUpOptions {
  /**
   * Also wait for the outbox (HubSpot writes) and the attribution worker; off while playing, where only
   * scoring must keep pace.
   */
  readonly outbox: boolean;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /** Called on every poll that still finds work (e.g. to move a test clock past retry and rate-limit waits). */
  readonly onWait?: () => void;
}

/**
 * Waits until the sandbox delivered every webhook and the service processed them (and, with `outbox`, wrote
 * everything back to HubSpot, whose echoes are delivered and processed too). The workers are woken instead of
 * waiting for their poll interval. Throws with the remaining backlog when the time is up.
 */
export async function waitUntilCaughtUp(
  sandbox: Sandbox,
  service: RunningService,
  options: CatchUpOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  // A write to HubSpot finishing between the flush and the count queues its echo after the flush, so
  // quiet is only believed when seen twice in a row.
  let quietBefore = false;
  for (;;) {
    await sandbox.flush();
    const backlog = await serviceBacklog(service);
    const quiet =
      backlog.webhooks === 0 &&
      backlog.scoring === 0 &&
      (!options.outbox || (backlog.outbox === 0 && backlog.attribution === 0));
    if (quiet && quietBefore) return;
    quietBefore = quiet;
    if (quiet) continue;
    if (Date.now() > deadline)
      throw new Error(
        `the service did not catch up within ${options.timeoutMs} ms: ${backlog.webhooks} webhook event(s), ` +
          `${backlog.scoring} handoff(s) awaiting scoring, ${backlog.outbox} HubSpot write(s) and ` +
          `${backlog.attribution} attribution job(s) left`,
      );
    options.onWait?.();
    service.webhookWorker.wake();
    if (backlog.scoring > 0) service.handoffWorker?.wake();
    if (backlog.outbox > 0) service.outbox?.wake();
    if (backlog.attribution > 0) service.attributionWorker?.wake();
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 5));
  }
}
