import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import type { BackfillReport } from '../../server/backfill/backfill.service';
import { backfillPortal } from '../../server/backfill/backfill-portal';
import type { Config } from '../../server/config';
import { createRateBudget } from '../../server/hubspot/rate-budget';
import { testConfig } from '../helpers/config';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/database';

const CONTACTS = 130;
const FORM_SUBMISSIONS = 70; // two pages of the submissions API (50 per page)
const EMAIL_CLICKS = 120; // two pages of the email events API (100 per page)
const DEALS = 3;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 6, 6, 9);

interface Portal {
  readonly sandbox: Sandbox;
  readonly config: Config;
  readonly contactIds: string[];
  readonly dealIds: string[];
  readonly formGuid: string;
}

/** A portal with two campaigns (a webinar with a form, a newsletter email), contacts, deals and activity. */
async function portalWithHistory(options: { clock?: () => number; perTenSeconds?: number } = {}) {
  const sandbox = await createSandbox({
    seed: 7,
    ...(options.clock ? { clock: options.clock } : {}),
    rateLimit: { perTenSeconds: options.perTenSeconds ?? 100_000, searchPerSecond: 1_000 },
  });
  const { admin } = sandbox;
  const webinar = admin.addCampaign({
    name: 'Webinar Q3',
    startDate: '2026-07-01',
    endDate: '2026-09-30',
    budget: [{ name: 'Webinar budget', amount: 2_000 }],
    spend: [
      { name: 'Speaker', amount: 1_200.5 },
      { name: 'Ads', amount: 300 },
    ],
  });
  const newsletter = admin.addCampaign({
    name: 'Newsletter Q3',
    startDate: '2026-07-01',
    endDate: '2026-09-30',
    // The asset is the email (content id); its events carry the send id 50001.
    assets: [
      {
        id: '4700050001',
        name: 'Newsletter Q3',
        type: 'MARKETING_EMAIL',
        emailCampaignIds: [50001],
      },
    ],
    spend: [{ name: 'Tooling', amount: 400 }],
  });
  const form = admin.addForm({ name: 'Webinar sign-up', campaignId: webinar.id });
  const contactIds: string[] = [];
  for (let i = 0; i < CONTACTS; i++) {
    admin.setTime(T0 + i * 60_000);
    contactIds.push(
      admin.create('contacts', { email: `person${i}@example.test`, firstname: `P${i}` }),
    );
  }
  for (let i = 0; i < FORM_SUBMISSIONS; i++) {
    admin.setTime(T0 + DAY + i * 60_000);
    admin.submitForm(form.guid, contactIds[i]!, {
      pageUrl: 'https://www.example.test/webinar?utm_campaign=Webinar%20Q3',
    });
  }
  for (let i = 0; i < EMAIL_CLICKS; i++) {
    admin.setTime(T0 + 2 * DAY + i * 60_000);
    const event = {
      emailCampaignId: 50001,
      emailName: 'Newsletter Q3',
      campaignId: newsletter.id,
    };
    admin.emailEvent(contactIds[i]!, { ...event, type: 'OPEN' });
    admin.emailEvent(contactIds[i]!, {
      ...event,
      type: 'CLICK',
      url: 'https://www.example.test/pricing?utm_source=newsletter&utm_medium=email',
    });
  }
  const dealIds: string[] = [];
  for (let i = 0; i < DEALS; i++) {
    admin.setTime(T0 + 3 * DAY + i * 60_000);
    const dealId = admin.create('deals', {
      dealname: `Deal ${i}`,
      amount: String(10_000 * (i + 1)),
      dealstage: sandbox.seeded.pipeline.stages.won,
      pipeline: sandbox.seeded.pipeline.pipelineId,
      closedate: new Date(T0 + 4 * DAY).toISOString(),
    });
    admin.associate('deals', dealId, 'contacts', contactIds[i]!);
    dealIds.push(dealId);
  }
  admin.setTime(undefined);
  const config = testConfig({
    HUBSPOT_API_BASE: sandbox.url,
    HUBSPOT_ACCESS_TOKEN: sandbox.accessToken,
    HUBSPOT_PORTAL_ID: String(sandbox.portalId),
  });
  return { sandbox, config, contactIds, dealIds, formGuid: form.guid } satisfies Portal;
}

