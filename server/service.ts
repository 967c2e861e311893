import type { Server } from 'node:http';

import { createApp, newAppMetrics } from './app';
import { AttributionWorker } from './attribution/attribution-worker';
import { ensureTruceDealProperties } from './attribution/deal-write-back';
import type { Config } from './config';
import { type DatabaseHandle, openDatabase } from './db/database';
import { migrateToLatest } from './db/migrate';
import { ensureTruceProperties, loadHandoffModel } from './handoff/handoff-setup';
import { createHandoffSweeper, type HandoffSweeper } from './handoff/handoff-sweeper';
import { createHandoffWorker, type HandoffWorker } from './handoff/handoff-worker';
import { type HubSpotClients, staticHubSpotClients } from './hubspot/hubspot-client';
import { createRateBudget } from './hubspot/rate-budget';
import type { Logger } from './logger';
import type { HubSpotOAuth } from './oauth/hubspot-oauth';
import { oauthClientsFromConfig } from './oauth/oauth-clients';
import { createOutboxWorker, type OutboxWorker } from './outbox/outbox-worker';
import { registerStaticPortal } from './portals/portal.repository';
import type { WebhookDispatcher } from './webhooks/dispatcher';
import { defaultWebhookDispatcher } from './webhooks/handlers';
import { InboxRetention } from './webhooks/inbox-retention';
import { IntakeActivity } from './webhooks/intake-activity';
import { WebhookWorker } from './webhooks/webhook-worker';

/** A background loop the service starts after the HTTP server and stops before closing the database. */
export interface BackgroundTask {
  readonly name: string;
  start(): void;
  /** Resolves once the current iteration has finished; no new iteration starts afterwards. */
  stop(): Promise<void>;
}

export interface RunningService {
  readonly server: Server;
  readonly database: DatabaseHandle;
  /** The port actually bound (useful with PORT=0). */
  readonly port: number;
  /** Delivers writes to HubSpot; absent when no HubSpot credentials are configured. */
  readonly outbox: OutboxWorker | undefined;
  /** The webhook inbox worker (tests drive it with `drainOnce()` when started with `startWorkers: false`). */
  readonly webhookWorker: WebhookWorker;
  /** Scores, routes and writes new handoffs; absent without HubSpot credentials (episodes wait, nothing lost). */
  readonly handoffWorker: HandoffWorker | undefined;
  /** Reminders, breaches and escalations of the SLA clock. */
  readonly handoffSweeper: HandoffSweeper;
  /** Keeps touches and deal credits current; absent without HubSpot credentials (it reads HubSpot). */
  readonly attributionWorker: AttributionWorker | undefined;
  /** Stop accepting, let in-flight requests finish (up to the grace period), stop workers, close the database. */
  close(): Promise<void>;
}

export interface StartServiceOptions {
  readonly now?: () => number;
  readonly database?: DatabaseHandle;
  /** HubSpot clients per portal; defaults to the static private-app token from the config, if any. */
  readonly hubspotClients?: HubSpotClients;
  /** Default: every registered handler (`registerWebhookHandlers`). */
  readonly dispatcher?: WebhookDispatcher;
  /** HubSpot's OAuth endpoints (HUBSPOT_AUTH=oauth); defaults to the SDK against HUBSPOT_API_BASE. */
  readonly hubspotOAuth?: HubSpotOAuth;
  /** Default true; false leaves background tasks to the caller (deterministic tests). */
  readonly startWorkers?: boolean;
}

