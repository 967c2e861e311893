import path from 'node:path';

import type { Sandbox } from '../../sandbox/sandbox';
import type { Scenario } from '../../sandbox/scenario-types';
import { backfillPortal } from '../backfill/backfill-portal';
import type { RunningService } from '../service';
import {
  type AttributionRow,
  creditChartSvg,
  formatAttributionTable,
  formatModelError,
  summariseAttribution,
} from './demo-attribution';
import { waitUntilCaughtUp } from './demo-catch-up';
import { playTimeline } from './demo-play';
import { formatPriceRealisation } from './demo-price-realisation';
import { reportClient, writeReports } from './demo-reports';
import {
  buildScoreboard,
  formatCampaignTable,
  formatOwnerTable,
  type Scoreboard,
} from './demo-scoreboard';
import { startDemoStack } from './demo-stack';

export interface DemoOptions {
  readonly seed: number;
  /** Contacts arriving during the scenario's quarter. */
  readonly contacts: number;
  /** Where the CSV/JSON reports go (`./reports` from the CLI). */
  readonly reportsDir: string;
  /** Receives the tables, one line at a time (stdout from the CLI). */
  readonly out: (line: string) => void;
  /** Receives the progress line, rewritten in place (stderr from the CLI); absent: no progress. */
  readonly progress?: (text: string) => void;
  /** Console level of the service's own log (everything at info goes to the log file). */
  readonly consoleLogLevel?: 'warn' | 'error' | 'silent';
  /** Limit for the service to catch up after the scenario was played. */
  readonly catchUpTimeoutMs?: number;
}

export interface DemoRun {
  readonly scenario: Scenario;
  readonly scoreboard: Scoreboard;
  readonly sandbox: Sandbox;
  readonly service: RunningService;
  readonly serviceUrl: string;
  readonly apiKey: string;
  readonly workDir: string;
  readonly logFile: string;
  readonly reportFiles: readonly string[];
  /** Stops both servers; the temporary directory (database and service log) stays for a look afterwards. */
  close(): Promise<void>;
}

/**
 * The whole demo: a temporary SQLite database, the sandbox and the real service on loopback sharing one
 * scenario clock, the scenario played through signed webhooks, then the service's own handoff report.
 */
