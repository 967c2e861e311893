import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'kysely';

import { newAppMetrics } from '../server/app';
import { loadConfig } from '../server/config';
import { type DatabaseHandle, openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { webhookBatchSchema } from '../server/hubspot/webhook-event.schema';
import { createLogger } from '../server/logger';
import { registerStaticPortal } from '../server/portals/portal.repository';
import { defaultWebhookDispatcher } from '../server/webhooks/handlers';
import { storeWebhookBatch } from '../server/webhooks/webhook-intake';
import { WebhookWorker } from '../server/webhooks/webhook-worker';
import { pgAdmin } from './pg-admin';
import type { Benchmark } from './registry';

const PORTALS = [510_001, 510_002, 510_003];
const EVENTS = Number(process.env.DRAIN_EVENTS ?? 20_000);
const EVENTS_PER_BATCH = 50;
const CONTACTS_PER_PORTAL = 2_000;
const DEALS_PER_PORTAL = 500;
const STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead'];
const T0 = 1_764_000_000_000;

type Mix = 'soak' | 'mixed';

/**
 * The soak benchmark's events (a lifecycle stage change per event, every fourth an MQL) or a mix of what a
 * portal sends: contact stages and lead statuses (handoff signals), deal stages and amounts, and deal↔contact
 * associations.
 */
function eventFor(mix: Mix, eventId: number, portalId: number): Record<string, unknown> {
  const base = {
    eventId,
    subscriptionId: 1001,
    portalId,
    appId: 77,
    occurredAt: T0 + eventId,
    attemptNumber: 0,
    changeSource: 'CRM',
  };
  const contactId = 1 + (eventId % CONTACTS_PER_PORTAL);
  if (mix === 'soak' || eventId % 5 < 2) {
    return {
      ...base,
      subscriptionType: 'contact.propertyChange',
      objectId: contactId,
      propertyName: 'lifecyclestage',
      propertyValue: STAGES[eventId % STAGES.length],
    };
  }
  const dealId = 1 + (eventId % DEALS_PER_PORTAL);
  switch (eventId % 5) {
    case 2:
      return {
        ...base,
        subscriptionType: 'contact.propertyChange',
        objectId: contactId,
        propertyName: 'hs_lead_status',
        propertyValue: eventId % 2 === 0 ? 'ATTEMPTED_TO_CONTACT' : 'CONNECTED',
      };
    case 3:
      return {
        ...base,
        subscriptionType: 'deal.propertyChange',
        objectId: dealId,
        propertyName: eventId % 2 === 0 ? 'dealstage' : 'amount',
        propertyValue: eventId % 2 === 0 ? 'appointmentscheduled' : String(eventId % 10_000),
      };
    default:
      return {
        ...base,
        subscriptionType: 'contact.associationChange',
        objectId: contactId,
        fromObjectId: contactId,
        toObjectId: dealId,
        associationType: 'CONTACT_TO_DEAL',
        associationRemoved: false,
      };
  }
}

async function fill(database: DatabaseHandle, mix: Mix): Promise<void> {
  for (let first = 1; first <= EVENTS; first += EVENTS_PER_BATCH) {
    const portalId = PORTALS[((first / EVENTS_PER_BATCH) % PORTALS.length) | 0]!;
    const events = Array.from({ length: EVENTS_PER_BATCH }, (_, k) =>
      eventFor(mix, first + k, portalId),
    );
    await storeWebhookBatch(database, webhookBatchSchema.parse(events), T0);
  }
}

interface Target {
  readonly label: string;
  open(): Promise<{ database: DatabaseHandle; cleanup: () => Promise<void> }>;
}

const sqliteTarget: Target = {
  label: 'SQLite file',
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-drain-'));
    const database = openDatabase({ dialect: 'sqlite', filename: path.join(dir, 'truce.sqlite') });
    return {
      database,
      cleanup: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

function postgresTarget(connectionString: string): Target {
  const admin = (statement: string) => pgAdmin(connectionString, statement);
  return {
    label: 'PostgreSQL',
    async open() {
      const schema = `truce_bench_drain_${Date.now().toString(36)}`;
      await admin(`create schema ${schema}`);
      const database = openDatabase(
        { dialect: 'postgres', connectionString, poolSize: 10 },
        { searchPath: schema },
      );
      return {
        database,
        cleanup: async () => {
          await database.close();
          await admin(`drop schema ${schema} cascade`);
        },
      };
    },
  };
}

/**
 * SQLite only (DRAIN_STMT_TIMING=1): wall time inside the driver per statement text, split by whether a read
 * found rows. Shows which statements the worker's time goes to, without a profiler.
 */
function timeStatements(database: DatabaseHandle): Map<string, { n: number; ms: number }> {
  const timing = new Map<string, { n: number; ms: number }>();
  const raw = database.sqlite;
  if (!raw) return timing;
  const prepare = raw.prepare.bind(raw);
  const timed =
    (text: string, run: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      const started = performance.now();
      const result = run(...args);
      const key = Array.isArray(result) ? `${result.length > 0 ? 'hit ' : 'miss'} ${text}` : text;
      const entry = timing.get(key) ?? { n: 0, ms: 0 };
      entry.n += 1;
      entry.ms += performance.now() - started;
      timing.set(key, entry);
      return result;
    };
  (raw as unknown as { prepare: (text: string) => unknown }).prepare = (text: string) => {
    const statement = prepare(text);
    return {
      reader: statement.reader,
      all: timed(text, (...args) => statement.all(...args)),
      run: timed(text, (...args) => statement.run(...args)),
      iterate: (...args: unknown[]) => statement.iterate(...args),
    };
  };
  return timing;
}

async function drainOn(target: Target, mix: Mix, print: (line: string) => void): Promise<void> {
  const { database, cleanup } = await target.open();
  try {
    await migrateToLatest(database.db);
    for (const portalId of PORTALS) await registerStaticPortal(database.db, portalId, T0);
    await fill(database, mix);
    if (database.dialect === 'postgres') await sql`analyze`.execute(database.db);
    const config = loadConfig({ DATABASE_URL: ':memory:' });
    // The soak's service logs at warn: nothing per event.
    const logger = createLogger('warn');
    let clock = T0 + 1_000;
    const worker = new WebhookWorker({
      database,
      dispatcher: defaultWebhookDispatcher(config.settings.handoff),
      metrics: newAppMetrics({ database, now: () => clock }).webhooks,
      logger,
      now: () => (clock += 1),
      settings: config.settings.webhooks,
    });
    const timing = process.env.DRAIN_STMT_TIMING ? timeStatements(database) : undefined;
    const cpu = process.cpuUsage();
    const started = performance.now();
    // The service's loop: several claim loops on PostgreSQL, one on SQLite.
    const loops = database.supportsRowLocks ? config.settings.webhooks.workerConcurrency : 1;
    const counts = await Promise.all(Array.from({ length: loops }, () => worker.drain()));
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const processed = counts.reduce((a, b) => a + b, 0);
    const cpuMs = (used.user + used.system) / 1000;
    if (timing) {
      const slowest = [...timing].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
      for (const [text, { n, ms }] of slowest)
        print(
          `  ${ms.toFixed(0).padStart(6)} ms ${String(n).padStart(7)}× ${((ms / n) * 1000).toFixed(1)} µs  ${text.slice(0, 110)}`,
        );
    }
    const done = await database.db
      .selectFrom('webhook_event')
      .select(sql<number>`count(*)`.as('n'))
      .where('status', '=', 'done')
      .executeTakeFirstOrThrow();
    print(
      `${target.label}, ${mix} mix: ${processed} events in ${wallMs.toFixed(0)} ms: ` +
        `${Math.round((processed / wallMs) * 1000)} events/s, ${(cpuMs / processed).toFixed(3)} ms CPU per event ` +
        `(Node process only), ${Number(done.n)} done; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')}`,
    );
  } finally {
    await cleanup();
  }
}

/**
 * The webhook worker draining a stored backlog in-process, without intake: events/s and the Node process's CPU
 * time per event (prefer the CPU figure on a shared machine). DRAIN_EVENTS sets the backlog (default 20,000);
 * DRAIN_MIX picks `soak` or `mixed` (default both); DRAIN_STMT_TIMING=1 prints where SQLite's time went;
 * PostgreSQL runs when TEST_DATABASE_URL is set.
 */
export const webhookDrainBenchmark: Benchmark = {
  name: 'webhook-drain',
  description: `the webhook worker draining a backlog of ${EVENTS} events (DRAIN_EVENTS) on SQLite and PostgreSQL`,
  async run(print) {
    const postgres = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    const targets = [sqliteTarget, ...(postgres ? [postgresTarget(postgres)] : [])];
    if (!postgres) print('PostgreSQL: skipped (set TEST_DATABASE_URL to run it)');
    const mixes: Mix[] = process.env.DRAIN_MIX ? [process.env.DRAIN_MIX as Mix] : ['soak', 'mixed'];
    for (const mix of mixes) for (const target of targets) await drainOn(target, mix, print);
  },
};