async function touchRows(database: TestDatabase, portalId: number) {
  const rows = await database.db
    .selectFrom('touchpoint')
    .select(['idempotency_key', 'contact_id', 'kind', 'campaign', 'at', 'updated_at'])
    .where('portal_id', '=', portalId)
    .orderBy('idempotency_key')
    .execute();
  return rows.map((row) => ({
    ...row,
    contact_id: Number(row.contact_id),
    at: Number(row.at),
    updated_at: Number(row.updated_at),
  }));
}

async function storedState(database: TestDatabase, portalId: number) {
  const touches = (await touchRows(database, portalId)).map(
    ({ updated_at: _updated, ...rest }) => rest,
  );
  const spend = await database.db
    .selectFrom('campaign_spend')
    .select(['campaign', 'period', 'currency', 'cents', 'source'])
    .where('portal_id', '=', portalId)
    .orderBy('campaign')
    .execute();
  const deals = await database.db
    .selectFrom('deal')
    .select(['deal_id', 'dealstage', 'amount_cents'])
    .where('portal_id', '=', portalId)
    .orderBy('deal_id')
    .execute();
  const links = await database.db
    .selectFrom('deal_contact')
    .select(['deal_id', 'contact_id'])
    .where('portal_id', '=', portalId)
    .orderBy('deal_id')
    .execute();
  return {
    touches,
    spend: spend.map((row) => ({ ...row, cents: Number(row.cents) })),
    deals: deals.map((row) => ({
      deal_id: Number(row.deal_id),
      dealstage: row.dealstage,
      amount_cents: Number(row.amount_cents),
    })),
    links: links.map((row) => ({
      deal_id: Number(row.deal_id),
      contact_id: Number(row.contact_id),
    })),
  };
}

function written(report: BackfillReport): number {
  return report.stages.reduce((sum, line) => sum + line.touchesWritten, 0);
}

