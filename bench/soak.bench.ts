import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import SQLite from 'better-sqlite3';

import { signV3 } from '../sandbox/webhook-signer';
import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { freePort, waitForOk } from '../server/http/loopback';
import { registerStaticPortal } from '../server/portals/portal.repository';
import type { Benchmark } from './registry';

const ROOT = path.resolve(__dirname, '..');
const SECRET = 'soak-client-secret';
const PUBLIC_BASE_URL = 'https://truce.example.com';
const PORTALS = [510_001, 510_002, 510_003];
/** HubSpot keeps at most 10 webhook requests in flight per account. */
const IN_FLIGHT_PER_PORTAL = 10;
const EVENTS_PER_BATCH = 50;
const CONTACTS_PER_PORTAL = 2_000;
/** Card readers: HubSpot allows 20 concurrent hubspot.fetch calls per account; a few reps is realistic. */
const CARD_LANES = 3;
const DEFAULT_DURATION_S = 120;
const DURATION_S = Number(process.env.SOAK_DURATION_S ?? DEFAULT_DURATION_S);
const BASELINE_S = 5;
/** How long to wait for the backlog to be processed after the load stops. */
const DRAIN_TIMEOUT_S = Number(process.env.SOAK_DRAIN_TIMEOUT_S ?? 600);
const STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead'];

/** HubSpot's v3 signature of a request to the service's public URL. */
function sign(method: string, pathAndQuery: string, body: string, timestamp: number): string {
  return signV3(SECRET, method, `${PUBLIC_BASE_URL}${pathAndQuery}`, body, timestamp);
}

let nextEventId = 1;

