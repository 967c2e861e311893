import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

import autocannon from 'autocannon';

import { freePort } from '../server/http/loopback';
import { pgAdmin } from './pg-admin';
import type { Benchmark } from './registry';

const ROOT = path.resolve(__dirname, '..');
const SECRET = 'bench-client-secret';
const PORTAL_ID = 424242;
const PUBLIC_BASE_URL = 'https://truce.example.com';
const EVENTS_PER_BATCH = 100;
const CONNECTIONS = 10; // HubSpot keeps at most 10 requests in flight per account
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
/** The target's rate, and a rate every target sustains on a small machine (ack latency without queueing). */
const FIXED_RATES = [1000, 20];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

let nextEventId = 1;

/**
 * A fresh, correctly signed 100-event batch per request, so no request is a cheap duplicate. Kept light because
 * the client shares the 2 cores with the server it measures: one concatenation of pre-split event text and an
 * HMAC fed in pieces (about 0.05 ms here). Pre-signing the whole run is not an option: the bare endpoint takes
 * several thousand requests a second, 26 KB each.
 */
const EVENT_HEAD = '{"eventId":';
const EVENT_MIDDLE = `,"subscriptionId":1001,"portalId":${PORTAL_ID},"appId":77,"occurredAt":`;
const EVENT_TAIL = ',"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":';
const EVENT_END =
  ',"propertyName":"lifecyclestage","propertyValue":"marketingqualifiedlead","changeSource":"CRM"}';
const SIGNED_URL = `POST${PUBLIC_BASE_URL}/webhooks/hubspot`;

function signedBatch(request: { headers?: Record<string, string> }) {
  const timestamp = Date.now();
  let body = '[';
  for (let i = 0; i < EVENTS_PER_BATCH; i += 1) {
    const eventId = nextEventId++;
    body += `${i === 0 ? '' : ','}${EVENT_HEAD}${eventId}${EVENT_MIDDLE}${timestamp}${EVENT_TAIL}${eventId % 5000}${EVENT_END}`;
  }
  body += ']';
  const signature = createHmac('sha256', SECRET)
    .update(SIGNED_URL)
    .update(body)
    .update(String(timestamp))
    .digest('base64');
  return {
    ...request,
    method: 'POST',
    path: '/webhooks/hubspot',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': String(timestamp),
    },
    body,
  };
}

