import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import SQLite from 'better-sqlite3';

import { createRng } from '../../sandbox/rng';
import { freePort, ROOT, type SpawnedTruce, spawnScript, waitForOk } from '../helpers/process';
import { hubspotEvent, settingsFile, STREAM_T0, webhookEnv } from '../helpers/webhooks';
import { deliverTracked, report, waitFor } from './fault-stream';

const RUNS = 20;
const CONTACTS = 120;
const CONTACTS_PER_BATCH = 2;
const SEED = 20261126;
/** Run r uses contacts and event ids of its own, so runs can share one database and one process chain. */
const CONTACT_SPAN = 1_000;
const EVENT_SPAN = 10_000;

// Spawning the service costs seconds on a loaded 2-core machine; 21 starts plus processing.
jest.setTimeout(480_000);

/**
 * A stream that opens handoffs: every contact goes subscriber → lead → MQL; every third one is then worked by
 * sales (lead status leaves NEW, a first touch) and every fifth goes back to lead and becomes an MQL again
 * (a second episode). A contact's whole history travels in one batch (two contacts per batch): the handoff
 * state depends on the order a contact's changes arrive in, and a redelivered batch arrives after later ones,
 * so splitting a history across batches would measure arrival order, not the kill (see RELIABILITY.md).
 */
