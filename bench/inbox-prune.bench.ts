import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'kysely';

import { type DatabaseHandle, openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { countPrunableEvents, pruneDoneEvents } from '../server/webhooks/webhook-event.repository';
import type { Benchmark } from './registry';

const ROWS = 1_000_000;
const DAY = 86_400_000;
const NOW = 1_764_000_000_000;
/** Half the rows were processed more than 30 days ago (processed times spread over 60 days, oldest first). */
const CUTOFF = NOW - 30 * DAY;
const BATCHES = [1000, 5000];
const ROUNDS = 5;

/**
 * One retention batch against an inbox of a million done events (half of them older than the window), on
 * SQLite (a file) and PostgreSQL (when TEST_DATABASE_URL is set): wall and CPU time of a delete of 1,000 and
 * 5,000 rows, of the probe that finds nothing to do, and of a dry run's count.
 */
export const inboxPruneBenchmark: Benchmark = {
  name: 'inbox-prune',
  description: `one retention batch with ${ROWS.toLocaleString('en')} done events in the inbox`,
  async run(print) {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-prune-'));
    try {
      const sqlite = openDatabase({ dialect: 'sqlite', filename: path.join(dir, 'inbox.sqlite') });
      await measure(sqlite, print);
      await sqlite.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const url = process.env.TEST_DATABASE_URL;
    if (!url) {
      print('postgres: skipped (set TEST_DATABASE_URL)');
      return;
    }
    const schema = `truce_prune_bench_${process.pid}`;
    const admin = openDatabase({ dialect: 'postgres', connectionString: url, poolSize: 1 });
    await sql.raw(`create schema ${schema}`).execute(admin.db);
    try {
      const postgres = openDatabase(
        // One connection, so one server process does all the work and its CPU time can be read.
        { dialect: 'postgres', connectionString: url, poolSize: 1 },
        { searchPath: schema },
      );
      await measure(postgres, print);
      await postgres.close();
    } finally {
      await sql.raw(`drop schema ${schema} cascade`).execute(admin.db);
      await admin.close();
    }
  },
};

async function measure(database: DatabaseHandle, print: (line: string) => void): Promise<void> {
  await migrateToLatest(database.db);
  const seeded = Date.now();
  await seed(database);
  print(
    `${database.dialect}: seeded ${ROWS.toLocaleString('en')} done events in ${Date.now() - seeded} ms`,
  );
  const skipLocked = database.supportsRowLocks;
  const time = async (label: string, run: () => Promise<number>) => {
    const walls: number[] = [];
    const cpus: number[] = [];
    let rows = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      rows = await run();
      walls.push(Number(process.hrtime.bigint() - start) / 1e6);
      const used = process.cpuUsage(cpu);
      cpus.push((used.user + used.system) / 1000);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    print(
      `${database.dialect}: ${label}: ${rows} row(s), median of ${ROUNDS}: ${median(walls).toFixed(2)} ms wall, ` +
        `${median(cpus).toFixed(2)} ms CPU in this process; load average ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}`,
    );
  };
  await time('dry-run count', () => countPrunableEvents(database.db, CUTOFF));
  for (const limit of BATCHES) {
    await time(
      `delete batch of ${limit}`,
      async () =>
        (await pruneDoneEvents(database.db, { before: CUTOFF, limit, skipLocked })).deleted,
    );
  }
  // Nothing older than the window left: the probe a pruner makes while it backs off.
  const serverCpu = await serverCpuReader(database);
  const serverCpuBefore = serverCpu?.();
  const clientCpu = process.cpuUsage();
  const drained = Date.now();
  let total = 0;
  let batches = 0;
  let from: number | undefined;
  for (let more = true; more;) {
    const { deleted, reached } = await pruneDoneEvents(database.db, {
      before: CUTOFF,
      limit: 1000,
      skipLocked,
      ...(from === undefined ? {} : { from }),
    });
    total += deleted;
    batches += 1;
    from = reached ?? from;
    more = deleted === 1000;
  }
  const wall = Date.now() - drained;
  const client = process.cpuUsage(clientCpu);
  const clientMs = (client.user + client.system) / 1000 / batches;
  const server =
    serverCpu && serverCpuBefore !== undefined
      ? `, server process ${((serverCpu() - serverCpuBefore) / batches).toFixed(2)} ms`
      : '';
  print(
    `${database.dialect}: deleted the remaining ${total} in ${batches} batches of up to 1,000 in ${wall} ms: ` +
      `per batch ${(wall / batches).toFixed(2)} ms wall, CPU this process ${clientMs.toFixed(2)} ms${server}; ` +
      `load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  await time(
    'probe with nothing to delete, from the start of the index range',
    async () =>
      (await pruneDoneEvents(database.db, { before: CUTOFF, limit: 1000, skipLocked })).deleted,
  );
  await time(
    'probe with nothing to delete, from where the last batch ended',
    async () =>
      (await pruneDoneEvents(database.db, { before: CUTOFF, from, limit: 1000, skipLocked }))
        .deleted,
  );
  if (database.dialect === 'postgres') {
    await sql`vacuum webhook_event`.execute(database.db);
    await time(
      'probe with nothing to delete, from the start, after vacuum',
      async () =>
        (await pruneDoneEvents(database.db, { before: CUTOFF, limit: 1000, skipLocked })).deleted,
    );
  }
}

/**
 * PostgreSQL on this machine: the CPU time (ms) of the server process behind the one connection, from /proc
 * (clock ticks of 10 ms, so only sums over many batches mean anything).
 */
async function serverCpuReader(database: DatabaseHandle): Promise<(() => number) | undefined> {
  if (database.dialect !== 'postgres') return undefined;
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
  const file = `/proc/${rows[0]!.pid}/stat`;
  const read = () => {
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  };
  try {
    read();
    return read;
  } catch {
    return undefined;
  }
}

/** A million done events in id order, processed a second after they occurred, spread over 60 days. */
async function seed(database: DatabaseHandle): Promise<void> {
  const span = 60 * DAY;
  const payload = JSON.stringify({
    eventId: 1,
    subscriptionId: 7,
    portalId: 42,
    appId: 1,
    occurredAt: NOW,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 123,
    propertyName: 'hs_lead_status',
    propertyValue: 'IN_PROGRESS',
    changeSource: 'CRM_UI',
    sourceId: 'userId:1',
  });
  const columns =
    'portal_id, subscription_id, event_id, occurred_at, object_id, property_name, subscription_type, ' +
    'object_type, change, payload, status, outcome, attempts, next_attempt_at, received_at, processed_at';
  const at = `${NOW - span} + i * ${Math.floor(span / ROWS)}`;
  const values =
    `42, 7, i, ${at}, i % 50000, 'hs_lead_status', 'contact.propertyChange', 'contact', 'propertyChange', ` +
    `'${payload}', 'done', 'applied', 1, ${at}, ${at}, ${at} + 1000`;
  if (database.dialect === 'sqlite') {
    database.sqlite!.exec(
      `with recursive s(i) as (select 1 union all select i + 1 from s where i < ${ROWS}) ` +
        `insert into webhook_event (${columns}) select ${values} from s`,
    );
  } else {
    await sql
      .raw(
        `insert into webhook_event (${columns}) select ${values} from generate_series(1::bigint, ${ROWS}) as s(i); ` +
          'analyze webhook_event',
      )
      .execute(database.db);
  }
}