describe.each(dialects)('truce backfill (%s)', (dialect) => {
  let database: TestDatabase;
  let portal: Awaited<ReturnType<typeof portalWithHistory>> | undefined;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });

  afterEach(async () => {
    await portal?.sandbox.close();
    portal = undefined;
    await database.destroy();
  });

  it('imports form submissions and email clicks as campaign touches, deals with their contacts, and HubSpot spend', async () => {
    portal = await portalWithHistory();
    const { sandbox, config, contactIds, dealIds, formGuid } = portal;
    const report = await backfillPortal(config, database, { portalId: sandbox.portalId });

    // The form and the email map to their campaigns; the email's events are found by its send id.
    const assets = await database.db
      .selectFrom('campaign_asset')
      .select(['asset_type', 'asset_id', 'campaign_name'])
      .orderBy('asset_type')
      .orderBy('asset_id')
      .execute();
    expect(assets).toEqual([
      { asset_type: 'EMAIL_SEND', asset_id: '50001', campaign_name: 'Newsletter Q3' },
      { asset_type: 'FORM', asset_id: formGuid, campaign_name: 'Webinar Q3' },
      { asset_type: 'MARKETING_EMAIL', asset_id: '4700050001', campaign_name: 'Newsletter Q3' },
    ]);

    const touches = await touchRows(database, sandbox.portalId);
    const forms = touches.filter((t) => t.kind === 'form_submission');
    const clicks = touches.filter((t) => t.kind === 'email_click');
    expect(forms).toHaveLength(FORM_SUBMISSIONS);
    expect(new Set(forms.map((t) => t.campaign))).toEqual(new Set(['Webinar Q3']));
    expect(new Set(forms.map((t) => t.contact_id))).toEqual(
      new Set(contactIds.slice(0, FORM_SUBMISSIONS).map(Number)),
    );
    expect(clicks).toHaveLength(EMAIL_CLICKS);
    expect(new Set(clicks.map((t) => t.campaign))).toEqual(new Set(['Newsletter Q3']));
    expect(new Set(clicks.map((t) => t.contact_id))).toEqual(
      new Set(contactIds.slice(0, EMAIL_CLICKS).map(Number)),
    );
    // Each click's time is the event's own time, not the time it was read.
    const firstClick = sandbox.portal.marketing.emailEvents.find((e) => e.type === 'CLICK')!;
    expect(clicks.find((t) => t.contact_id === Number(firstClick.contactId))?.at).toBe(
      firstClick.created,
    );

    const state = await storedState(database, sandbox.portalId);
    expect(state.spend).toEqual([
      {
        campaign: 'Newsletter Q3',
        period: '2026-07-01..2026-09-30',
        currency: 'USD',
        cents: 40_000,
        source: 'hubspot',
      },
      {
        campaign: 'Webinar Q3',
        period: '2026-07-01..2026-09-30',
        currency: 'USD',
        cents: 150_050,
        source: 'hubspot',
      },
    ]);
    expect(state.deals.map((d) => d.deal_id)).toEqual(dealIds.map(Number).sort((a, b) => a - b));
    expect(state.deals.map((d) => d.amount_cents).sort((a, b) => a - b)).toEqual([
      1_000_000, 2_000_000, 3_000_000,
    ]);
    expect(state.links).toEqual(
      dealIds.map((id, i) => ({ deal_id: Number(id), contact_id: Number(contactIds[i]) })),
    );
    const jobs = await database.db
      .selectFrom('attribution_job')
      .select(['object_id'])
      .where('kind', '=', 'deal')
      .execute();
    expect(new Set(jobs.map((j) => Number(j.object_id)))).toEqual(new Set(dealIds.map(Number)));

    const pages = Object.fromEntries(report.stages.map((line) => [line.stage, line.pages]));
    expect(pages).toEqual({
      campaigns: 1,
      contacts: 2,
      deals: 1,
      form_submissions: 2,
      email_clicks: 2,
    });
  });

  it('changes nothing on a second run, and a --restart run reads everything again without a change', async () => {
    portal = await portalWithHistory();
    const { sandbox, config } = portal;
    await backfillPortal(config, database, { portalId: sandbox.portalId });
    const before = await touchRows(database, sandbox.portalId);
    const stateBefore = await storedState(database, sandbox.portalId);

    const again = await backfillPortal(config, database, { portalId: sandbox.portalId });
    expect(again.stages.every((line) => line.skipped && line.pages === 0)).toBe(true);

    const restarted = await backfillPortal(config, database, {
      portalId: sandbox.portalId,
      restart: true,
      now: () => Date.now() + DAY,
    });
    expect(restarted.stages.every((line) => !line.skipped && line.pages > 0)).toBe(true);
    expect(written(restarted)).toBe(0);
    // Not even updated_at moved: no touch was rewritten.
    expect(await touchRows(database, sandbox.portalId)).toEqual(before);
    expect(await storedState(database, sandbox.portalId)).toEqual(stateBefore);
  });

  it('--since skips email events and form submissions before the date', async () => {
    portal = await portalWithHistory();
    const { sandbox, config } = portal;
    const since = T0 + 2 * DAY + 60 * 60_000; // the 61st click
    const report = await backfillPortal(config, database, { portalId: sandbox.portalId, since });
    const clicks = (await touchRows(database, sandbox.portalId)).filter(
      (t) => t.kind === 'email_click',
    );
    expect(clicks).toHaveLength(EMAIL_CLICKS - 60);
    expect(Math.min(...clicks.map((t) => t.at))).toBeGreaterThanOrEqual(since);
    // Every submission was before the date: the form stage stored none of its own.
    expect(report.stages.find((l) => l.stage === 'form_submissions')?.touchesWritten).toBe(0);

    // Without the contacts' history, the form stage alone: only submissions from the date on.
    const formsOnly = await createTestDatabase(dialect);
    try {
      const formsSince = T0 + DAY + 35 * 60_000; // the 36th submission
      await backfillPortal(config, formsOnly, {
        portalId: sandbox.portalId,
        since: formsSince,
        stages: ['campaigns', 'form_submissions'],
      });
      const forms = (await touchRows(formsOnly, sandbox.portalId)).filter(
        (t) => t.kind === 'form_submission',
      );
      expect(forms).toHaveLength(FORM_SUBMISSIONS - 35);
      expect(Math.min(...forms.map((t) => t.at))).toBeGreaterThanOrEqual(formsSince);
    } finally {
      await formsOnly.destroy();
    }
  });

  it('a dry run reads everything and stores nothing', async () => {
    portal = await portalWithHistory();
    const { sandbox, config } = portal;
    const report = await backfillPortal(config, database, {
      portalId: sandbox.portalId,
      dryRun: true,
    });
    expect(report.stages.find((l) => l.stage === 'email_clicks')?.touchesWritten).toBe(
      EMAIL_CLICKS,
    );
    expect(report.spendFigures).toBe(2);
    expect(await touchRows(database, sandbox.portalId)).toEqual([]);
    const cursors = await database.db.selectFrom('backfill_cursor').selectAll().execute();
    expect(cursors).toEqual([]);
  });

  it('continues after a crash mid-way and ends with exactly what a clean run stores', async () => {
    portal = await portalWithHistory();
    const { sandbox, config } = portal;
    const reference = await createTestDatabase(dialect);
    try {
      await backfillPortal(config, reference, { portalId: sandbox.portalId });
      const expected = await storedState(reference, sandbox.portalId);

      // Crash inside each multi-page stage in turn: after its first page was stored.
      for (const stage of ['contacts', 'form_submissions', 'email_clicks'] as const) {
        await expect(
          backfillPortal(config, database, {
            portalId: sandbox.portalId,
            onPage: (current, line) => {
              if (current === stage && line.pages === 1) throw new Error(`crash in ${stage}`);
            },
          }),
        ).rejects.toThrow(`crash in ${stage}`);
      }
      const resumed = await backfillPortal(config, database, { portalId: sandbox.portalId });
      // Only the last crashed stage's second page was left.
      expect(resumed.stages.find((l) => l.stage === 'email_clicks')?.pages).toBe(1);
      expect(await storedState(database, sandbox.portalId)).toEqual(expected);
    } finally {
      await reference.destroy();
    }
  });

  it('stops on a HubSpot 5xx without losing stored pages, and the next run completes with no duplicates', async () => {
    portal = await portalWithHistory();
    const { sandbox, config } = portal;
    const reference = await createTestDatabase(dialect);
    try {
      await backfillPortal(config, reference, { portalId: sandbox.portalId });
      const expected = await storedState(reference, sandbox.portalId);

      await expect(
        backfillPortal(config, database, {
          portalId: sandbox.portalId,
          onPage: (stage, line) => {
            // The next HubSpot call (the second page of form submissions) answers 500.
            if (stage === 'form_submissions' && line.pages === 1) {
              sandbox.faults.forceStatus = 500;
              sandbox.faults.forceCount = 1;
            }
          },
        }),
      ).rejects.toThrow(/500/);
      const partial = await touchRows(database, sandbox.portalId);
      expect(partial.filter((t) => t.kind === 'email_click')).toEqual([]);

      const resumed = await backfillPortal(config, database, { portalId: sandbox.portalId });
      expect(resumed.stages.find((l) => l.stage === 'contacts')?.skipped).toBe(true);
      expect(await storedState(database, sandbox.portalId)).toEqual(expected);
    } finally {
      await reference.destroy();
    }
  });

  it('honours 429: pauses the portal for the rate window and retries until the stage completes', async () => {
    let now = T0 + 30 * DAY;
    const clock = () => now;
    portal = await portalWithHistory({ clock, perTenSeconds: 6 });
    const { sandbox, config } = portal;
    const slept: number[] = [];
    // Truce's own budget is larger than the sandbox's, so HubSpot's 429 is what slows the run down.
    const budget = createRateBudget({
      requestsPerWindow: 1_000,
      now: clock,
      sleep: (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    });
    const report = await backfillPortal(config, database, {
      portalId: sandbox.portalId,
      budget,
      now: clock,
    });
    expect(report.rateLimited).toBeGreaterThan(0);
    // No Retry-After header: a TEN_SECONDLY_ROLLING 429 means waiting out the 10-second window.
    expect(slept.length).toBeGreaterThan(0);
    expect(Math.min(...slept)).toBeGreaterThan(0);
    expect(slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(report.rateLimited * 1_000);
    const touches = await touchRows(database, sandbox.portalId);
    expect(touches.filter((t) => t.kind === 'email_click')).toHaveLength(EMAIL_CLICKS);
    expect(touches.filter((t) => t.kind === 'form_submission')).toHaveLength(FORM_SUBMISSIONS);
  });
});