export async function startService(
  config: Config,
  logger: Logger,
  options: StartServiceOptions = {},
): Promise<RunningService> {
  const database = options.database ?? openDatabase(config.database);
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0)
    logger.info({ migrations: applied }, `applied ${applied.length} migration(s)`);

  const now = options.now ?? Date.now;
  const handoffSettings = config.settings.handoff;
  const model = loadHandoffModel(handoffSettings);
  if (config.hubspot.portalId !== undefined) {
    await registerStaticPortal(database.db, config.hubspot.portalId, now());
    await ensureTruceProperties(database.db, config.hubspot.portalId, handoffSettings, now());
    if (config.settings.attribution.writeBack.enabled) {
      await ensureTruceDealProperties(database.db, config.hubspot.portalId, now());
    }
  }
  const metrics = newAppMetrics({ database, now });
  const intakeActivity = new IntakeActivity();
  const webhookWorker = new WebhookWorker({
    intakeActivity,
    database,
    dispatcher: options.dispatcher ?? defaultWebhookDispatcher(handoffSettings),
    metrics: metrics.webhooks,
    logger,
    now,
    settings: config.settings.webhooks,
  });
  const oauth = oauthClientsFromConfig(config, {
    database,
    logger,
    now,
    ...(options.hubspotOAuth ? { oauth: options.hubspotOAuth } : {}),
  });
  const hubspotClients =
    options.hubspotClients ?? (oauth ? oauth.clients : configuredHubSpotClients(config));
  // One budget per process for every HubSpot caller, so reads and writes share the account's limit.
  const budget = createRateBudget({
    requestsPerWindow: config.settings.hubspot.requestsPerTenSeconds,
  });
  const attributionWorker = hubspotClients
    ? new AttributionWorker({
        database,
        clients: hubspotClients,
        budget,
        logger,
        now,
        settings: config.settings,
      })
    : undefined;
  const app = createApp(config, {
    database,
    logger,
    now,
    metrics,
    onWebhookEventsStored: () => {
      webhookWorker.wake();
      attributionWorker?.wake();
    },
    intakeActivity,
    onAttributionWork: () => attributionWorker?.wake(),
    ...(oauth
      ? { oauth: { keyring: oauth.keyring, oauth: oauth.oauth, onInstalled: () => outbox?.wake() } }
      : {}),
  });
  const tasks: BackgroundTask[] = options.startWorkers === false ? [] : [webhookWorker];
  if (attributionWorker && options.startWorkers !== false) tasks.push(attributionWorker);

  // Declared before the app's callbacks run (they only fire on requests, after this assignment).
  const outbox: OutboxWorker | undefined = hubspotClients
    ? createOutboxWorker({
        database,
        clients: hubspotClients,
        budget,
        logger,
        now,
        settings: config.settings.hubspot.outbox,
      })
    : undefined;
  const handoffWorker = hubspotClients
    ? createHandoffWorker({
        database,
        clients: hubspotClients,
        budget,
        logger,
        now,
        settings: handoffSettings,
        model,
        retry: config.settings.hubspot.outbox,
      })
    : undefined;
  const handoffSweeper = createHandoffSweeper({
    database,
    logger,
    now,
    settings: handoffSettings,
    pollIntervalMs: 60_000,
  });
  if (options.startWorkers !== false) {
    tasks.push(handoffSweeper);
    const { retentionDays } = config.settings.webhooks;
    if (retentionDays > 0)
      tasks.push(
        new InboxRetention({ database, metrics: metrics.webhooks, logger, now, retentionDays }),
      );
    if (handoffWorker) tasks.push(handoffWorker);
    if (outbox) tasks.push(outbox);
  }
  if (!hubspotClients)
    logger.warn(
      'no HubSpot credentials configured: new handoffs wait for scoring and writes stay queued in the outbox',
    );

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  for (const task of tasks) task.start();
  logger.info(
    { port, dialect: database.dialect },
    `Truce listening on port ${port} (${database.dialect})`,
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await stopped;
      clearTimeout(grace);
      await Promise.all(tasks.map((task) => task.stop()));
      await database.close();
      logger.info('Truce stopped');
    })();
    return closing;
  };

  return {
    server,
    database,
    port,
    webhookWorker,
    outbox,
    handoffWorker,
    handoffSweeper,
    attributionWorker,
    close,
  };
}

function configuredHubSpotClients(config: Config): HubSpotClients | undefined {
  const { accessToken, portalId, apiBase } = config.hubspot;
  return accessToken && portalId
    ? staticHubSpotClients({ accessToken, portalId, apiBase })
    : undefined;
}
