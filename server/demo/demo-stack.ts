import { createWriteStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';
import YAML from 'yaml';

import type { RateLimitOptions } from '../../sandbox/rate-limiter';
import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import { generateScenario } from '../../sandbox/scenario';
import { applyScenarioSetup, type PlayState } from '../../sandbox/scenario-player';
import type { Scenario, ScenarioOptions } from '../../sandbox/scenario-types';
import { type Config, loadConfig } from '../config';
import { freePort } from '../http/loopback';
import { createLogger } from '../logger';
import { type RunningService, startService } from '../service';
import { waitUntilCaughtUp } from './demo-catch-up';
import { type DemoClock, demoClock } from './demo-clock';

/** The rules file as an object (`TRUCE_CONFIG`), before it is written as YAML. */
export type DemoRules = Record<string, unknown>;

export interface DemoStackOptions {
  readonly seed: number;
  /** Contacts arriving during the scenario's quarter. */
  readonly contacts: number;
  /** How reps decide in the scenario (default `hubspot`; `card`: the caller posts to the card API). */
  readonly decisionsVia?: ScenarioOptions['decisionsVia'];
  /** `DATABASE_URL` of the service (default: a SQLite file in the temporary directory). */
  readonly databaseUrl?: string;
  /** The sandbox's request budget (default: far above what the replay needs). */
  readonly rateLimit?: RateLimitOptions;
  /** Adjusts the demo's rules file; receives the defaults and every owner id in the portal. */
  readonly rules?: (defaults: DemoRules, ownerIds: readonly string[]) => DemoRules;
  /** Console level of the service's own log (everything at info goes to the log file). */
  readonly consoleLogLevel?: 'warn' | 'error' | 'silent';
}

/** The sandbox and the real service on loopback, sharing one scenario clock, with the scenario set up. */
export interface DemoStack {
  readonly scenario: Scenario;
  readonly sandbox: Sandbox;
  readonly service: RunningService;
  /** The service's configuration (the demo runs `truce backfill` in-process with it). */
  readonly config: Config;
  readonly clock: DemoClock;
  /** Scenario references resolved to sandbox ids while the timeline plays. */
  readonly state: PlayState;
  readonly serviceUrl: string;
  readonly apiKey: string;
  /** The app's client secret: signs webhooks and card requests. */
  readonly clientSecret: string;
  readonly workDir: string;
  readonly logFile: string;
  /** Stops both servers; the temporary directory (database and service log) stays for a look afterwards. */
  close(): Promise<void>;
}

const CLIENT_SECRET = 'demo-client-secret';
const API_KEY = 'demo-api-key-0123456789';
/** Hours of the quarter pass in milliseconds, so HubSpot's first retry (1 minute) comes after 60 ms. */
const RETRY_TIME_SCALE = 1e-3;

function defaultRules(ownerIds: readonly string[]): DemoRules {
  return {
    handoff: {
      routing: {
        keepExistingOwner: true,
        owners: ownerIds.map((id) => ({ id, weight: 1 })),
      },
    },
    // The scenario moves hours per millisecond: workers are woken by the demo, so short polls only
    // matter for retries.
    hubspot: { requestsPerTenSeconds: 1000, outbox: { pollIntervalMs: 20 } },
  };
}

/**
 * Starts the sandbox (seeded portal plus the scenario's owners, campaigns and forms) and the service on a
 * fresh database, connects the sandbox's webhooks to the service and waits until Truce's properties exist in
 * the portal, as after an install. Nothing of the timeline is played yet.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const scenario = generateScenario({
    seed: options.seed,
    contacts: options.contacts,
    ...(options.decisionsVia ? { decisionsVia: options.decisionsVia } : {}),
  });
  const clock = demoClock(scenario.setup.quarterStart - 3_600_000);
  const workDir = await mkdtemp(path.join(tmpdir(), 'truce-demo-'));
  const logFile = path.join(workDir, 'truce.log');
  const logStream = createWriteStream(logFile);

  // A quarter replayed in seconds sends far more requests per real second than a portal's budget allows; the
  // budgets are raised on both sides (the 429 path has its own tests) so the demo measures the handoff.
  const sandbox = await createSandbox({
    seed: options.seed,
    clock: clock.now,
    rateLimit: options.rateLimit ?? { perTenSeconds: 100_000, searchPerSecond: 1_000 },
  });
  let service: RunningService | undefined;
  try {
    const state = applyScenarioSetup(sandbox, scenario);
    const ownerIds = [
      ...new Set([
        ...sandbox.seeded.owners.map((o) => o.id),
        ...scenario.setup.owners.map((o) => o.id),
      ]),
    ];
    const defaults = defaultRules(ownerIds);
    const rulesFile = path.join(workDir, 'truce.config.yaml');
    await writeFile(rulesFile, YAML.stringify(options.rules?.(defaults, ownerIds) ?? defaults));
    const port = await freePort();
    const serviceUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      PORT: String(port),
      DATABASE_URL: options.databaseUrl ?? path.join(workDir, 'truce.sqlite'),
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
      // HubSpot's retry schedule, on the replay's pace: a delivery that fails is retried within a second.
      retryTimeScale: RETRY_TIME_SCALE,
    });
    // Truce's properties are created in HubSpot before the first lead arrives, as on install.
    await waitUntilCaughtUp(sandbox, service, { outbox: true, timeoutMs: 30_000 });

    const running = service;
    return {
      scenario,
      sandbox,
      service: running,
      config,
      clock,
      state,
      serviceUrl,
      apiKey: API_KEY,
      clientSecret: CLIENT_SECRET,
      workDir,
      logFile,
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
