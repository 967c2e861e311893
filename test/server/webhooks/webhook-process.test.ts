import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { openDatabase } from '../../../server/db/database';
import { createPostgresSchema, dialects } from '../../helpers/database';
import { freePort, ROOT, spawnScript, spawnTruce, waitForOk } from '../../helpers/process';
import { lifecycleStream, postWebhook, settingsFile, webhookEnv } from '../../helpers/webhooks';

jest.setTimeout(180_000);

const KILL_TEST_EVENTS = 1500;

/** Posts batches with at most `inFlight` requests open, as HubSpot does; every answer must be 2xx. */
async function deliver(baseUrls: string[], batches: unknown[][], inFlight = 10): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const index = next++;
      const response = await postWebhook(baseUrls[index % baseUrls.length]!, batches[index]!, {
        timestamp: Date.now(),
      });
      if (response.status !== 204) throw new Error(`batch ${index}: HTTP ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(dialects)('the truce process on %s', (dialect) => {
  it('loses nothing it acknowledged when SIGKILLed: the restarted process processes every stored event', async () => {
    const schema = dialect === 'postgres' ? await createPostgresSchema() : undefined;
    const databaseUrl =
      schema?.url ?? path.join(mkdtempSync(path.join(tmpdir(), 'truce-kill-')), 'truce.sqlite');
    const env = webhookEnv({
      DATABASE_URL: databaseUrl,
      TRUCE_CONFIG: settingsFile('webhooks:\n  claimLeaseMs: 1000\n  pollIntervalMs: 100\n'),
    });
    const database = openDatabase(
      schema
        ? { dialect: 'postgres', connectionString: databaseUrl, poolSize: 2 }
        : { dialect: 'sqlite', filename: databaseUrl },
    );
    try {
      const port = await freePort();
      const first = spawnTruce(['serve'], { ...env, PORT: String(port) });
      await waitForOk(`http://127.0.0.1:${port}/readyz`);
      const batches = lifecycleStream(KILL_TEST_EVENTS, 40, 100);
      await deliver([`http://127.0.0.1:${port}`], batches);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');

      const atKill = await database.db
        .selectFrom('webhook_event')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const total = atKill.reduce((sum, row) => sum + Number(row.n), 0);
      expect(total).toBe(KILL_TEST_EVENTS); // every acknowledged event was stored

      const restartPort = await freePort();
      const second = spawnTruce(['serve'], { ...env, PORT: String(restartPort) });
      try {
        await waitFor(async () => {
          const waiting = await database.db
            .selectFrom('webhook_event')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '!=', 'done')
            .executeTakeFirstOrThrow();
          return Number(waiting.n) === 0;
        }, 'every event to be done');
      } finally {
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
      // The newest change of every contact won, whatever happened to the process in between.
      const contacts = await database.db
        .selectFrom('contact')
        .select(['contact_id', 'lifecyclestage'])
        .orderBy('contact_id')
        .execute();
      expect(contacts).toHaveLength(40);
      for (const contact of contacts) {
        // Event i changes contact 1 + (i % 40); the newest one per contact is the largest such i.
        let last = KILL_TEST_EVENTS - 1;
        while (last % 40 !== Number(contact.contact_id) - 1) last -= 1;
        expect(contact.lifecyclestage).toBe(`stage-${last}`);
      }
      const pendingAtKill = atKill
        .filter((row) => row.status !== 'done')
        .reduce((sum, row) => sum + Number(row.n), 0);
      process.stdout.write(
        `[kill test ${dialect}] ${pendingAtKill} of ${KILL_TEST_EVENTS} events were unprocessed at SIGKILL\n`,
      );
    } finally {
      await database.close();
      await schema?.drop();
    }
  });
});

(dialects.includes('postgres') ? describe : describe.skip)(
  'two truce processes on one PostgreSQL',
  () => {
    it('process a shared stream of 10,000 events exactly once', async () => {
      const schema = await createPostgresSchema();
      const admin = new pg.Client({ connectionString: schema.url });
      await admin.connect();
      const processes: ReturnType<typeof spawnScript>[] = [];
      try {
        await admin.query(
          'create table handler_application (event_row_id bigint not null, pid integer not null)',
        );
        const env = webhookEnv({
          DATABASE_URL: schema.url,
          TRUCE_CONFIG: settingsFile('webhooks:\n  pollIntervalMs: 100\n'),
        });
        const ports = [await freePort(), await freePort()];
        // Start one after the other: both migrate at start, and the migration lock makes the second wait.
        for (const port of ports) {
          processes.push(
            spawnScript(path.join(ROOT, 'test/fixtures/serve-counting.ts'), [], {
              ...env,
              PORT: String(port),
            }),
          );
          await waitForOk(`http://127.0.0.1:${port}/readyz`);
        }
        const urls = ports.map((port) => `http://127.0.0.1:${port}`);
        const batches = lifecycleStream(10_000, 500, 100);
        // Every batch goes to one process; every fifth is redelivered to the other one too, as HubSpot retries do.
        const redeliveries = batches.filter((_, index) => index % 5 === 0);
        await Promise.all([
          deliver(urls, batches, 8),
          deliver([...urls].reverse(), redeliveries, 2),
        ]);

        await waitFor(async () => {
          const { rows } = await admin.query<{ n: string }>(
            `select count(*) as n from webhook_event where status <> 'done'`,
          );
          return Number(rows[0]!.n) === 0;
        }, '10,000 events to be done');

        const { rows } = await admin.query<{
          stored: string;
          applications: string;
          distinct_events: string;
          processes: string;
        }>(`
        select (select count(*) from webhook_event) as stored,
               count(*) as applications,
               count(distinct event_row_id) as distinct_events,
               count(distinct pid) as processes
        from handler_application`);
        expect(rows[0]).toEqual({
          stored: '10000',
          applications: '10000',
          distinct_events: '10000',
          processes: '2',
        });
      } finally {
        for (const child of processes) child.child.kill('SIGTERM');
        for (const child of processes) await child.exited;
        await admin.end();
        await schema.drop();
      }
    });
  },
);
