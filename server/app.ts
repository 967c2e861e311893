import { randomUUID } from 'node:crypto';

import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { Registry } from 'prom-client';

import { attributionRoutes } from './attribution/attribution.routes';
import { dealCardRoutes } from './attribution/deal-card.routes';
import { contactHandoffRoutes } from './card/contact-handoff.routes';
import type { Config } from './config';
import type { DatabaseHandle } from './db/database';
import { handoffReportRoutes } from './handoff/handoff-report.routes';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { healthRoutes } from './http/health.routes';
import { refuseDeepJson } from './http/json-depth';
import { metricsRoutes } from './http/metrics.routes';
import { securityHeaders } from './http/security-headers';
import { type Logger, requestLogSerializer } from './logger';
import { oauthRoutes, type OAuthRoutesDeps } from './oauth/oauth.routes';
import type { IntakeActivity } from './webhooks/intake-activity';
import { webhookRoutes } from './webhooks/webhook.routes';
import { createWebhookMetrics, type WebhookMetrics } from './webhooks/webhook-metrics';

export interface AppDeps {
  readonly database: DatabaseHandle;
  readonly logger: Logger;
  /** Milliseconds since the epoch; injected so tests control time. */
  readonly now: () => number;
  /** The app's own Prometheus registry and the webhook metrics on it; created here when absent. */
  readonly metrics?: { readonly registry: Registry; readonly webhooks: WebhookMetrics };
  /** Called when a webhook batch stored new events (the service wakes its worker). */
  readonly onWebhookEventsStored?: () => void;
  /** Webhook requests in progress; the service's worker defers to them. */
  readonly intakeActivity?: IntakeActivity;
  /** Called when a request queued attribution work (the service wakes its attribution worker). */
  readonly onAttributionWork?: () => void;
  /** The install flow's keyring and HubSpot OAuth client (HUBSPOT_AUTH=oauth). */
  readonly oauth?: Pick<OAuthRoutesDeps, 'keyring' | 'oauth' | 'onInstalled'>;
}

/** Body size for JSON APIs; HubSpot caps card requests at 1 MB. */
export const JSON_BODY_LIMIT = '1mb';

export function createApp(config: Config, deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.settings.webhooks.trustProxyHeaders);
  app.use(securityHeaders());

  app.use(
    pinoHttp({
      logger: deps.logger,
      serializers: { req: requestLogSerializer },
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming)
            ? incoming
            : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // Webhook requests log one line per batch themselves (and errors through the error handler).
      autoLogging: {
        ignore: (req) =>
          req.url === '/healthz' ||
          req.url === '/readyz' ||
          req.url?.startsWith('/webhooks/') === true ||
          // The callback's query carries the authorization code: the OAuth routes log their own lines.
          req.url?.startsWith('/oauth/') === true,
      },
    }),
  );

  app.use(healthRoutes(deps.database));
  if (config.hubspot.oauth && deps.oauth)
    app.use(
      oauthRoutes(config, config.hubspot.oauth, {
        database: deps.database,
        logger: deps.logger,
        now: deps.now,
        ...deps.oauth,
      }),
    );
  const metrics = deps.metrics ?? newAppMetrics(deps);
  app.use(metricsRoutes(metrics.registry));
  // Before express.json: the signature covers the raw bytes, so nothing may parse this body first.
  app.use(
    webhookRoutes(config, {
      database: deps.database,
      now: deps.now,
      metrics: metrics.webhooks,
      onStored: deps.onWebhookEventsStored ?? (() => undefined),
      ...(deps.intakeActivity ? { activity: deps.intakeActivity } : {}),
    }),
  );

  // Card requests are signed over their raw bytes too; the card routers parse the body after verifying it.
  app.use(contactHandoffRoutes(config, deps));
  app.use(dealCardRoutes(config, { database: deps.database, now: deps.now }));

  app.use(
    express.json({ limit: JSON_BODY_LIMIT, verify: (_req, _res, body) => refuseDeepJson(body) }),
  );
  app.use(handoffReportRoutes(config, deps));
  app.use(
    attributionRoutes(config, {
      database: deps.database,
      now: deps.now,
      ...(deps.onAttributionWork ? { onWork: deps.onAttributionWork } : {}),
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

export function newAppMetrics(deps: Pick<AppDeps, 'database' | 'now'>): {
  registry: Registry;
  webhooks: WebhookMetrics;
} {
  const registry = new Registry();
  return { registry, webhooks: createWebhookMetrics(registry, deps.database, deps.now) };
}
