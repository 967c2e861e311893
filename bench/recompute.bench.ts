import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { recomputeAttribution } from '../server/attribution/recompute.service';
import { loadConfig } from '../server/config';
import { type DatabaseHandle, openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { pgAdmin } from './pg-admin';
import { BENCH_NOW, DEALS, seedRecomputeData, TOUCHES } from './recompute-data';
import type { Benchmark } from './registry';

const PORTAL_ID = 1;
const TARGET_S = 60;

/**
 * `truce recompute` over 100,000 deals and 1,000,000 touches, every model (ten journey models per won deal,
 * Markov and Shapley per quarter), on a SQLite file and on PostgreSQL. Baseline in the same run on the same
 * database: reading every touch once, in keyset pages of 10,000 (the least a recomputation must read).
 */
export const recomputeBenchmark: Benchmark = {
  name: 'recompute',
  description: `full recomputation of ${DEALS.toLocaleString('en-US')} deals / ${TOUCHES.toLocaleString('en-US')} touches, all models, SQLite and PostgreSQL (target < ${TARGET_S} s)`,
  async run(print) {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-bench-recompute-'));
    const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    const schema = `truce_bench_${randomBytes(4).toString('hex')}`;
    try {
      await measure(
        print,
        'SQLite',
        openDatabase({ dialect: 'sqlite', filename: path.join(dir, 'recompute.sqlite') }),
      );
      if (postgresUrl) {
        await pgAdmin(postgresUrl, `create schema ${schema}`);
        await measure(
          print,
          'PostgreSQL',
          openDatabase(
            { dialect: 'postgres', connectionString: postgresUrl, poolSize: 4 },
            { searchPath: schema },
          ),
        );
      } else {
        print('PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (postgresUrl) await pgAdmin(postgresUrl, `drop schema if exists ${schema} cascade`);
    }
  },
};

async function measure(
  print: (line: string) => void,
  label: string,
  handle: DatabaseHandle,
): Promise<void> {
  try {
    await migrateToLatest(handle.db);
    let started = performance.now();
    const seeded = await seedRecomputeData(handle, PORTAL_ID);
    print(
      `${label}: seeded ${DEALS} deals (${seeded.won} won), ${seeded.contacts} contacts, ${TOUCHES} touches in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    started = performance.now();
    let read = 0;
    let after = 0;
    for (;;) {
      const rows = await handle.db
        .selectFrom('touchpoint')
        .select(['id', 'contact_id', 'at', 'channel', 'campaign'])
        .where('portal_id', '=', PORTAL_ID)
        .where('id', '>', after)
        .orderBy('id')
        .limit(10_000)
        .execute();
      read += rows.length;
      if (rows.length < 10_000) break;
      after = Number(rows.at(-1)!.id);
    }
    const baselineS = (performance.now() - started) / 1000;
    print(`${label}: baseline, read ${read} touches once: ${baselineS.toFixed(1)} s`);

    const settings = loadConfig({}).settings.attribution;
    started = performance.now();
    const cpu = process.cpuUsage();
    const summary = await recomputeAttribution(handle, PORTAL_ID, { settings, now: BENCH_NOW });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const periods = summary.periods
      .map(
        (period) =>
          `${period.period} ${period.won}/${period.lost}/${period.stale}/${period.contacts}`,
      )
      .join(', ');
    print(
      `${label}: recompute ${seconds.toFixed(1)} s (${((used.user + used.system) / 1e6).toFixed(1)} s CPU in this process, ${(seconds / baselineS).toFixed(1)}× the read baseline): ${summary.deals} won deals → ${summary.credits} credit rows (${settings.models.length} journey models); quarters (won/lost/stale/deal-less journeys): ${periods}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB — ${seconds < TARGET_S ? 'within' : 'OVER'} the ${TARGET_S} s target`,
    );
  } finally {
    await handle.close();
  }
}
