import { randomUUID } from 'node:crypto';

import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';

import type { Config } from './config';
import type { DatabaseHandle } from './db/database';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { healthRoutes } from './http/health.routes';
import type { Logger } from './logger';

export interface AppDeps {
  readonly database: DatabaseHandle;
  readonly logger: Logger;
  /** Milliseconds since the epoch; injected so tests control time. */
  readonly now: () => number;
}

/** Body size for JSON APIs; HubSpot caps card requests at 1 MB. */
export const JSON_BODY_LIMIT = '1mb';

export function createApp(config: Config, deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.settings.webhooks.trustProxyHeaders);

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming)
            ? incoming
            : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );

  app.use(healthRoutes(deps.database));

  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
