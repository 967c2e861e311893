import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import SQLite from 'better-sqlite3';

import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import type { Benchmark } from './registry';

const ROWS = 20_000;
const BATCH = 500;

function rate(rows: number, ms: number): number {
  return Math.round((rows / ms) * 1000);
}

/**
 * Batched inserts through the query layer (Kysely) against the raw better-sqlite3 driver in the same run:
 * the ratio is what the portable query layer costs.
 */
export const storageBenchmark: Benchmark = {
  name: 'storage',
  description: `insert ${ROWS} rows in batches of ${BATCH}: Kysely vs raw better-sqlite3 (baseline)`,
  async run(print) {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-bench-'));
    try {
      const raw = new SQLite(path.join(dir, 'raw.sqlite'));
      raw.pragma('journal_mode = WAL');
      raw.pragma('synchronous = NORMAL');
      raw.exec(
        'create table portal (portal_id bigint primary key, name text, auth_type text, status text, created_at bigint, updated_at bigint)',
      );
      const insert = raw.prepare('insert into portal values (?, ?, ?, ?, ?, ?)');
      const insertMany = raw.transaction((from: number) => {
        for (let i = from; i < from + BATCH; i += 1)
          insert.run(i, `p${i}`, 'static', 'active', i, i);
      });
      let started = performance.now();
      for (let from = 0; from < ROWS; from += BATCH) insertMany(from);
      const rawMs = performance.now() - started;
      raw.close();

      const handle = openDatabase({ dialect: 'sqlite', filename: path.join(dir, 'kysely.sqlite') });
      await migrateToLatest(handle.db);
      started = performance.now();
      for (let from = 0; from < ROWS; from += BATCH) {
        await handle.db.transaction().execute(async (trx) => {
          const values = Array.from({ length: BATCH }, (_, k) => {
            const i = from + k;
            return {
              portal_id: i,
              name: `p${i}`,
              auth_type: 'static' as const,
              status: 'active' as const,
              created_at: i,
              updated_at: i,
            };
          });
          await trx.insertInto('portal').values(values).execute();
        });
      }
      const kyselyMs = performance.now() - started;
      await handle.close();

      print(
        `raw better-sqlite3 : ${rate(ROWS, rawMs).toLocaleString('en-US')} rows/s (${rawMs.toFixed(0)} ms)`,
      );
      print(
        `Kysely on SQLite   : ${rate(ROWS, kyselyMs).toLocaleString('en-US')} rows/s (${kyselyMs.toFixed(0)} ms), ${(rawMs / kyselyMs).toFixed(2)}x of raw`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
