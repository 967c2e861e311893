import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'kysely';

import { CARD_ROUTES } from '../extensions/app/cards/api/contract';
import { signV3 } from '../sandbox/webhook-signer';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { createLogger } from '../server/logger';
import { startService } from '../server/service';
import { seededRandom } from '../src/handoff/seeded-random';
import { SEED, seedCardData } from './card-api-seed';
import { pgAdmin } from './pg-admin';
import type { Benchmark } from './registry';

const SECRET = 'bench-card-secret';
const PUBLIC_BASE_URL = 'https://truce.example.com';
/** Per kind of request; CARD_BENCH_REQUESTS overrides it for a quick look. */
const REQUESTS = Number(process.env.CARD_BENCH_REQUESTS ?? 1_000);
const WARM_UP = Math.min(100, REQUESTS);

/** HubSpot's v3 signature over method, public URL, body and timestamp, as `hubspot.fetch` sends it. */
async function signedGet(baseUrl: string, pathAndQuery: string): Promise<number> {
  const timestamp = Date.now();
  const signature = signV3(SECRET, 'GET', `${PUBLIC_BASE_URL}${pathAndQuery}`, '', timestamp);
  const started = performance.now();
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {
    headers: {
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': String(timestamp),
    },
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`${pathAndQuery} answered ${response.status}`);
  return elapsed;
}

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return `p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms`;
}

interface Target {
  readonly label: string;
  readonly url: string;
  readonly cleanup: () => Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(path.join(tmpdir(), 'truce-bench-card-'));
  return {
    label: 'SQLite (file, WAL)',
    url: path.join(dir, 'truce.sqlite'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A private schema on the given server, dropped afterwards. */
async function postgresTarget(connectionString: string): Promise<Target> {
  const schema = `truce_bench_card_${Date.now().toString(36)}`;
  const admin = (statement: string) => pgAdmin(connectionString, statement);
  await admin(`create schema ${schema}`);
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    label: 'PostgreSQL',
    url: url.toString(),
    cleanup: () => admin(`drop schema ${schema} cascade`),
  };
}

async function runOn(target: Target, print: (line: string) => void): Promise<void> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: target.url,
    HUBSPOT_CLIENT_SECRET: SECRET,
    HUBSPOT_PORTAL_ID: String(SEED.portalId),
    PUBLIC_BASE_URL,
  });
  const database = openDatabase(config.database);
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  try {
    await migrateToLatest(database.db);
    const seeding = performance.now();
    const counts = await seedCardData(database.db);
    // The state a long-running database is in, not the one right after a bulk load: SQLite's WAL copied
    // back into the file, PostgreSQL's statistics gathered (autovacuum would do both soon after).
    if (database.dialect === 'sqlite')
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(database.db);
    else await sql`analyze`.execute(database.db);
    print(
      `${target.label}: seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s: ${Object.entries(
        counts,
      )
        .map(([table, count]) => `${count.toLocaleString('en-US')} ${table}`)
        .join(', ')}`,
    );
    service = await startService(config, createLogger('silent'), {
      database,
      startWorkers: false,
    });
    const baseUrl = `http://127.0.0.1:${service.port}`;
    const random = seededRandom(7);
    const contacts = SEED.deals * SEED.contactsPerDeal;
    const pick = (count: number) => 1 + Math.floor(random() * count);
    const requests: Record<string, () => Promise<number>> = {
      'GET /healthz (baseline)': async () => {
        const started = performance.now();
        const response = await fetch(`${baseUrl}/healthz`);
        await response.arrayBuffer();
        return performance.now() - started;
      },
      'contact card (handoff + touchpoints)': () =>
        signedGet(
          baseUrl,
          CARD_ROUTES.contactHandoff.replace(':contactId', String(pick(contacts))),
        ),
      'deal card, won deal (stored credits)': () =>
        signedGet(
          baseUrl,
          CARD_ROUTES.dealAttribution.replace(':dealId', String(5 * pick(SEED.deals / 5))),
        ),
      'deal card, open deal (computed now)': () =>
        signedGet(
          baseUrl,
          CARD_ROUTES.dealAttribution.replace(
            ':dealId',
            String(5 * (pick(SEED.deals / 5) - 1) + 2 + Math.floor(random() * 3)),
          ),
        ),
    };
    for (const request of Object.values(requests)) {
      for (let i = 0; i < WARM_UP; i += 1) await request();
    }
    // Interleaved, so a burst of load from other work on the machine hits every kind alike.
    const samples = new Map(Object.keys(requests).map((name) => [name, [] as number[]]));
    for (let i = 0; i < REQUESTS; i += 1) {
      for (const [name, request] of Object.entries(requests)) {
        samples.get(name)!.push(await request());
      }
    }
    for (const [name, values] of samples) {
      print(
        `${target.label}: ${name.padEnd(40)} ${percentiles(values)} (${values.length} requests)`,
      );
    }
  } finally {
    await service?.close();
    if (!service) await database.close();
    await target.cleanup();
  }
}

/**
 * The card API with 100,000 deals in the database (200,000 contacts, 600,000 touches, the stored credits of
 * every model for the won fifth, a handoff for every other contact): signed contact-card and deal-card
 * requests one at a time, p50/p95/p99 against `/healthz` over the same HTTP stack in the same run. SQLite
 * always; PostgreSQL too when TEST_DATABASE_URL (or DATABASE_URL) names a server.
 */
export const cardApiBenchmark: Benchmark = {
  name: 'card-api',
  description:
    'signed card requests with 100,000 deals stored (SQLite, and PostgreSQL when configured)',
  async run(print) {
    await runOn(await sqliteTarget(), print);
    const postgres = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (postgres?.startsWith('postgres')) await runOn(await postgresTarget(postgres), print);
    else print('PostgreSQL: SKIPPED (set TEST_DATABASE_URL to run it)');
  },
};
