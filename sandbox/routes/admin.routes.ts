import { Router } from 'express';

import type { ApiFaults } from '../api-guards';
import { type ChangeSource, parseObjectType } from '../crm-types';
import { notFound, validationError } from '../hubspot-errors';
import type { RateLimiter } from '../rate-limiter';
import { ADMIN_CONTEXT, type SandboxAdmin } from '../sandbox-admin';
import type { SandboxWebhooks } from '../sandbox-webhooks';

export const ADMIN_PREFIX = '/_sandbox';

function context(body: Record<string, unknown>) {
  return typeof body.changeSource === 'string'
    ? {
        source: body.changeSource as ChangeSource,
        ...(typeof body.sourceId === 'string' ? { sourceId: body.sourceId } : {}),
      }
    : ADMIN_CONTEXT;
}

/**
 * The sandbox's own HTTP admin API (no auth, no rate limit, no faults): drive the portal like HubSpot's users
 * and tools would, flip fault switches, and wait for webhook deliveries. Mirrors `SandboxAdmin`.
 */
export function adminRoutes(deps: {
  readonly admin: SandboxAdmin;
  readonly faults: ApiFaults;
  /** The sandbox clock, for outage windows. */
  readonly clock: () => number;
  readonly limiter: RateLimiter;
  readonly webhooks: SandboxWebhooks;
  readonly state: () => unknown;
}): Router {
  const router = Router();
  const { admin } = deps;

  router.get('/state', (_req, res) => void res.json(deps.state()));

  router.post('/faults', (req, res) => {
    const body = (req.body ?? {}) as {
      api?: Partial<ApiFaults> & { outageForMs?: number };
      webhooks?: { outOfOrder?: boolean; duplicateRate?: number; paused?: boolean };
    };
    const { outageForMs, ...api } = body.api ?? {};
    Object.assign(deps.faults, api);
    if (typeof outageForMs === 'number') deps.faults.outageUntil = deps.clock() + outageForMs;
    deps.webhooks.setFaults(body.webhooks ?? {});
    res.json({ api: deps.faults, webhooks: deps.webhooks.faults() });
  });

  router.post('/rate-limit', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.perTenSeconds === 'number') deps.limiter.perTenSeconds = body.perTenSeconds;
    if (typeof body.searchPerSecond === 'number')
      deps.limiter.searchPerSecond = body.searchPerSecond;
    if (typeof body.daily === 'number' || body.daily === null) {
      deps.limiter.daily = (body.daily as number | null) ?? undefined;
    }
    if (typeof body.sendRetryAfter === 'boolean') deps.limiter.sendRetryAfter = body.sendRetryAfter;
    if (body.reset === true) deps.limiter.reset();
    res.json({
      perTenSeconds: deps.limiter.perTenSeconds,
      daily: deps.limiter.daily ?? null,
      searchPerSecond: deps.limiter.searchPerSecond,
      sendRetryAfter: deps.limiter.sendRetryAfter,
    });
  });

  router.post('/time', (req, res) => {
    const at = (req.body ?? {}).at;
    admin.setTime(typeof at === 'number' ? at : undefined);
    res.json({ at: at ?? null });
  });

  router.post('/objects/:type', (req, res) => {
    const type = parseObjectType(String(req.params.type));
    if (!type) return notFound(res, 'unknown object type');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = admin.create(type, (body.properties ?? {}) as Record<string, string>, context(body));
    res.status(201).json({ id });
  });

  router.patch('/objects/:type/:id', (req, res) => {
    const type = parseObjectType(String(req.params.type));
    if (!type) return notFound(res, 'unknown object type');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const ok = admin.update(
      type,
      String(req.params.id),
      (body.properties ?? {}) as Record<string, string>,
      context(body),
    );
    if (!ok) return notFound(res);
    res.json({ id: String(req.params.id) });
  });

  router.delete('/objects/:type/:id', (req, res) => {
    const type = parseObjectType(String(req.params.type));
    if (!type) return notFound(res, 'unknown object type');
    if (!admin.delete(type, String(req.params.id))) return notFound(res);
    res.status(204).end();
  });

  router.post('/associations', (req, res) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const from = parseObjectType(String(body.fromType));
    const to = parseObjectType(String(body.toType));
    if (!from || !to) return validationError(res, 'fromType and toType are required');
    const ok = body.remove
      ? admin.unassociate(from, String(body.fromId), to, String(body.toId))
      : admin.associate(from, String(body.fromId), to, String(body.toId));
    if (!ok) return notFound(res, 'object or association not found');
    res.json({ ok });
  });

  router.post('/forms/:guid/submissions', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const conversionId = admin.submitForm(String(req.params.guid), String(body.contactId), {
      ...(typeof body.pageUrl === 'string' ? { pageUrl: body.pageUrl } : {}),
      ...(body.values ? { values: body.values as Record<string, string> } : {}),
    });
    if (!conversionId) return notFound(res, 'form or contact not found');
    res.status(201).json({ conversionId });
  });

  router.post('/webhooks/connect', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.targetUrl !== 'string' || typeof body.clientSecret !== 'string') {
      return validationError(res, 'targetUrl and clientSecret are required');
    }
    deps.webhooks.connect(body as unknown as Parameters<SandboxWebhooks['connect']>[0]);
    res.json({ subscriptions: deps.webhooks.subscriptions() });
  });

  router.post('/webhooks/flush', async (_req, res) => {
    await deps.webhooks.flush();
    res.json(deps.webhooks.stats());
  });

  return router;
}
