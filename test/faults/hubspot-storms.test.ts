import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import { staticHubSpotClients } from '../../server/hubspot/hubspot-client';
import { createRateBudget } from '../../server/hubspot/rate-budget';
import { createLogger } from '../../server/logger';
import { countOutboxByStatus, enqueueOutbox } from '../../server/outbox/outbox.repository';
import { taskMarker } from '../../server/outbox/outbox-executors';
import { createOutboxWorker, type OutboxWorker } from '../../server/outbox/outbox-worker';
import { registerStaticPortal } from '../../server/portals/portal.repository';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { report, waitFor } from './fault-stream';

/** Truce's own budget per 10 s; HubSpot (the sandbox) allows more, except during the storm. */
const BUDGET = 40;
const CONTACTS = 25;
/** Updates queued when the 429 storm starts, so it meets traffic however fast the first writes drained. */
const LATE = 10;
const STALL_MS = 10_000;

interface Seen {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  status: number;
}

/** A loopback proxy in front of the sandbox that records every request Truce sends and the answer it got. */
async function recordingProxy(
  target: string,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const entry: Seen = {
      at: Date.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      status: 0,
    };
    seen.push(entry);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The most requests sent inside any 10-second window. */
function busiestWindow(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= 10_000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('the HubSpot outbox through 429 storms, 5xx and 10 s stalls', () => {
  let sandbox: Sandbox;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let database: TestDatabase;
  let worker: OutboxWorker;

  beforeAll(async () => {
    sandbox = await createSandbox({
      seed: 9,
      rateLimit: { perTenSeconds: 190, sendRetryAfter: true },
    });
    proxy = await recordingProxy(sandbox.url);
    database = await createTestDatabase('sqlite');
    // The outbox serves installed portals only, as the service registers its private-app portal at start.
    await registerStaticPortal(database.db, sandbox.portalId, Date.now());
  });

  afterAll(async () => {
    await worker?.stop();
    await database.destroy();
    await proxy.close();
    await sandbox.close();
  });

  it('holds every write through the faults, drains them all, never exceeds the budget and writes nothing twice', async () => {
    const contactIds = Array.from({ length: CONTACTS }, (_, i) =>
      sandbox.admin.create('contacts', { email: `storm${i}@example.com`, jobtitle: 'before' }),
    );
    const now = Date.now();
    for (const [i, contactId] of contactIds.entries()) {
      await enqueueOutbox(
        database.db,
        {
          portalId: sandbox.portalId,
          idempotencyKey: `storm-${i}:update`,
          operation: 'contact.update',
          payload: { contactId, properties: { jobtitle: `after-${i}` } },
        },
        now,
      );
      await enqueueOutbox(
        database.db,
        {
          portalId: sandbox.portalId,
          idempotencyKey: `storm-${i}:task`,
          operation: 'task.create',
          payload: { contactId, subject: `Follow up ${i}`, body: 'storm test', dueAt: now },
        },
        now,
      );
    }

    // HubSpot misbehaves before the first write: every call stalls 10 s for the first second, then a burst
    // of 503s and 502s, then a 429 storm (HubSpot's budget drops far below Truce's).
    sandbox.faults.stallMs = STALL_MS;
    worker = createOutboxWorker({
      database,
      clients: staticHubSpotClients({
        accessToken: sandbox.accessToken,
        apiBase: proxy.url,
        portalId: sandbox.portalId,
      }),
      budget: createRateBudget({ requestsPerWindow: BUDGET }),
      logger: createLogger('silent'),
      now: Date.now,
      settings: {
        maxAttempts: 15,
        baseDelayMs: 200,
        maxDelayMs: 2_000,
        batchSize: 25,
        pollIntervalMs: 50,
        leaseMs: 60_000,
        requestTimeoutMs: 20_000,
      },
    });
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    sandbox.faults.stallMs = 0;
    sandbox.faults.forceStatus = 503;
    sandbox.faults.forceCount = 6;
    await waitFor(async () => sandbox.faults.forceCount === undefined, 'the 503 burst', 30_000);
    sandbox.faults.forceStatus = 502;
    sandbox.faults.forceCount = 4;
    await waitFor(async () => sandbox.faults.forceCount === undefined, 'the 502 burst', 30_000);
    sandbox.rateLimiter.perTenSeconds = 6;
    for (let i = 0; i < LATE; i += 1)
      await enqueueOutbox(
        database.db,
        {
          portalId: sandbox.portalId,
          idempotencyKey: `storm-${i}:late-update`,
          operation: 'contact.update',
          payload: { contactId: contactIds[i]!, properties: { jobtitle: `late-${i}` } },
        },
        Date.now(),
      );
    worker.wake();
    await waitFor(
      async () => proxy.seen.filter((r) => r.status === 429).length >= 3,
      'the 429 storm',
      // Each 429 pauses the portal until HubSpot's window frees a slot (up to 10 s), so three take a while.
      90_000,
    );
    sandbox.rateLimiter.perTenSeconds = 190;

    await waitFor(
      async () => {
        const counts = await countOutboxByStatus(database.db);
        return (counts.done ?? 0) === 2 * CONTACTS + LATE;
      },
      'the outbox to drain',
      120_000,
    );
    const counts = await countOutboxByStatus(database.db);
    expect(counts).toEqual({ done: 2 * CONTACTS + LATE, dead: 0, pending: 0 });

    // Every update landed; exactly one task per idempotency key.
    for (const [i, contactId] of contactIds.entries())
      expect(sandbox.portal.get('contacts', contactId)?.properties.jobtitle).toBe(
        i < LATE ? `late-${i}` : `after-${i}`,
      );
    const tasks = sandbox.portal.list('tasks');
    const perMarker = new Map<string, number>();
    for (const task of tasks) {
      const marker = /\((truce[0-9a-f]{20})\)/.exec(task.properties.hs_task_body ?? '')?.[1];
      if (marker) perMarker.set(marker, (perMarker.get(marker) ?? 0) + 1);
    }
    expect(tasks).toHaveLength(CONTACTS);
    for (let i = 0; i < CONTACTS; i += 1)
      expect(perMarker.get(taskMarker(`storm-${i}:task`))).toBe(1);

    // The budget held in every 10-second window, storms and retries included.
    const busiest = busiestWindow(proxy.seen.map((r) => r.at));
    expect(busiest).toBeLessThanOrEqual(BUDGET);
    const byStatus = (predicate: (status: number) => boolean) =>
      proxy.seen.filter((r) => predicate(r.status)).length;
    expect(byStatus((s) => s >= 500)).toBe(10);
    expect(byStatus((s) => s === 429)).toBeGreaterThanOrEqual(3);
    report(
      `HubSpot storms: ${2 * CONTACTS + LATE} writes (${CONTACTS + LATE} updates, ${CONTACTS} tasks) through a ${STALL_MS / 1000} s stall, ` +
        `${byStatus((s) => s >= 500)} 5xx and ${byStatus((s) => s === 429)} 429 answers; ${proxy.seen.length} requests, ` +
        `busiest 10 s window ${busiest} of a budget of ${BUDGET}; ${counts.done} delivered, ${tasks.length} tasks, written twice = 0`,
    );
  });
});
