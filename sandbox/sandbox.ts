import type { AddressInfo } from 'node:net';

import express from 'express';

import {
  type ApiFaults,
  bearerAuth,
  createApiFaults,
  createInjectedFaults,
  faultInjection,
  type InjectedFaults,
  rateLimiting,
} from './api-guards';
import { OBJECT_TYPES } from './crm-types';
import { notFound, sendError } from './hubspot-errors';
import { Portal } from './portal';
import {
  addBackgroundContacts,
  addDealPipeline,
  addOwners,
  type SeededOwner,
  type SeededPipeline,
} from './portal-seed';
import { RateLimiter, type RateLimitOptions } from './rate-limiter';
import { createRng } from './rng';
import { ADMIN_PREFIX, adminRoutes } from './routes/admin.routes';
import { associationRoutes } from './routes/associations.routes';
import { crmObjectRoutes } from './routes/crm-objects.routes';
import { marketingRoutes } from './routes/marketing.routes';
import { metadataRoutes } from './routes/metadata.routes';
import { SandboxAdmin } from './sandbox-admin';
import { SandboxWebhooks, type WebhookOptions } from './sandbox-webhooks';

export interface SandboxOptions {
  /** Seeds ids, owners, pipeline stage ids, background contacts and fault patterns (default 1). */
  readonly seed?: number;
  readonly portalId?: number;
  readonly appId?: number;
  /** The bearer token the API accepts (default `sandbox-access-token`). */
  readonly accessToken?: string;
  /** Default 0 (any free port) on 127.0.0.1. */
  readonly port?: number;
  /** Sales owners to create (default 8). */
  readonly owners?: number;
  /** Pre-existing contacts, created without webhooks (default 0). */
  readonly contacts?: number;
  readonly rateLimit?: RateLimitOptions;
  /** Start sending webhooks right away; or call `webhooks.connect` later (e.g. once the service listens). */
  readonly webhooks?: WebhookOptions;
  /** Wall clock for rate limits and signature timestamps (default Date.now). */
  readonly clock?: () => number;
}

export interface Sandbox {
  readonly url: string;
  readonly portalId: number;
  readonly appId: number;
  readonly accessToken: string;
  readonly portal: Portal;
  readonly admin: SandboxAdmin;
  readonly seeded: {
    readonly owners: readonly SeededOwner[];
    readonly pipeline: SeededPipeline;
    readonly contactIds: readonly string[];
  };
  /** Mutable fault switches of the API. */
  readonly faults: ApiFaults;
  /** Counts of the faults the API actually injected (outage 503s, forced 5xx, 429s). */
  readonly injectedFaults: InjectedFaults;
  /** Mutable budgets (`perTenSeconds`, `daily`, `searchPerSecond`) and `reset()`. */
  readonly rateLimiter: RateLimiter;
  readonly webhooks: SandboxWebhooks;
  /** Waits until every webhook is delivered or given up on. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? 1;
  const rng = createRng(seed);
  const clock = options.clock ?? Date.now;
  const portalId = options.portalId ?? 40_000_000 + (seed % 1_000_000);
  const appId = options.appId ?? 3_000_000 + (seed % 100_000);
  const accessToken = options.accessToken ?? 'sandbox-access-token';
  const portal = new Portal(portalId, clock);
  const webhooks = new SandboxWebhooks(portalId, appId, rng, clock);
  portal.onChange((change) => webhooks.handle(change));
  const admin = new SandboxAdmin(portal, rng);
  const seeded = webhooks.silently(() => ({
    owners: addOwners(portal, rng, options.owners ?? 8, clock()),
    pipeline: addDealPipeline(portal, rng, clock()),
    contactIds: addBackgroundContacts(portal, rng, options.contacts ?? 0),
  }));
  if (options.webhooks) webhooks.connect(options.webhooks);

  const faults = createApiFaults();
  const injectedFaults = createInjectedFaults();
  const rateLimiter = new RateLimiter(options.rateLimit ?? {}, clock);
  const api = { source: 'INTEGRATION' as const, sourceId: String(appId) };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '10mb' }));
  app.use(
    ADMIN_PREFIX,
    adminRoutes({
      admin,
      faults,
      clock,
      limiter: rateLimiter,
      webhooks,
      state: () => ({
        portalId,
        appId,
        counts: Object.fromEntries(OBJECT_TYPES.map((type) => [type, portal.count(type)])),
        faults,
        injectedFaults,
        webhooks: { subscriptions: webhooks.subscriptions(), stats: webhooks.stats() },
      }),
    }),
  );
  app.use(bearerAuth(accessToken));
  app.use(faultInjection(faults, injectedFaults, clock));
  app.use(rateLimiting(rateLimiter, injectedFaults));
  app.use(crmObjectRoutes(portal, api));
  app.use(associationRoutes(portal, api));
  app.use(metadataRoutes(portal));
  app.use(marketingRoutes(portal));
  app.use((_req, res) => notFound(res, 'This endpoint is not part of the sandbox'));
  app.use(
    (err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const status =
        typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 500;
      if (status === 400) return sendError(res, 400, 'VALIDATION_ERROR', 'Invalid input JSON');
      sendError(res, 500, 'INTERNAL_ERROR', 'internal error');
    },
  );

  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    portalId,
    appId,
    accessToken,
    portal,
    admin,
    seeded,
    faults,
    injectedFaults,
    rateLimiter,
    webhooks,
    flush: () => webhooks.flush(),
    close: async () => {
      webhooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
