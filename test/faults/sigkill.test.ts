import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import SQLite from 'better-sqlite3';

import { createRng } from '../../sandbox/rng';
import { freePort, ROOT, type SpawnedTruce, spawnScript, waitForOk } from '../helpers/process';
import { hubspotEvent, settingsFile, webhookEnv } from '../helpers/webhooks';
import { deliverTracked, report, STREAM_T0, waitFor } from './fault-stream';

const RUNS = 20;
const CONTACTS = 120;
const CONTACTS_PER_BATCH = 2;
const SEED = 20261126;

/**
 * A stream that opens handoffs: every contact goes subscriber → lead → MQL; every third one is then worked by
 * sales (lead status leaves NEW, a first touch) and every fifth goes back to lead and becomes an MQL again
 * (a second episode). A contact's whole history travels in one batch (two contacts per batch): the handoff
 * state depends on the order a contact's changes arrive in, and a redelivered batch arrives after later ones,
 * so splitting a history across batches would measure arrival order, not the kill (see RELIABILITY.md).
 */
function handoffStream(): Record<string, unknown>[][] {
  const events: Record<string, unknown>[] = [];
  let eventId = 1;
  const change = (contact: number, step: number, propertyName: string, propertyValue: string) =>
    events.push(
      hubspotEvent({
        eventId: eventId++,
        objectId: 1000 + contact,
        occurredAt: STREAM_T0 + step * 3_600_000 + contact,
        propertyName,
        propertyValue,
      }),
    );
  for (let step = 0; step < 6; step += 1) {
    for (let contact = 0; contact < CONTACTS; contact += 1) {
      if (step === 0) change(contact, step, 'lifecyclestage', 'subscriber');
      if (step === 1) change(contact, step, 'lifecyclestage', 'lead');
      if (step === 2) change(contact, step, 'lifecyclestage', 'marketingqualifiedlead');
      if (step === 3 && contact % 3 === 0) change(contact, step, 'hs_lead_status', 'IN_PROGRESS');
      if (step === 4 && contact % 5 === 0) change(contact, step, 'lifecyclestage', 'lead');
      if (step === 5 && contact % 5 === 0)
        change(contact, step, 'lifecyclestage', 'marketingqualifiedlead');
    }
  }
  const contactOf = (event: Record<string, unknown>) => Number(event.objectId) - 1000;
  const batches: Record<string, unknown>[][] = [];
  for (let first = 0; first < CONTACTS; first += CONTACTS_PER_BATCH)
    batches.push(
      events.filter((e) => contactOf(e) >= first && contactOf(e) < first + CONTACTS_PER_BATCH),
    );
  return batches;
}

interface Outcome {
  readonly events: number;
  readonly applications: Map<number, number>;
  /** Handoffs and contacts without the columns that are wall-clock times of processing. */
  readonly handoffs: unknown[];
  readonly contacts: unknown[];
}

function prepareDatabase(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'truce-sigkill-')), 'truce.sqlite');
  const db = new SQLite(file);
  // serve-counting records each handler application in the transaction that marks the event done.
  db.exec('create table handler_application (event_row_id integer not null, pid integer not null)');
  db.close();
  return file;
}

function readOutcome(file: string): Outcome {
  const db = new SQLite(file, { readonly: true });
  try {
    const applied = db
      .prepare(
        `select e.event_id as eventId, count(a.event_row_id) as n
         from webhook_event e left join handler_application a on a.event_row_id = e.id
         group by e.event_id`,
      )
      .all() as { eventId: number; n: number }[];
    return {
      events: applied.length,
      applications: new Map(applied.map((row) => [row.eventId, row.n])),
      handoffs: db
        .prepare(
          `select contact_id, episode, status, trigger_at, first_touch_at, first_touch_source, decision,
                  reason_code, sql_at, closed_at, source, campaign
           from handoff order by contact_id, episode`,
        )
        .all(),
      contacts: db
        .prepare(
          'select contact_id, lifecyclestage, hs_lead_status from contact order by contact_id',
        )
        .all(),
    };
  } finally {
    db.close();
  }
}

function serve(file: string, port: number): SpawnedTruce {
  return spawnScript(path.join(ROOT, 'test/fixtures/serve-counting.ts'), [], {
    ...webhookEnv({
      DATABASE_URL: file,
      TRUCE_CONFIG: settingsFile('webhooks:\n  pollIntervalMs: 50\n  claimLeaseMs: 1000\n'),
    }),
    PORT: String(port),
    // Keep-alive connections of the test's fetch would hold a graceful stop for the default 10 s.
    SHUTDOWN_GRACE_MS: '100',
  });
}

async function stopGracefully(run: SpawnedTruce): Promise<void> {
  run.child.kill('SIGTERM');
  await run.exited;
}