interface Target {
  readonly label: string;
  readonly url: string;
  /** CPU time (user + system) the target's process has used so far, in ms; undefined off Linux. */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_S = 100;

/** utime + stime of a process from /proc (Linux), in milliseconds. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok || response.status === 404) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not start`);
}

async function startProcess(
  label: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  probe: string,
): Promise<Target> {
  const port = await freePort();
  // node itself (not the tsx wrapper, which runs node in a child) so the PID is the server's, for its CPU time.
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(`${url}${probe}`, child);
  return {
    label,
    url,
    cpuMs: () => processCpuMs(child.pid),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function startTruce(
  label: string,
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<Target> {
  return startProcess(
    label,
    path.join(ROOT, 'server/main.ts'),
    ['serve'],
    {
      DATABASE_URL: databaseUrl,
      HUBSPOT_CLIENT_SECRET: SECRET,
      HUBSPOT_PORTAL_ID: String(PORTAL_ID),
      PUBLIC_BASE_URL,
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    '/readyz',
  );
}

async function load(target: Target, overallRate?: number) {
  const cpuBefore = target.cpuMs();
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    ...(overallRate ? { overallRate } : {}),
    requests: [{ setupRequest: signedBatch }],
  });
  const ok = result['2xx'];
  const cpuAfter = target.cpuMs();
  return {
    /** Server CPU per acknowledged request: what the target costs, whatever share of the cores it got. */
    cpuMsPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || ok === 0
        ? undefined
        : (cpuAfter - cpuBefore) / ok,
    eventsPerSecond: Math.round((ok * EVENTS_PER_BATCH) / result.duration),
    requestsPerSecond: Math.round(ok / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Webhook intake throughput and ack latency for signed 100-event batches against the real service (its worker
 * running, logs at info) on SQLite (synchronous NORMAL and FULL) and PostgreSQL, next to a bare Express
 * endpoint that only reads the raw body, all in the same run and over loopback, in rounds that interleave the
 * targets. Each line also gives the target process's CPU time per acknowledged request: on a shared machine
 * throughput says how much CPU a process got, CPU per request says what it costs. Then fixed rates.
 */
export const intakeBenchmark: Benchmark = {
  name: 'intake',
  description: `signed ${EVENTS_PER_BATCH}-event webhook batches, ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} rounds: Truce on SQLite (NORMAL, FULL) and PostgreSQL vs a bare raw-body endpoint (baseline)`,
  async run(print) {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-bench-intake-'));
    const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    const schema = `truce_bench_${randomBytes(4).toString('hex')}`;
    const targets: Target[] = [];
    try {
      targets.push(
        await startProcess(
          'bare Express raw body (baseline)',
          path.join(ROOT, 'bench/bare-raw-server.ts'),
          [],
          {},
          '/',
        ),
      );
      targets.push(await startTruce('Truce on SQLite', path.join(dir, 'intake.sqlite')));
      targets.push(
        await startTruce(
          'Truce on SQLite, synchronous=FULL',
          path.join(dir, 'intake-full.sqlite'),
          {
            SQLITE_SYNCHRONOUS: 'full',
          },
        ),
      );
      // Intake's own ceiling: the worker keeps the least share of the loop it may (it still works when idle).
      const intakeFirst = path.join(dir, 'intake-first.yaml');
      writeFileSync(intakeFirst, 'webhooks:\n  workerShare: 0.05\n');
      targets.push(
        await startTruce(
          'Truce on SQLite, worker share 0.05',
          path.join(dir, 'intake-first.sqlite'),
          {
            TRUCE_CONFIG: intakeFirst,
          },
        ),
      );
      if (postgresUrl) {
        await pgAdmin(postgresUrl, `create schema ${schema}`);
        const url = new URL(postgresUrl);
        url.searchParams.set('options', `-c search_path=${schema}`);
        targets.push(await startTruce('Truce on PostgreSQL', url.toString()));
      } else {
        print('PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');
      }

      // Rounds interleave the targets, so a change in the machine's load hits all of them alike.
      for (let round = 1; round <= ROUNDS; round += 1) {
        print(
          `\nround ${round} of ${ROUNDS}, load average ${loadavg()
            .map((value) => value.toFixed(1))
            .join(' ')}`,
        );
        print(
          `${'target'.padEnd(36)} ${'events/s'.padStart(9)} ${'req/s'.padStart(6)} ${'ratio'.padStart(6)} ${'ack p50'.padStart(8)} ${'ack p99'.padStart(8)} ${'CPU/req'.padStart(8)} failures`,
        );
        let baseline = 0;
        for (const target of targets) {
          const r = await load(target);
          if (baseline === 0) baseline = r.eventsPerSecond;
          const cpu = r.cpuMsPerRequest === undefined ? '?' : `${r.cpuMsPerRequest.toFixed(2)} ms`;
          print(
            `${target.label.padEnd(36)} ${r.eventsPerSecond.toLocaleString('en-US').padStart(9)} ${String(r.requestsPerSecond).padStart(6)} ${(r.eventsPerSecond / baseline).toFixed(2).padStart(6)} ${`${r.p50} ms`.padStart(8)} ${`${r.p99} ms`.padStart(8)} ${cpu.padStart(8)} ${r.failures}`,
          );
        }
      }
      for (const rate of FIXED_RATES) {
        print(
          `\nat a fixed ${rate.toLocaleString('en-US')} requests/s (${(rate * EVENTS_PER_BATCH).toLocaleString('en-US')} events/s offered):`,
        );
        for (const target of targets) {
          const r = await load(target, rate);
          print(
            `${target.label.padEnd(36)} achieved ${String(r.requestsPerSecond).padStart(5)} req/s, ack p50 ${r.p50} ms, p99 ${r.p99} ms, failures ${r.failures}`,
          );
        }
      }
    } finally {
      for (const target of targets) await target.stop();
      rmSync(dir, { recursive: true, force: true });
      if (postgresUrl) {
        await pgAdmin(postgresUrl, `drop schema if exists ${schema} cascade`);
      }
    }
  },
};
