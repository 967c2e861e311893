import { rm } from 'node:fs/promises';

import { createPostgresSchema } from '../helpers/database';
import { sandboxClient } from '../helpers/sandbox';
import { runStory, type StoryRun } from './story-run';

jest.setTimeout(240_000);

const SEED = 11;
const CONTACTS = 60;

describe('end to end through the HubSpot sandbox (SQLite): a clean run and a faulted run', () => {
  let clean: StoryRun | undefined;
  let faulted: StoryRun | undefined;

  beforeAll(async () => {
    clean = await runStory({ seed: SEED, contacts: CONTACTS, faulted: false });
    faulted = await runStory({ seed: SEED, contacts: CONTACTS, faulted: true });
  });

  afterAll(async () => {
    for (const run of [clean, faulted]) {
      await run?.close();
      if (run) await rm(run.stack.workDir, { recursive: true, force: true });
    }
  });

  it('install: Truce created its property group and properties in the portal', async () => {
    const client = sandboxClient(clean!.stack.sandbox);
    const group = await client.crm.properties.groupsApi.getByName('contacts', 'truce');
    expect(group.name).toBe('truce');
    expect(clean!.snapshot.truceProperties).toEqual([
      'truce_handoff_grade',
      'truce_handoff_score',
      'truce_handoff_status',
      'truce_reject_reason',
      'truce_sla_due',
    ]);
  });

  it('MQL → scored → assigned (owner written to HubSpot) → task in the sandbox', () => {
    const { snapshot, stack } = clean!;
    const assigned = snapshot.handoffs.filter((h) => h.owner !== null && h.grade !== null);
    expect(assigned.length).toBeGreaterThan(5);
    expect(assigned.length).toBe(stack.scenario.truth.totals.mqls);
    for (const handoff of assigned) {
      const contact = snapshot.contacts[handoff.contact as string]!;
      expect(contact.hubspot_owner_id).toBe(handoff.owner);
      expect(contact.truce_handoff_grade).toBe(handoff.grade);
      expect(contact.truce_handoff_score).toBe(String(handoff.score));
      expect(contact.truce_sla_due).toBe('set');
      const followUps = snapshot.tasks.filter(
        (task) =>
          (task.contacts as string[]).includes(handoff.contact as string) &&
          String(task.subject).startsWith('Follow up: new MQL'),
      );
      expect(followUps).toHaveLength(1);
      expect(followUps[0]!.owner).toBe(handoff.owner);
    }
  });

  it('SLA breach escalates to the manager with a task, once per breach', () => {
    const { snapshot } = clean!;
    const breached = snapshot.handoffs.filter((h) => h.breached);
    expect(breached.length).toBeGreaterThan(0);
    for (const handoff of breached) {
      expect(handoff.escalated).toBe(true);
      expect((handoff.history as string[]).filter((e) => e.startsWith('breach:'))).toHaveLength(1);
      const escalations = snapshot.tasks.filter(
        (task) =>
          (task.contacts as string[]).includes(handoff.contact as string) &&
          String(task.subject).startsWith('SLA breached'),
      );
      expect(escalations).toHaveLength(1);
    }
    // Ignored leads are exactly the ones nobody touched: each of them breached.
    const ignored = clean!.stack.scenario.truth.contacts.filter((c) => c.outcome === 'ignored');
    for (const contact of ignored)
      expect(snapshot.handoffs.find((h) => h.contact === contact.ref)?.breached).toBe(true);
  });

  it('accept in the signed card → SQL written back to HubSpot; reject → reason and lifecycle written', () => {
    const { snapshot, decisions } = clean!;
    const accepted = decisions.filter((d) => d.decision === 'accepted' && d.status === 200);
    const rejected = decisions.filter((d) => d.decision === 'rejected' && d.status === 200);
    expect(accepted.length).toBeGreaterThan(0);
    expect(rejected.length).toBeGreaterThan(0);
    for (const decision of accepted) {
      expect(decision.handoffStatus).toBe('accepted');
      expect(snapshot.contacts[decision.contact]?.lifecyclestage).toMatch(
        /^(salesqualifiedlead|opportunity|customer)$/,
      );
      // Accepted, or converted once the deal was opened.
      expect(snapshot.contacts[decision.contact]?.truce_handoff_status).toMatch(
        /^(accepted|converted)$/,
      );
    }
    for (const decision of rejected) {
      expect(snapshot.contacts[decision.contact]?.truce_handoff_status).toBe('rejected');
      expect(snapshot.contacts[decision.contact]?.truce_reject_reason).toBeTruthy();
    }
  });

  it('deal won → attribution net credits add up to the deal amount per model → reports', () => {
    const { snapshot, stack } = clean!;
    const won = snapshot.dealStates.filter((d) => d.status === 'attributed');
    expect(won.length).toBeGreaterThan(0);
    for (const deal of won) {
      // Net is the deal amount; gross is the line items' list price (price realisation), at least the net.
      const byModel = new Map<string, { net: number; gross: number }>();
      for (const credit of snapshot.credits.filter((c) => c.deal === deal.deal)) {
        const sum = byModel.get(String(credit.model)) ?? { net: 0, gross: 0 };
        byModel.set(String(credit.model), {
          net: sum.net + Number(credit.net),
          gross: sum.gross + Number(credit.gross),
        });
      }
      expect(byModel.size).toBeGreaterThan(1);
      const grossTotals = new Set([...byModel.values()].map((sum) => sum.gross));
      expect(grossTotals.size).toBe(1);
      for (const sum of byModel.values()) {
        expect(sum.net).toBe(deal.amount);
        expect(sum.gross).toBeGreaterThanOrEqual(sum.net);
      }
    }
    const rows = snapshot.attributionReport as Array<{ model: string; net: number }>;
    expect(rows.length).toBeGreaterThan(0);
    const owners = snapshot.handoffReport.byOwner as Array<{ mqls: number }>;
    expect(owners.reduce((sum, row) => sum + row.mqls, 0)).toBe(stack.scenario.truth.totals.mqls);
    expect(snapshot.outbox.dead ?? 0).toBe(0);
    expect(snapshot.webhookEvents.dead ?? 0).toBe(0);
  });

  it('the faulted run really injected duplicates, reordering, 429s and 5xx', () => {
    const { injected, webhookStats, outageWindows } = faulted!;
    // Printed so the run shows what it went through.
    process.stdout.write(
      `faulted run: ${webhookStats.duplicatesSent} duplicate webhook events, ${webhookStats.reorderedEvents} reordered, ` +
        `${injected.rateLimited429} × 429, ${injected.outage503} × 503 in ${outageWindows} outage windows\n`,
    );
    expect(webhookStats.duplicatesSent).toBeGreaterThan(0);
    expect(webhookStats.reorderedEvents).toBeGreaterThan(0);
    expect(injected.rateLimited429).toBeGreaterThan(0);
    expect(injected.outage503).toBeGreaterThan(0);
    expect(outageWindows).toBeGreaterThan(1);
    const cleanStats = clean!;
    expect(cleanStats.injected).toEqual({ outage503: 0, forced5xx: 0, rateLimited429: 0 });
    expect(cleanStats.webhookStats.duplicatesSent).toBe(0);
  });

  it('the faulted run ends with exactly the numbers of the clean run', () => {
    expect(faulted!.snapshot).toEqual(clean!.snapshot);
  });
});