function handoffStream(run: number): Record<string, unknown>[][] {
  const events: Record<string, unknown>[] = [];
  let eventId = run * EVENT_SPAN + 1;
  const change = (contact: number, step: number, propertyName: string, propertyValue: string) =>
    events.push(
      hubspotEvent({
        eventId: eventId++,
        objectId: run * CONTACT_SPAN + contact,
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
  const contactOf = (event: Record<string, unknown>) => Number(event.objectId) - run * CONTACT_SPAN;
  const batches: Record<string, unknown>[][] = [];
  for (let first = 0; first < CONTACTS; first += CONTACTS_PER_BATCH)
    batches.push(
      events.filter((e) => contactOf(e) >= first && contactOf(e) < first + CONTACTS_PER_BATCH),
    );
  return batches;
}

interface Outcome {
  /** Applications per stored event id of the run. */
  readonly applications: Map<number, number>;
  /** Handoffs and contacts of the run, contact ids made relative, without wall-clock processing times. */
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

function readOutcome(file: string, run: number): Outcome {
  const db = new SQLite(file, { readonly: true });
  const events = [run * EVENT_SPAN, (run + 1) * EVENT_SPAN];
  const contacts = [run * CONTACT_SPAN, (run + 1) * CONTACT_SPAN];
  try {
    const applied = db
      .prepare(
        `select e.event_id as eventId, count(a.event_row_id) as n
         from webhook_event e left join handler_application a on a.event_row_id = e.id
         where e.event_id > ? and e.event_id <= ?
         group by e.event_id`,
      )
      .all(...events) as { eventId: number; n: number }[];
    return {
      applications: new Map(applied.map((row) => [row.eventId, row.n])),
      handoffs: db
        .prepare(
          `select contact_id - ? as contact, episode, status, trigger_at, first_touch_at, first_touch_source,
                  decision, reason_code, sql_at, closed_at, source, campaign
           from handoff where contact_id >= ? and contact_id < ? order by contact_id, episode`,
        )
        .all(contacts[0], ...contacts),
      contacts: db
        .prepare(
          `select contact_id - ? as contact, lifecyclestage, hs_lead_status
           from contact where contact_id >= ? and contact_id < ? order by contact_id`,
        )
        .all(contacts[0], ...contacts),
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

async function waitUntilProcessed(file: string, run: number, events: number): Promise<void> {
  await waitFor(
    async () => {
      const db = new SQLite(file, { readonly: true });
      try {
        const row = db
          .prepare(
            `select count(*) as stored, coalesce(sum(status = 'done'), 0) as done from webhook_event
             where event_id > ? and event_id <= ?`,
          )
          .get(run * EVENT_SPAN, (run + 1) * EVENT_SPAN) as { stored: number; done: number };
        return row.stored === events && row.done === events;
      } finally {
        db.close();
      }
    },
    'every event to be processed',
    120_000,
    50,
  );
}

describe('SIGKILL during a stream of signed webhook batches', () => {
  const eventCount = handoffStream(0).reduce((n, batch) => n + batch.length, 0);

  it(`processes every acknowledged event exactly once after a restart, with the handoffs of an undisturbed run (${RUNS} runs)`, async () => {
    const file = prepareDatabase();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // One chain of processes on one database: the process restarted after run r's kill serves run r + 1.
    let current = serve(file, port);
    try {
      await waitForOk(`${baseUrl}/readyz`);

      // Run 0 is undisturbed: the reference the killed runs must match.
      const reference = handoffStream(0);
      const started = Date.now();
      const undisturbed = await deliverTracked(
        () => baseUrl,
        reference,
        reference.map((_, index) => index),
      );
      expect(undisturbed.refused).toEqual([]);
      await waitUntilProcessed(file, 0, eventCount);
      /** From the first request to every event processed, undisturbed. */
      const baselineMs = Date.now() - started;
      const baseline = readOutcome(file, 0);
      expect(baseline.handoffs.length).toBeGreaterThanOrEqual(CONTACTS);
      expect([...baseline.applications.values()].every((n) => n === 1)).toBe(true);

      const rng = createRng(SEED);
      let kills = 0;
      let acknowledgedBeforeKill = 0;
      let unprocessedAtKill = 0;
      let lost = 0;
      let duplicated = 0;
      let differingRuns = 0;
      for (let run = 1; run <= RUNS; run += 1) {
        const batches = handoffStream(run);
        const eventIdsOf = (index: number) => batches[index]!.map((event) => Number(event.eventId));
        // A seeded moment between the first request and the end of processing in the undisturbed run, so
        // kills land in intake, in processing, and in both at once.
        const killAtMs = rng.int(0, baselineMs);
        const victim = current;
        const killed = new Promise<void>((resolve) =>
          setTimeout(() => {
            victim.child.kill('SIGKILL');
            void victim.exited.then(() => resolve());
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
        const atKill = readOutcome(file, run);
        unprocessedAtKill += [...atKill.applications.values()].filter((n) => n === 0).length;
        // Everything acknowledged before the kill was stored (committed before the 2xx).
        for (const index of delivered.acknowledged)
          for (const eventId of eventIdsOf(index))
            expect(atKill.applications.has(eventId)).toBe(true);

        // Restart on the same port; HubSpot redelivers every batch it did not get a 2xx for.
        current = serve(file, port);
        await waitForOk(`${baseUrl}/readyz`);
        const redelivered = await deliverTracked(
          () => baseUrl,
          batches,
          delivered.refused.map((r) => r.index),
        );
        expect(redelivered.refused).toEqual([]);
        await waitUntilProcessed(file, run, eventCount);

        const after = readOutcome(file, run);
        for (const n of after.applications.values()) {
          if (n === 0) lost += 1;
          if (n > 1) duplicated += n - 1;
        }
        lost += eventCount - after.applications.size;
        const same =
          JSON.stringify(after.handoffs) === JSON.stringify(baseline.handoffs) &&
          JSON.stringify(after.contacts) === JSON.stringify(baseline.contacts);
        if (!same) differingRuns += 1;
        expect(after.handoffs).toEqual(baseline.handoffs);
        expect(after.contacts).toEqual(baseline.contacts);
      }
      report(
        `SIGKILL: runs = ${RUNS}, events = ${RUNS * eventCount} (${eventCount} per run), kills = ${kills}, ` +
          `batches acknowledged before the kill = ${acknowledgedBeforeKill} of ${RUNS * (CONTACTS / CONTACTS_PER_BATCH)}, ` +
          `events stored but unprocessed at the kill = ${unprocessedAtKill}, ` +
          `lost = ${lost}, duplicated = ${duplicated}, runs whose handoffs differ from the undisturbed run = ${differingRuns}`,
      );
      expect({ kills, lost, duplicated, differingRuns }).toEqual({
        kills: RUNS,
        lost: 0,
        duplicated: 0,
        differingRuns: 0,
      });
    } finally {
      current.child.kill('SIGTERM');
      await current.exited;
    }
  });
});
