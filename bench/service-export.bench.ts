import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Insertable } from 'kysely';

import { type BulkColumn, bulkInsert } from '../server/db/bulk-insert';
import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import type { AttributionCreditTable } from '../server/db/schema';
import { freePort, waitForOk } from '../server/http/loopback';
import { JOURNEY_MODELS } from '../src/attribution/models';
import type { Benchmark } from './registry';

const ROWS = 500_000;
const PEAK_LIMIT_MB = 200;
const PORTAL_ID = 1;
const API_KEY = 'bench-export-key-0123456789';
const ROOT = path.resolve(__dirname, '..');

/**
 * The 500,000-row credit export through the service: `truce serve` on a SQLite file holding 500,000 stored
 * credit rows, `GET /api/v1/reports/attribution?view=credits&format=csv` over loopback, the body counted and
 * dropped by the client. Peak memory is the serving process's own high-water mark (VmHWM in
 * /proc/<pid>/status), read right after the export, which runs first so the peak is its own. Baselines in the
 * same run: the same process idle after start and one small request, and afterwards the campaign table over the
 * same 500,000 rows (read and summed, a few hundred rows written).
 */
export const serviceExportBenchmark: Benchmark = {
  name: 'service-export',
  description: `CSV of ${ROWS.toLocaleString('en-US')} stored credit rows through GET /api/v1/reports/attribution, peak RSS of truce serve (limit ${PEAK_LIMIT_MB} MB)`,
  async run(print) {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-bench-service-export-'));
    const file = path.join(dir, 'export.sqlite');
    try {
      let started = performance.now();
      await seedCredits(file);
      print(`seeded ${ROWS} credit rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const port = await freePort();
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
            TRUCE_API_KEY: API_KEY,
            HUBSPOT_PORTAL_ID: String(PORTAL_ID),
            LOG_LEVEL: 'warn',
            // e.g. `--max-old-space-size=48`, to tell retained memory from a heap V8 lets grow before collecting.
            ...(process.env.BENCH_SERVE_NODE_OPTIONS
              ? { NODE_OPTIONS: process.env.BENCH_SERVE_NODE_OPTIONS }
              : {}),
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitForOk(`${base}/healthz`, 600, 100);
        const headers = { authorization: `Bearer ${API_KEY}` };
        await (
          await fetch(`${base}/api/v1/reports/attribution?model=linear&from=2030`, { headers })
        ).text();
        const idle = memory(child.pid!);
        print(`serving process idle (baseline): RSS ${idle.rssMb} MB, peak ${idle.peakMb} MB`);

        started = performance.now();
        const credits = await consume(
          `${base}/api/v1/reports/attribution?view=credits&format=csv`,
          headers,
        );
        const ms = performance.now() - started;
        const after = memory(child.pid!);
        print(
          `credit rows CSV: ${credits.lines - 1} rows, ${(credits.bytes / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms (${Math.round(((credits.lines - 1) / ms) * 1000).toLocaleString('en-US')} rows/s), serving process peak RSS ${after.peakMb} MB — ${after.peakMb < PEAK_LIMIT_MB ? 'within' : 'OVER'} the ${PEAK_LIMIT_MB} MB limit`,
        );
        started = performance.now();
        const table = await consume(`${base}/api/v1/reports/attribution?format=csv`, headers);
        const tableMs = performance.now() - started;
        const afterTable = memory(child.pid!);
        print(
          `then the campaign table over the same ${ROWS} rows (read and summed, baseline): ${tableMs.toFixed(0)} ms (credit CSV ${(ms / tableMs).toFixed(2)}× its time), ${table.lines} lines, peak ${afterTable.peakMb} MB`,
        );

        if (credits.lines - 1 !== ROWS)
          throw new Error(`expected ${ROWS} rows, got ${credits.lines - 1}`);
        if (after.peakMb >= PEAK_LIMIT_MB) process.exitCode = 1;
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function seedCredits(file: string): Promise<void> {
  const handle = openDatabase({ dialect: 'sqlite', filename: file });
  try {
    await migrateToLatest(handle.db);
    const campaigns = Array.from(
      { length: 200 },
      (_, i) => `2026 campaign ${String(i).padStart(3, '0')}`,
    );
    const channels = [
      'email',
      'paid_search',
      'organic_search',
      'paid_social',
      'events',
      'referral',
    ];
    const rows: Insertable<AttributionCreditTable>[] = [];
    for (let i = 0; i < ROWS; i += 1) {
      const net = (i * 7919) % 2_500_000;
      rows.push({
        portal_id: PORTAL_ID,
        deal_id: 100_000 + Math.floor(i / 20),
        model: JOURNEY_MODELS[i % JOURNEY_MODELS.length]!,
        touchpoint_id: Math.floor(i / 10),
        contact_id: Math.floor(i / 40),
        campaign: i % 11 === 0 ? null : campaigns[(i * 31) % campaigns.length]!,
        channel: channels[(i * 17) % channels.length]!,
        currency: i % 5 === 0 ? 'USD' : 'EUR',
        gross_cents: net,
        discount_cents: 0,
        net_cents: net,
        closed_at: Date.UTC(2026, 6, 1) + (i % 90) * 86_400_000,
        period: '2026-Q3',
        computed_at: 0,
      });
    }
    const columns: BulkColumn<Insertable<AttributionCreditTable>>[] = (
      [
        ['portal_id', 'bigint'],
        ['deal_id', 'bigint'],
        ['model', 'text'],
        ['touchpoint_id', 'bigint'],
        ['contact_id', 'bigint'],
        ['campaign', 'text'],
        ['channel', 'text'],
        ['currency', 'text'],
        ['gross_cents', 'bigint'],
        ['discount_cents', 'bigint'],
        ['net_cents', 'bigint'],
        ['closed_at', 'bigint'],
        ['period', 'text'],
        ['computed_at', 'bigint'],
      ] as const
    ).map(([name, type]) => ({
      name,
      type,
      value: (row) => (row[name] ?? null) as string | number | null,
    }));
    await handle.db
      .transaction()
      .execute((trx) => bulkInsert(trx, handle, 'attribution_credit', columns, rows));
  } finally {
    await handle.close();
  }
}

/** Reads a response to the end, counting bytes and lines without keeping the body. */
async function consume(
  url: string,
  headers: Record<string, string>,
): Promise<{ bytes: number; lines: number }> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines += 1;
  }
  return { bytes, lines };
}

function memory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}
