import { readFile, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parse } from 'csv-parse/sync';

import { type DemoRun, runDemo } from '../../server/demo/demo-run';

jest.setTimeout(120_000);

describe('npm run demo (in-process, 60 contacts)', () => {
  let run: DemoRun | undefined;
  let reportsDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    reportsDir = await mkdtemp(path.join(tmpdir(), 'truce-demo-reports-'));
    run = await runDemo({
      seed: 5,
      contacts: 60,
      reportsDir,
      out: (line) => void lines.push(line),
      consoleLogLevel: 'silent',
    });
  });

  afterAll(async () => {
    await run?.close();
    if (run) await rm(run.workDir, { recursive: true, force: true });
    await rm(reportsDir, { recursive: true, force: true });
  });

  it("prints totals equal to the service's database", async () => {
    const { db } = run!.service.database;
    const { from, to } = run!.scoreboard;
    const episodes = await db
      .selectFrom('handoff')
      .select(['decision', 'owner_id'])
      .where('trigger_at', '>=', from)
      .where('trigger_at', '<', to)
      .execute();
    expect(episodes.length).toBeGreaterThan(0);
    const accepted = episodes.filter((e) => e.decision === 'accepted').length;
    const rejected = episodes.filter((e) => e.decision === 'rejected').length;

    const totalLine = lines.find((line) => line.startsWith('Total'));
    expect(totalLine?.split(/\s+/).slice(1).map(Number)).toEqual([
      episodes.length,
      accepted,
      rejected,
    ]);
    expect(run!.scoreboard.totals).toEqual({ mqls: episodes.length, accepted, rejected });
    for (const line of run!.scoreboard.byOwner)
      expect(line.mqls).toBe(episodes.filter((e) => e.owner_id === line.key).length);
  });

  it("matches the scenario's truth per owner: every MQL, accept and reject arrived", () => {
    for (const line of run!.scoreboard.byOwner) {
      expect(line.truth).toBeDefined();
      expect([line.mqls, line.accepted, line.rejected]).toEqual([
        line.truth?.mqls,
        line.truth?.accepted,
        line.truth?.rejected,
      ]);
    }
  });

  it('writes the CSV and JSON reports into the reports directory', async () => {
    expect(run!.reportFiles.map((file) => path.relative(reportsDir, file)).sort()).toEqual([
      'attribution.csv',
      'attribution.xlsx',
      'credit-by-campaign.svg',
      'handoffs-by-owner.csv',
      'handoffs.csv',
      'handoffs.json',
    ]);
    const byCampaign = parse(await readFile(path.join(reportsDir, 'handoffs.csv')), {
      columns: true,
    }) as Array<Record<string, string>>;
    const mqls = byCampaign.reduce((sum, row) => sum + Number(row.mqls), 0);
    expect(mqls).toBe(run!.scoreboard.totals.mqls);
    const json = JSON.parse(await readFile(path.join(reportsDir, 'handoffs.json'), 'utf8')) as {
      byOwner: Array<{ accepted: number }>;
    };
    expect(json.byOwner.reduce((sum, row) => sum + row.accepted, 0)).toBe(
      run!.scoreboard.totals.accepted,
    );
  });

  it("stores each won deal's list price as the sum of its sandbox line items, price × quantity", async () => {
    const { portal } = run!.sandbox;
    const deals = await run!.service.database.db
      .selectFrom('deal')
      .innerJoin('deal_attribution_state', (join) =>
        join
          .onRef('deal_attribution_state.deal_id', '=', 'deal.deal_id')
          .onRef('deal_attribution_state.portal_id', '=', 'deal.portal_id'),
      )
      .select(['deal.deal_id', 'deal.list_price_cents', 'deal.price_source', 'deal.dealname'])
      .where('deal_attribution_state.status', '=', 'attributed')
      .execute();
    expect(deals.length).toBeGreaterThan(0);
    for (const deal of deals) {
      const lines = portal
        .associations('deals', String(deal.deal_id), 'line_items')
        .map((row) => portal.get('line_items', row.toId)!.properties);
      const expected = lines.reduce(
        (sum, line) => sum + Math.round(Number(line.price) * 100 * Number(line.quantity ?? 1)),
        0,
      );
      expect([deal.price_source, Number(deal.list_price_cents)]).toEqual(['line_items', expected]);
      expect(deal.dealname).toBe(portal.get('deals', String(deal.deal_id))!.properties.dealname);
    }
  });

  it('prints attribution for every model and charts what the report says', async () => {
    const rows = parse(await readFile(path.join(reportsDir, 'attribution.csv')), {
      columns: true,
    }) as Array<Record<string, string>>;
    const netByModel = new Map<string, number>();
    for (const row of rows)
      netByModel.set(
        row.model!,
        (netByModel.get(row.model!) ?? 0) + Math.round(Number(row.net) * 100),
      );
    expect(netByModel.size).toBeGreaterThan(1);
    // Every model splits the same won deals, so each model's credits add up to the same revenue.
    expect(new Set(netByModel.values()).size).toBe(1);
    expect([...netByModel.values()][0]).toBeGreaterThan(0);

    const errorHeader = lines.findIndex(
      (line) => line.startsWith('Model ') && line.includes('Error'),
    );
    expect(errorHeader).toBeGreaterThan(0);
    const modelLines = lines.slice(errorHeader + 2, errorHeader + 2 + netByModel.size);
    expect(modelLines.map((line) => line.split(/\s+/)[0]).sort()).toEqual(
      [...netByModel.keys()].sort(),
    );

    // Price realisation: the scenario's line items carry discounts, so every model reports the same
    // discount, gross = net + discount on every row.
    const discountByModel = new Map<string, number>();
    for (const row of rows) {
      const [gross, net, discount] = [row.gross, row.net, row.discount].map((value) =>
        Math.round(Number(value) * 100),
      );
      expect(gross).toBe(net! + discount!);
      discountByModel.set(row.model!, (discountByModel.get(row.model!) ?? 0) + discount!);
    }
    expect(new Set(discountByModel.values()).size).toBe(1);
    expect([...discountByModel.values()][0]).toBeGreaterThan(0);
    const priceHeader = lines.findIndex((line) => line.startsWith('Price realisation by campaign'));
    expect(lines[priceHeader + 1]).toMatch(
      /^Campaign\s+Gross \(list\)\s+Discount\s+Net\s+Discount %/,
    );

    const svg = await readFile(path.join(reportsDir, 'credit-by-campaign.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const campaigns = new Set(rows.map((row) => row.campaign || '(none)'));
    expect(svg.match(/<title>/g)).toHaveLength(campaigns.size * netByModel.size);
  });

  it('gives email and event campaigns credit (backfilled clicks, badge scans) and uses HubSpot spend', async () => {
    const rows = parse(await readFile(path.join(reportsDir, 'attribution.csv')), {
      columns: true,
    }) as Array<Record<string, string>>;
    const { campaigns } = run!.scenario.setup;
    const credited = (name: string) =>
      rows
        .filter((row) => row.campaign === name && row.model === 'linear')
        .reduce((sum, row) => sum + Number(row.net), 0);
    // Campaigns whose only traces are email clicks or trade-show attendance, that touched a won deal's
    // contact before it became an MQL: their credit can only come from the backfill and the badge scans.
    const won = run!.scenario.truth.contacts.filter((c) => c.outcome === 'won');
    const emailAndEvent = campaigns.filter(
      (c) =>
        (c.channel === 'email' || c.channel === 'event') &&
        won.some((contact) =>
          contact.touches.some((t) => t.campaignId === c.id && t.at <= (contact.mqlAt ?? 0)),
        ),
    );
    expect(emailAndEvent.length).toBeGreaterThan(0);
    for (const campaign of emailAndEvent) expect(credited(campaign.name)).toBeGreaterThan(0);
    // Spend per campaign is HubSpot's budget spend total, read by the backfill.
    // Every campaign with a row is checked, and there must be some: a report without a spend column fails.
    const reported = campaigns.filter((campaign) =>
      rows.some((row) => row.campaign === campaign.name),
    );
    expect(reported.length).toBeGreaterThan(0);
    for (const campaign of reported) {
      const spend = rows.find((row) => row.campaign === campaign.name)!.spend;
      expect(Math.round(Number(spend) * 100)).toBe(campaign.spendCents);
    }
    const errorHeader = lines.findIndex(
      (line) => line.startsWith('Model ') && line.includes('Error'),
    );
    const errors = lines
      .slice(errorHeader + 2)
      .filter((line) => /^\S+\s+\d+\.\d %$/.test(line))
      .map((line) => Number(line.split(/\s+/)[1]));
    expect(errors.length).toBeGreaterThan(1);
    expect(new Set(errors).size).toBeGreaterThan(1);
  });
});
