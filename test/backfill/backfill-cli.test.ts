import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import { openDatabase } from '../../server/db/database';
import { createPostgresSchema, dialects } from '../helpers/database';
import { runTruce } from '../helpers/process';

jest.setTimeout(60_000);

const CLICKS = 3;
const SUBMISSIONS = 2;

describe.each(dialects)('truce backfill and truce spend sync as commands (%s)', (dialect) => {
  let sandbox: Sandbox;
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandbox = await createSandbox({ seed: 3 });
    const { admin } = sandbox;
    const campaign = admin.addCampaign({
      name: 'Autumn newsletter',
      startDate: '2026-09-01',
      endDate: '2026-11-30',
      currencyCode: 'EUR',
      assets: [
        { id: '4700000009', name: 'Autumn', type: 'MARKETING_EMAIL', emailCampaignIds: [909] },
      ],
      spend: [{ name: 'Design', amount: 250.25 }],
    });
    const form = admin.addForm({ name: 'Autumn sign-up', campaignId: campaign.id });
    for (let i = 0; i < CLICKS; i++) {
      const contact = admin.create('contacts', { email: `reader${i}@example.test` });
      admin.setTime(Date.UTC(2026, 9, 1 + i));
      admin.emailEvent(contact, { type: 'CLICK', emailCampaignId: 909, campaignId: campaign.id });
      if (i < SUBMISSIONS) admin.submitForm(form.guid, contact);
    }
    admin.setTime(undefined);
    if (dialect === 'sqlite') {
      const dir = mkdtempSync(path.join(tmpdir(), 'truce-backfill-cli-'));
      databaseUrl = path.join(dir, 'truce.sqlite');
      cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
    } else {
      const schema = await createPostgresSchema();
      databaseUrl = schema.url;
      cleanup = schema.drop;
    }
    env = {
      DATABASE_URL: databaseUrl,
      HUBSPOT_API_BASE: sandbox.url,
      HUBSPOT_ACCESS_TOKEN: sandbox.accessToken,
      HUBSPOT_PORTAL_ID: String(sandbox.portalId),
    };
  });

  afterAll(async () => {
    await sandbox.close();
    await cleanup();
  });

  async function stored() {
    const database = openDatabase(
      dialect === 'sqlite'
        ? { dialect: 'sqlite', filename: databaseUrl }
        : { dialect: 'postgres', connectionString: databaseUrl, poolSize: 1 },
    );
    try {
      const touches = await database.db
        .selectFrom('touchpoint')
        .select(['kind', 'campaign'])
        .execute();
      const spend = await database.db
        .selectFrom('campaign_spend')
        .select(['campaign', 'currency', 'cents', 'source'])
        .execute();
      return {
        clicks: touches.filter(
          (t) => t.kind === 'email_click' && t.campaign === 'Autumn newsletter',
        ).length,
        forms: touches.filter((t) => t.kind === 'form_submission').length,
        spend: spend.map((row) => ({ ...row, cents: Number(row.cents) })),
      };
    } finally {
      await database.close();
    }
  }

  it('imports, reports progress on stderr and a summary on stdout; a second run reads nothing', async () => {
    const first = await runTruce(['backfill'], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/truce backfill: email_clicks page 1, 3 read, 3 touches stored/);
    expect(first.stdout).toContain('email_clicks: 1 page(s), 3 read, stored 3 touch(es)');
    expect(first.stdout).toContain('campaign spend: stored 1 figure(s) from HubSpot budgets');
    expect(await stored()).toEqual({
      clicks: CLICKS,
      forms: SUBMISSIONS,
      spend: [{ campaign: 'Autumn newsletter', currency: 'EUR', cents: 25_025, source: 'hubspot' }],
    });

    const second = await runTruce(['backfill'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('email_clicks: already complete');
    expect(second.stderr).toBe('');
  });

  it('truce spend sync re-reads the budgets: a changed spend total replaces the stored figure', async () => {
    const campaign = [...sandbox.portal.marketing.campaigns.values()][0]!;
    sandbox.admin.addSpend(campaign.id, 'Print', 100);
    const sync = await runTruce(['spend', 'sync'], env);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain('stored 1 spend figure(s) from HubSpot');
    expect((await stored()).spend).toEqual([
      { campaign: 'Autumn newsletter', currency: 'EUR', cents: 35_025, source: 'hubspot' },
    ]);
  });

  it('refuses a portal it has no credentials for, storing nothing (exit 2)', async () => {
    const before = await stored();
    const run = await runTruce(['backfill', '--portal', '999', '--restart'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no HubSpot credentials for portal 999');
    expect(await stored()).toEqual(before);
  });
});