async function waitUntilProcessed(file: string, events: number): Promise<void> {
  await waitFor(
    async () => {
      const db = new SQLite(file, { readonly: true });
      try {
        const row = db
          .prepare(`select count(*) as stored, sum(status = 'done') as done from webhook_event`)
          .get() as { stored: number; done: number };
        return row.stored === events && row.done === events;
      } finally {
        db.close();
      }
    },
    'every event to be processed',
    60_000,
    50,
  );
}

describe('SIGKILL during a stream of signed webhook batches', () => {
  const batches = handoffStream();
  const eventCount = batches.reduce((n, batch) => n + batch.length, 0);
  const eventIdsOf = (index: number) => batches[index]!.map((event) => Number(event.eventId));
  let baseline: Outcome;
  /** From the first request to every event processed, undisturbed. */
  let baselineMs = 0;

  beforeAll(async () => {
    // The undisturbed run the killed ones must match.
    const file = prepareDatabase();
    const port = await freePort();
    const run = serve(file, port);
    try {
      await waitForOk(`http://127.0.0.1:${port}/readyz`);
      const started = Date.now();
      const outcome = await deliverTracked(
        () => `http://127.0.0.1:${port}`,
        batches,
        batches.map((_, index) => index),
      );
      expect(outcome.refused).toEqual([]);
      await waitUntilProcessed(file, eventCount);
      baselineMs = Date.now() - started;
    } finally {
      await stopGracefully(run);
    }
    baseline = readOutcome(file);
    expect(baseline.handoffs.length).toBeGreaterThanOrEqual(CONTACTS);
  });

  it(`processes every acknowledged event exactly once after a restart, with the handoffs of an undisturbed run (${RUNS} runs)`, async () => {
    const rng = createRng(SEED);
    let kills = 0;
    let acknowledgedBeforeKill = 0;
    let unprocessedAtKill = 0;
    let lost = 0;
    let duplicated = 0;
    let differingRuns = 0;
    for (let runIndex = 0; runIndex < RUNS; runIndex += 1) {
      const file = prepareDatabase();
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      // The moment: a seeded time between the first request and the end of processing in the undisturbed
      // run, so kills land in intake, in processing, and in both at once.
      const killAtMs = rng.int(0, baselineMs);
      let first = serve(file, port);
      await waitForOk(`${baseUrl}/readyz`);
      const killed = new Promise<void>((resolve) =>
        setTimeout(() => {
          first.child.kill('SIGKILL');
          void first.exited.then(() => resolve());
        }, killAtMs),
      );
      const delivered = await deliverTracked(
        () => baseUrl,
        batches,
        batches.map((_, index) => index),
      );
      await killed;
      kills += 1;
      acknowledgedBeforeKill += delivered.acknowledged.length;
      const atKill = readOutcome(file);
      unprocessedAtKill +=
        atKill.events - [...atKill.applications.values()].filter((n) => n > 0).length;
      // Everything acknowledged before the kill was stored (committed before the 2xx).
      for (const index of delivered.acknowledged)
        for (const eventId of eventIdsOf(index))
          expect(atKill.applications.has(eventId)).toBe(true);

      // Restart on the same port; HubSpot redelivers every batch it did not get a 2xx for.
      first = serve(file, port);
      try {
        await waitForOk(`${baseUrl}/readyz`);
        const redelivered = await deliverTracked(
          () => baseUrl,
          batches,
          delivered.refused.map((r) => r.index),
        );
        expect(redelivered.refused).toEqual([]);
        await waitUntilProcessed(file, eventCount);
      } finally {
        await stopGracefully(first);
      }

      const after = readOutcome(file);
      for (const n of after.applications.values()) {
        if (n === 0) lost += 1;
        if (n > 1) duplicated += n - 1;
      }
      lost += eventCount - after.events;
      const same =
        JSON.stringify(after.handoffs) === JSON.stringify(baseline.handoffs) &&
        JSON.stringify(after.contacts) === JSON.stringify(baseline.contacts);
      if (!same) differingRuns += 1;
      expect(after.events).toBe(eventCount);
      expect(after.handoffs).toEqual(baseline.handoffs);
      expect(after.contacts).toEqual(baseline.contacts);
    }
    report(
      `SIGKILL: runs = ${RUNS}, events = ${RUNS * eventCount} (${eventCount} per run), kills = ${kills}, ` +
        `batches acknowledged before the kill = ${acknowledgedBeforeKill}, events stored but unprocessed at the kill = ${unprocessedAtKill}, ` +
        `lost = ${lost}, duplicated = ${duplicated}, runs whose handoffs differ from the undisturbed run = ${differingRuns}`,
    );
    expect({ kills, lost, duplicated, differingRuns }).toEqual({
      kills: RUNS,
      lost: 0,
      duplicated: 0,
      differingRuns: 0,
    });
  });
});
