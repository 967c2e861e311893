import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import SQLite from 'better-sqlite3';

import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { type RunningService, startService } from '../../server/service';
import {
  errorOf,
  lifecycleStream,
  postWebhook,
  settingsFile,
  webhookEnv,
} from '../helpers/webhooks';
import { expectedStages, report, waitFor } from './fault-stream';

const EVENTS = 400;
const CONTACTS = 20;

/** The service on a SQLite file, workers running, as `truce serve` runs it. */
async function serveOnFile(): Promise<{ service: RunningService; file: string; baseUrl: string }> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'truce-sqlite-fault-')), 'truce.sqlite');
  const config = loadConfig({
    ...webhookEnv(),
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: file,
    TRUCE_CONFIG: settingsFile('webhooks:\n  pollIntervalMs: 50\n  claimLeaseMs: 1000\n'),
  });
  const service = await startService(config, createLogger('silent'));
  return { service, file, baseUrl: `http://127.0.0.1:${service.port}` };
}

/** What an outsider sees in the file: integrity, stored events, events not yet processed. */
function inspect(file: string): { integrity: string; stored: number; unprocessed: number } {
  const reader = new SQLite(file, { readonly: true });
  try {
    return {
      integrity: reader.pragma('integrity_check', { simple: true }) as string,
      stored: (reader.prepare('select count(*) as n from webhook_event').get() as { n: number }).n,
      unprocessed: (
        reader.prepare(`select count(*) as n from webhook_event where status <> 'done'`).get() as {
          n: number;
        }
      ).n,
    };
  } finally {
    reader.close();
  }
}

function stagesOf(file: string): Map<number, string> {
  const reader = new SQLite(file, { readonly: true });
  try {
    const rows = reader.prepare('select contact_id, lifecyclestage from contact').all() as {
      contact_id: number;
      lifecyclestage: string;
    }[];
    return new Map(rows.map((row) => [Number(row.contact_id), row.lifecyclestage]));
  } finally {
    reader.close();
  }
}

/**
 * Another process that takes the write lock (BEGIN EXCLUSIVE), writes rows it never commits, and holds on
 * until it is killed, like a stuck backup or admin shell.
 */
async function holdWriteLock(file: string) {
  const script = `
    const db = require('better-sqlite3')(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    db.prepare("insert into webhook_event (portal_id, subscription_id, event_id, occurred_at, object_id, property_name, subscription_type, object_type, change, payload, status, attempts, next_attempt_at, received_at) values (1, 1, 777777, 1, 1, 'x', 'contact.propertyChange', 'contact', 'propertyChange', '{}', 'pending', 0, 0, 0)").run();
    process.stdout.write('locked\\n');
    setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['-e', script, file], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return {
    kill: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('SQLite faults', () => {
  it('answers 503 while another process holds the write lock, keeps the file intact, and takes the redelivery once the lock is gone', async () => {
    const { service, file, baseUrl } = await serveOnFile();
    try {
      const batches = lifecycleStream(EVENTS, CONTACTS);
      const half = batches.length / 2;
      for (const batch of batches.slice(0, half))
        expect((await postWebhook(baseUrl, batch, { timestamp: Date.now() })).status).toBe(204);

      const holder = await holdWriteLock(file);
      const refused = await postWebhook(baseUrl, batches[half]!, { timestamp: Date.now() });
      expect(refused.status).toBe(503);
      const error = await errorOf(refused);
      expect(error.code).toBe('database_unavailable');
      expect(error.message).toMatch(/SQLITE_BUSY/);
      // The holder dies without committing (SIGKILL): its half-written row must vanish with it.
      await holder.kill();
      expect(inspect(file)).toMatchObject({ integrity: 'ok', stored: half * 50 });

      // HubSpot redelivers the refused batch; the rest follows.
      for (const batch of batches.slice(half))
        expect((await postWebhook(baseUrl, batch, { timestamp: Date.now() })).status).toBe(204);
      await waitFor(async () => inspect(file).unprocessed === 0, 'every event to be processed');
      expect(inspect(file)).toEqual({ integrity: 'ok', stored: EVENTS, unprocessed: 0 });
      expect(stagesOf(file)).toEqual(expectedStages(EVENTS, CONTACTS));
      report(
        `SQLite locked by another process: 1 batch refused with 503 (SQLITE_BUSY after the 5 s busy timeout), ` +
          `integrity_check ok, ${EVENTS} of ${EVENTS} events stored and processed after the lock was released`,
      );
    } finally {
      await service.close();
    }
  });

  it('answers 503 on a full disk (SQLITE_FULL), stores nothing of the refused batch, and recovers when space returns', async () => {
    const { service, file, baseUrl } = await serveOnFile();
    const sqlite = service.database.sqlite!;
    try {
      const batches = lifecycleStream(EVENTS, CONTACTS);
      const half = batches.length / 2;
      for (const batch of batches.slice(0, half))
        expect((await postWebhook(baseUrl, batch, { timestamp: Date.now() })).status).toBe(204);
      await waitFor(async () => inspect(file).unprocessed === 0, 'the first half to be processed');

      // The file may not grow by a single page: SQLite itself raises SQLITE_FULL, as on a full disk.
      sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);
      const statuses: number[] = [];
      for (const batch of batches.slice(half, half + 3)) {
        const response = await postWebhook(baseUrl, batch, { timestamp: Date.now() });
        statuses.push(response.status);
        const error = await errorOf(response);
        expect(error).toEqual({
          code: 'database_unavailable',
          message: expect.stringMatching(/SQLITE_FULL/),
        });
      }
      expect(statuses).toEqual([503, 503, 503]);
      expect(inspect(file)).toMatchObject({ integrity: 'ok', stored: half * 50 });
      expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

      sqlite.pragma('max_page_count = 1073741823');
      for (const batch of batches.slice(half))
        expect((await postWebhook(baseUrl, batch, { timestamp: Date.now() })).status).toBe(204);
      await waitFor(async () => inspect(file).unprocessed === 0, 'every event to be processed');
      expect(inspect(file)).toEqual({ integrity: 'ok', stored: EVENTS, unprocessed: 0 });
      expect(stagesOf(file)).toEqual(expectedStages(EVENTS, CONTACTS));
      report(
        `SQLite disk full: 3 batches refused with 503 (SQLITE_FULL), nothing half-stored, integrity_check ok, ` +
          `${EVENTS} of ${EVENTS} events stored and processed after space returned`,
      );
    } finally {
      await service.close();
    }
  });
});
