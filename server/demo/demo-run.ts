import { createWriteStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';
import YAML from 'yaml';

import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import { generateScenario } from '../../sandbox/scenario';
import { applyScenarioAction, applyScenarioSetup } from '../../sandbox/scenario-player';
import type { Scenario, ScenarioAction } from '../../sandbox/scenario-types';
import { backfillPortal } from '../backfill/backfill-portal';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { type RunningService, startService } from '../service';
import {
  type AttributionRow,
  creditChartSvg,
  formatAttributionTable,
  formatModelError,
  summariseAttribution,
} from './demo-attribution';
import { waitUntilCaughtUp } from './demo-catch-up';
import { demoClock } from './demo-clock';
import { formatPriceRealisation } from './demo-price-realisation';
import { reportClient, writeReports } from './demo-reports';
import {
  buildScoreboard,
  formatCampaignTable,
  formatOwnerTable,
  type Scoreboard,
} from './demo-scoreboard';

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

const CLIENT_SECRET = 'demo-client-secret';
const API_KEY = 'demo-api-key-0123456789';

function isMql(action: ScenarioAction): boolean {
  return (
    action.kind === 'contact.update' &&
    action.properties.lifecyclestage === 'marketingqualifiedlead'
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The whole demo: a temporary SQLite database, the sandbox and the real service on loopback sharing one
 * scenario clock, the scenario played through signed webhooks, then the service's own handoff report.
 */
export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const scenario = generateScenario({ seed: options.seed, contacts: options.contacts });
  const { quarterStart, quarterEnd } = scenario.setup;
  const clock = demoClock(quarterStart - 3_600_000);
  const workDir = await mkdtemp(path.join(tmpdir(), 'truce-demo-'));
  const logFile = path.join(workDir, 'truce.log');
  const logStream = createWriteStream(logFile);

  // A quarter replayed in seconds sends far more requests per real second than a portal's budget allows; the
  // budgets are raised on both sides (the 429 path has its own tests) so the demo measures the handoff.
  const sandbox = await createSandbox({
    seed: options.seed,
    clock: clock.now,
    rateLimit: { perTenSeconds: 100_000, searchPerSecond: 1_000 },
  });
  let service: RunningService | undefined;
  try {
    const state = applyScenarioSetup(sandbox, scenario);
    const owners = [
      ...sandbox.seeded.owners.map((o) => o.id),
      ...scenario.setup.owners.map((o) => o.id),
    ];
    const rulesFile = path.join(workDir, 'truce.config.yaml');
    await writeFile(
      rulesFile,
      YAML.stringify({
        handoff: {
          routing: {
            keepExistingOwner: true,
            owners: [...new Set(owners)].map((id) => ({ id, weight: 1 })),
          },
        },
        // The scenario moves hours per millisecond: workers are woken by the demo, so short polls only
        // matter for retries.
        hubspot: { requestsPerTenSeconds: 1000, outbox: { pollIntervalMs: 20 } },
      }),
    );
    const port = await freePort();
    const serviceUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      PORT: String(port),
      DATABASE_URL: path.join(workDir, 'truce.sqlite'),
      LOG_LEVEL: 'info',
      HUBSPOT_API_BASE: sandbox.url,
      HUBSPOT_ACCESS_TOKEN: sandbox.accessToken,
      HUBSPOT_PORTAL_ID: String(sandbox.portalId),
      HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
      PUBLIC_BASE_URL: serviceUrl,
      TRUCE_API_KEY: API_KEY,
      TRUCE_CONFIG: rulesFile,
      SHUTDOWN_GRACE_MS: '1000',
    });
    const logger = createLogger(
      'info',
      pino.multistream([
        { level: 'info', stream: logStream },
        ...(options.consoleLogLevel === 'silent'
          ? []
          : [{ level: options.consoleLogLevel ?? 'warn', stream: process.stderr }]),
      ]),
    );
    service = await startService(config, logger, { now: clock.now });
    sandbox.webhooks.connect({
      targetUrl: `${serviceUrl}/webhooks/hubspot`,
      clientSecret: CLIENT_SECRET,
    });
    // Truce's properties are created in HubSpot before the first lead arrives, as on install.
    await waitUntilCaughtUp(sandbox, service, { outbox: true, timeoutMs: 30_000 });

    const timeline = scenario.timeline;
    const campaignNames = new Map(scenario.setup.campaigns.map((c) => [c.id, c.name]));
    // Trade-show attendance never reaches HubSpot as a campaign interaction; a marketer uploads the badge
    // scans through POST /api/v1/touchpoints, which the demo does once the quarter was played.
    const attendance: { contactId: string; at: number; campaign: string }[] = [];
    let shownPercent = -1;
    for (let i = 0; i < timeline.length; i++) {
      const action = timeline[i] as ScenarioAction;
      clock.advanceTo(action.at);
      sandbox.admin.setTime(action.at);
      await applyScenarioAction(sandbox, state, action);
      if (action.kind === 'visit' && action.interaction === 'EVENT' && action.campaignId) {
        attendance.push({
          contactId: state.contacts.get(action.contact) ?? '',
          at: action.at,
          campaign: campaignNames.get(action.campaignId) ?? action.campaignId,
        });
      }
      // An MQL is scored and assigned before the scenario moves on, so assignment, SLA due time and the
      // rep's first touch keep the order they have in the scenario's calendar.
      if (isMql(action)) {
        await waitUntilCaughtUp(sandbox, service, { outbox: false, timeoutMs: 30_000 });
        await service.handoffSweeper.sweepOnce();
      }
      const percent = Math.floor((100 * (i + 1)) / timeline.length);
      if (options.progress && percent !== shownPercent) {
        shownPercent = percent;
        const bar = '#'.repeat(Math.floor(percent / 4)).padEnd(25, '.');
        options.progress(
          `\rplaying the quarter [${bar}] ${percent}% ${i + 1}/${timeline.length} actions`,
        );
      }
    }
    sandbox.admin.setTime(undefined);
    options.progress?.('\n');
    await service.handoffSweeper.sweepOnce();
    await waitUntilCaughtUp(sandbox, service, {
      outbox: true,
      timeoutMs: options.catchUpTimeoutMs ?? 60_000,
    });

    const client = reportClient(serviceUrl, API_KEY);
    for (const touch of attendance) {
      await client.post('/api/v1/touchpoints', {
        ...touch,
        kind: 'event_attendance',
        idempotencyKey: `badge-scan:${touch.contactId}:${touch.at}`,
      });
    }
    // What webhooks never carry — form submissions, email clicks, campaign assets and HubSpot's campaign
    // spend — comes from `truce backfill`, run here in-process against the sandbox.
    const backfill = await backfillPortal(config, service.database, {
      portalId: sandbox.portalId,
      now: clock.now,
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

    const running = service;
    return {
      scenario,
      scoreboard,
      sandbox,
      service: running,
      serviceUrl,
      apiKey: API_KEY,
      workDir,
      logFile,
      reportFiles,
      close: async () => {
        await running.close();
        await sandbox.close();
        logStream.end();
      },
    };
  } catch (error) {
    await service?.close().catch(() => undefined);
    await sandbox.close();
    logStream.end();
    throw error;
  }
}