function batchFor(portalId: number): string {
  const occurredAt = Date.now();
  const events = Array.from({ length: EVENTS_PER_BATCH }, () => {
    const eventId = nextEventId++;
    return {
      eventId,
      subscriptionId: 1001,
      portalId,
      appId: 77,
      occurredAt: occurredAt + (eventId % 1000),
      subscriptionType: 'contact.propertyChange',
      attemptNumber: 0,
      objectId: 1 + (eventId % CONTACTS_PER_PORTAL),
      propertyName: 'lifecyclestage',
      propertyValue: STAGES[eventId % STAGES.length],
      changeSource: 'CRM',
    };
  });
  return JSON.stringify(events);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

interface CardStats {
  latencies: number[];
  statuses: Map<number, number>;
}

/** Card lanes: signed GETs of a contact's handoff in a random portal, as the card's hubspot.fetch sends them. */
function cardLanes(
  baseUrl: string,
  until: () => boolean,
): { stats: CardStats; done: Promise<void> } {
  const stats: CardStats = { latencies: [], statuses: new Map() };
  let n = 0;
  const lane = async () => {
    while (!until()) {
      n += 1;
      const portalId = PORTALS[n % PORTALS.length]!;
      const pathAndQuery = `/api/card/contacts/${1 + ((n * 7919) % CONTACTS_PER_PORTAL)}/handoff?portalId=${portalId}&userId=77`;
      const timestamp = Date.now();
      const started = performance.now();
      const response = await fetch(`${baseUrl}${pathAndQuery}`, {
        headers: {
          'x-hubspot-signature-v3': sign('GET', pathAndQuery, '', timestamp),
          'x-hubspot-request-timestamp': String(timestamp),
        },
      });
      await response.arrayBuffer();
      stats.latencies.push(performance.now() - started);
      stats.statuses.set(response.status, (stats.statuses.get(response.status) ?? 0) + 1);
    }
  };
  return {
    stats,
    done: Promise.all(Array.from({ length: CARD_LANES }, lane)).then(() => undefined),
  };
}

export const soakBenchmark: Benchmark = {
  name: 'soak',
  description: `webhook batches at HubSpot's concurrency (${IN_FLIGHT_PER_PORTAL} in flight × ${PORTALS.length} portals) for ${DURATION_S} s (SOAK_DURATION_S, default ${DEFAULT_DURATION_S}) while the card API is read; loopback, SQLite`,
  async run(print) {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-soak-'));
    const file = path.join(dir, 'truce.sqlite');
    const setup = openDatabase({ dialect: 'sqlite', filename: file });
    await migrateToLatest(setup.db);
    for (const portalId of PORTALS) await registerStaticPortal(setup.db, portalId, Date.now());
    await setup.close();

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'server/main.ts'), 'serve'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(port),
          DATABASE_URL: file,
          HUBSPOT_CLIENT_SECRET: SECRET,
          PUBLIC_BASE_URL,
          LOG_LEVEL: 'warn',
          SHUTDOWN_GRACE_MS: '1000',
          // A rules file for the service, e.g. another `webhooks.workerShare`.
          ...(process.env.TRUCE_CONFIG ? { TRUCE_CONFIG: process.env.TRUCE_CONFIG } : {}),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitForOk(`${baseUrl}/readyz`, 300, 200);
      const pid = child.pid!;

      // Baseline in the same run: card reads alone.
      const baselineEnd = Date.now() + BASELINE_S * 1000;
      const idle = cardLanes(baseUrl, () => Date.now() > baselineEnd);
      await idle.done;
      const rss = [{ at: 'start', mb: rssMb(pid) }];

      const started = Date.now();
      const end = started + DURATION_S * 1000;
      const intakeLatencies: number[] = [];
      const intakeStatuses = new Map<number, number>();
      let acknowledgedEvents = 0;
      const portalLane = async (portalId: number) => {
        while (Date.now() < end) {
          const body = batchFor(portalId);
          const timestamp = Date.now();
          const t0 = performance.now();
          const response = await fetch(`${baseUrl}/webhooks/hubspot`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-hubspot-signature-v3': sign('POST', '/webhooks/hubspot', body, timestamp),
              'x-hubspot-request-timestamp': String(timestamp),
            },
            body,
          });
          await response.arrayBuffer();
          intakeLatencies.push(performance.now() - t0);
          intakeStatuses.set(response.status, (intakeStatuses.get(response.status) ?? 0) + 1);
          if (response.ok) acknowledgedEvents += EVENTS_PER_BATCH;
        }
      };
      const middle = setTimeout(
        () => rss.push({ at: 'middle', mb: rssMb(pid) }),
        (DURATION_S * 1000) / 2,
      );
      const cards = cardLanes(baseUrl, () => Date.now() > end);
      await Promise.all([
        ...PORTALS.flatMap((portalId) =>
          Array.from({ length: IN_FLIGHT_PER_PORTAL }, () => portalLane(portalId)),
        ),
        cards.done,
      ]);
      clearTimeout(middle);
      const loadSeconds = (Date.now() - started) / 1000;
      rss.push({ at: 'end of load', mb: rssMb(pid) });

      const load = (await import('node:os')).loadavg();
      print(
        `machine load average at the end (1/5/15 min): ${load.map((l) => l.toFixed(2)).join(' / ')}`,
      );
      print(
        `intake: ${intakeLatencies.length} batches of ${EVENTS_PER_BATCH} in ${loadSeconds.toFixed(0)} s, ` +
          `${(acknowledgedEvents / loadSeconds).toFixed(0)} events/s acknowledged; ${summary(intakeLatencies)}; ` +
          `statuses ${JSON.stringify(Object.fromEntries(intakeStatuses))}`,
      );
      print(
        `card (baseline, no webhook load, ${BASELINE_S} s): ${idle.stats.latencies.length} requests; ${summary(idle.stats.latencies)}`,
      );
      print(
        `card (under load): ${cards.stats.latencies.length} requests; ${summary(cards.stats.latencies)}; ` +
          `statuses ${JSON.stringify(Object.fromEntries(cards.stats.statuses))}; p50 ratio to baseline ` +
          `${(
            percentile(
              [...cards.stats.latencies].sort((a, b) => a - b),
              50,
            ) /
            percentile(
              [...idle.stats.latencies].sort((a, b) => a - b),
              50,
            )
          ).toFixed(1)}×`,
      );
      print(`RSS so far: ${rss.map((r) => `${r.at} ${r.mb.toFixed(0)} MB`).join(', ')}`);

      const reader = new SQLite(file, { readonly: true });
      const counts = () =>
        reader
          .prepare(
            `select count(*) as stored, coalesce(sum(status = 'done'), 0) as done from webhook_event`,
          )
          .get() as { stored: number; done: number };
      const atEnd = counts();
      const drained = await waitUntil(
        () => counts().done === counts().stored,
        DRAIN_TIMEOUT_S * 1000,
      );
      const processedSeconds = (Date.now() - started) / 1000;
      const final = counts();
      reader.close();
      rss.push({ at: 'drained', mb: rssMb(pid) });

      const drainSeconds = processedSeconds - loadSeconds;
      print(
        `processing: ${atEnd.done} of ${atEnd.stored} processed when the load stopped ` +
          `(${(atEnd.done / loadSeconds).toFixed(0)} events/s during the load); the remaining ` +
          `${final.done - atEnd.done} in ${drainSeconds.toFixed(1)} s after it ` +
          `(${((final.done - atEnd.done) / drainSeconds).toFixed(0)} events/s, polled every 200 ms); ` +
          `${final.done} of ${final.stored} after ${processedSeconds.toFixed(0)} s ` +
          `(${(final.done / processedSeconds).toFixed(0)} events/s overall)`,
      );
      print(
        `every acknowledged event stored and processed: ${drained && final.stored === acknowledgedEvents && final.done === final.stored ? 'yes' : 'NO'} ` +
          `(acknowledged ${acknowledgedEvents}, stored ${final.stored}, processed ${final.done})`,
      );
      print(`RSS: ${rss.map((r) => `${r.at} ${r.mb.toFixed(0)} MB`).join(', ')}`);
    } finally {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
