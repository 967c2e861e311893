import express, { Router } from 'express';

import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { AppError } from '../http/app-error';
import { publicRequestUrl } from '../hubspot/public-request-url';
import { verifyHubSpotRequest } from '../hubspot/webhook-signature';
import type { IntakeActivity } from './intake-activity';
import { parseWebhookBatch, storeWebhookBatch } from './webhook-intake';
import type { WebhookMetrics } from './webhook-metrics';

/** A batch is under 100 events of well under 1 KB each; anything bigger is not HubSpot. */
export const WEBHOOK_BODY_LIMIT = '1mb';

export interface WebhookRouteDeps {
  readonly database: DatabaseHandle;
  readonly now: () => number;
  readonly metrics: WebhookMetrics;
  /** Called after a batch is committed: wakes the worker so processing starts at once. */
  readonly onStored: () => void;
  /** Requests in progress, which the worker lets go first. */
  readonly activity?: IntakeActivity;
}

/**
 * `POST /webhooks/hubspot`, in a fixed order: raw body → signature → batch schema → portals → one
 * transaction → 204. The answer comes before any processing because HubSpot counts an answer slower than 5 s
 * as a failure and redelivers; once the events are committed they cannot be lost, and the worker does the rest.
 */
export function webhookRoutes(config: Config, deps: WebhookRouteDeps): Router {
  const router = Router();
  const settings = config.settings.webhooks;

  router.post(
    '/webhooks/hubspot',
    (_req, res, next) => {
      const started = process.hrtime.bigint();
      const end = deps.activity?.begin();
      res.once('close', () => end?.());
      res.once('finish', () => {
        end?.();
        deps.metrics.ackLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    },
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req, res) => {
      const clientSecret = config.hubspot.clientSecret;
      if (!clientSecret) {
        throw AppError.unavailable(
          'webhooks are not configured: HUBSPOT_CLIENT_SECRET is not set',
          'webhooks_not_configured',
        );
      }
      const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = verifyHubSpotRequest({
        method: req.method,
        url: publicRequestUrl({
          publicBaseUrl: config.publicBaseUrl,
          trustProxyHeaders: settings.trustProxyHeaders,
          headers: req.headers,
          originalUrl: req.originalUrl,
          encrypted: req.secure,
        }),
        rawBody,
        headers: req.headers,
        clientSecret,
        now: deps.now(),
        allowLegacy: settings.allowLegacySignatures,
      });
      if (!verdict.ok) {
        throw new AppError(
          'invalid_signature',
          `HubSpot signature refused: ${verdict.reason}`,
          401,
        );
      }

      const batch = parseWebhookBatch(rawBody.toString('utf8'));
      const result = await storeWebhookBatch(deps.database, batch, deps.now());
      deps.metrics.received.inc(result.events);
      deps.metrics.duplicates.inc(result.duplicates);
      req.log?.info(
        { signature: verdict.version, ...result },
        `webhook batch of ${result.events} event(s) from portal ${result.portalIds.join(', ')}: ` +
          `${result.stored} stored, ${result.duplicates} duplicate(s)`,
      );
      res.status(204).end();
      if (result.stored > 0) deps.onStored();
    },
  );

  return router;
}