export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const stack = await startDemoStack({
    seed: options.seed,
    contacts: options.contacts,
    ...(options.consoleLogLevel ? { consoleLogLevel: options.consoleLogLevel } : {}),
  });
  const { scenario, sandbox, service, serviceUrl, apiKey } = stack;
  const { quarterStart, quarterEnd } = scenario.setup;
  const timeline = scenario.timeline;
  try {
    const campaignNames = new Map(scenario.setup.campaigns.map((c) => [c.id, c.name]));
    // Trade-show attendance never reaches HubSpot as a campaign interaction; a marketer uploads the badge
    // scans through POST /api/v1/touchpoints, which the demo does once the quarter was played.
    const attendance: { contactId: string; at: number; campaign: string }[] = [];
    let shownPercent = -1;
    await playTimeline(stack, {
      ...(options.catchUpTimeoutMs !== undefined
        ? { catchUpTimeoutMs: options.catchUpTimeoutMs }
        : {}),
      afterAction: (action) => {
        if (action.kind === 'visit' && action.interaction === 'EVENT' && action.campaignId) {
          attendance.push({
            contactId: stack.state.contacts.get(action.contact) ?? '',
            at: action.at,
            campaign: campaignNames.get(action.campaignId) ?? action.campaignId,
          });
        }
      },
      onProgress: (done, total) => {
        const percent = Math.floor((100 * done) / total);
        if (!options.progress || percent === shownPercent) return;
        shownPercent = percent;
        const bar = '#'.repeat(Math.floor(percent / 4)).padEnd(25, '.');
        options.progress(`\rplaying the quarter [${bar}] ${percent}% ${done}/${total} actions`);
      },
    });
    options.progress?.('\n');

    const client = reportClient(serviceUrl, apiKey);
    for (const touch of attendance) {
      await client.post('/api/v1/touchpoints', {
        ...touch,
        kind: 'event_attendance',
        idempotencyKey: `badge-scan:${touch.contactId}:${touch.at}`,
      });
    }
    // What webhooks never carry — form submissions, email clicks, campaign assets and HubSpot's campaign
    // spend — comes from `truce backfill`, run here in-process against the sandbox.
    const backfill = await backfillPortal(stack.config, service.database, {
      portalId: sandbox.portalId,
      now: stack.clock.now,
    });
    await waitUntilCaughtUp(sandbox, service, {
      outbox: true,
      timeoutMs: options.catchUpTimeoutMs ?? 60_000,
    });
    const window = {
      from: new Date(quarterStart).toISOString(),
      to: new Date(quarterEnd).toISOString(),
      period: 'quarter',
    };
    const [byOwner, byCampaign, ownerCsv, campaignCsv] = await Promise.all([
      client.handoffs({ ...window, by: 'owner' }),
      client.handoffs({ ...window, by: 'campaign' }),
      client.handoffsCsv({ ...window, by: 'owner' }),
      client.handoffsCsv({ ...window, by: 'campaign' }),
    ]);
    const scoreboard = buildScoreboard(scenario, {
      from: quarterStart,
      to: quarterEnd,
      byOwner: byOwner.rows,
      byCampaign: byCampaign.rows,
    });

    const out = (text: string) => {
      for (const line of text.split('\n')) options.out(line);
    };
    const totals = scenario.truth.totals;
    out('');
    out(
      `Scenario (seed ${options.seed}): ${totals.contacts} contacts, ${totals.mqls} MQLs, ` +
        `${totals.accepted} accepted, ${totals.rejected} rejected, ${totals.ignored} never worked, ` +
        `${totals.won} deals won; ${timeline.length} actions played through ` +
        `${sandbox.webhooks.stats().deliveredEvents} signed webhook events.`,
    );
    out('');
    out(
      `Handoff scoreboard per owner: Truce's report (GET /api/v1/reports/handoffs?by=owner), ` +
        `the scenario's truth in parentheses`,
    );
    out(formatOwnerTable(scoreboard));
    out('');
    out('Handoff scoreboard per campaign (by=campaign)');
    out(formatCampaignTable(scoreboard));
    out('');

    const attributionFiles: Record<string, string | Buffer> = {};
    const probe = await client.get('/api/v1/reports/attribution', { format: 'json' });
    await probe.body?.cancel();
    if (probe.status === 404) {
      out(
        'Attribution by campaign, ROI and model error come with the attribution service ' +
          '(GET /api/v1/reports/attribution is not in this build); no numbers are shown instead.',
      );
    } else {
      const stored = (stage: string) =>
        backfill.stages.find((line) => line.stage === stage)?.touchesWritten ?? 0;
      out(
        `truce backfill: ${stored('email_clicks')} email clicks, ${stored('form_submissions')} form ` +
          `submissions missing from the contacts' history, ${backfill.spendFigures} campaign spend ` +
          `figures from HubSpot budgets; ${attendance.length} trade-show badge scans posted to ` +
          `POST /api/v1/touchpoints.`,
      );
      out('');
      // Deals opened in the quarter close up to months later; their close date decides the report window.
      const range = {
        from: new Date(quarterStart).toISOString().slice(0, 10),
        to: new Date(quarterEnd + 365 * 86_400_000).toISOString().slice(0, 10),
        model: 'all',
        by: 'campaign',
      };
      const rows = (await client.json('/api/v1/reports/attribution', {
        ...range,
        format: 'json',
      })) as AttributionRow[];
      const summary = summariseAttribution(scenario, rows);
      out(
        'Attribution by campaign (net credit per model, GET /api/v1/reports/attribution?model=all)',
      );
      out(formatAttributionTable(summary, rows, scenario));
      out('');
      out(
        "Each model's error against the scenario's true revenue share (total variation distance)",
      );
      out(formatModelError(summary));
      out('');
      const priceModel = summary.models.includes('w_shaped') ? 'w_shaped' : summary.models[0]!;
      out(
        `Price realisation by campaign (${priceModel}: list price of the line items, discount, net)`,
      );
      out(formatPriceRealisation(rows, priceModel));
      out('');
      attributionFiles['attribution.csv'] = await client.text('/api/v1/reports/attribution', {
        ...range,
        format: 'csv',
      });
      attributionFiles['attribution.xlsx'] = await client.buffer('/api/v1/reports/attribution', {
        ...range,
        format: 'xlsx',
      });
      attributionFiles['credit-by-campaign.svg'] = creditChartSvg(summary);
    }

    const reportFiles = await writeReports(options.reportsDir, {
      'handoffs.csv': campaignCsv,
      'handoffs-by-owner.csv': ownerCsv,
      'handoffs.json': `${JSON.stringify(
        {
          seed: options.seed,
          contacts: options.contacts,
          from: quarterStart,
          to: quarterEnd,
          byOwner: byOwner.rows,
          byCampaign: byCampaign.rows,
          truthByOwner: scoreboard.byOwner.map((line) => ({ ownerId: line.key, ...line.truth })),
        },
        null,
        2,
      )}\n`,
      ...attributionFiles,
    });
    const shown = reportFiles.map((file) => {
      const relative = path.relative(process.cwd(), file);
      return relative.startsWith('..') ? file : `./${relative}`;
    });
    out(`Reports written: ${shown.join(', ')}`);

    return {
      scenario,
      scoreboard,
      sandbox,
      service,
      serviceUrl,
      apiKey,
      workDir: stack.workDir,
      logFile: stack.logFile,
      reportFiles,
      close: () => stack.close(),
    };
  } catch (error) {
    await stack.close().catch(() => undefined);
    throw error;
  }
}