// The same comparison on PostgreSQL (a schema of its own), when TEST_DATABASE_URL is set.
const describePostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describePostgres('end to end on PostgreSQL: the faulted run matches the clean run', () => {
  const runs: StoryRun[] = [];
  const drops: Array<() => Promise<void>> = [];

  afterAll(async () => {
    for (const run of runs) {
      await run.close();
      await rm(run.stack.workDir, { recursive: true, force: true });
    }
    for (const drop of drops) await drop();
  });

  it('ends with identical numbers, and the faults were really injected', async () => {
    for (const faulted of [false, true]) {
      const schema = await createPostgresSchema();
      drops.push(schema.drop);
      runs.push(
        await runStory({ seed: SEED, contacts: CONTACTS, faulted, databaseUrl: schema.url }),
      );
    }
    const [clean, faulted] = runs as [StoryRun, StoryRun];
    expect(faulted.webhookStats.duplicatesSent).toBeGreaterThan(0);
    expect(faulted.webhookStats.reorderedEvents).toBeGreaterThan(0);
    expect(faulted.injected.rateLimited429).toBeGreaterThan(0);
    expect(faulted.injected.outage503).toBeGreaterThan(0);
    expect(clean.snapshot.handoffs.length).toBeGreaterThan(0);
    expect(faulted.snapshot).toEqual(clean.snapshot);
  });
});
