import { createHash, timingSafeEqual } from 'node:crypto';

import type { RequestHandler } from 'express';

import { AppError } from './app-error';

/** Where authenticated routes find the portal the caller may see. */
export interface PortalLocals {
  portalId: number;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Bearer-key authentication for the report and touchpoint API. Only a hash of the key is kept in memory and
 * the comparison is constant-time over equal-length digests, so neither timing nor a heap dump gives the key
 * away. The key is scoped to one portal; every route behind it reads `res.locals.portalId`, never the body.
 */
export function requireApiKey(options: {
  apiKey: string | undefined;
  portalId: number | undefined;
  /** More keys, each scoped to its portal (TRUCE_API_KEYS, for a service that serves several accounts). */
  portalKeys?: readonly { readonly portalId: number; readonly key: string }[];
}): RequestHandler {
  const keys = [
    ...(options.apiKey && options.portalId !== undefined
      ? [{ portalId: options.portalId, hash: sha256(options.apiKey) }]
      : []),
    ...(options.portalKeys ?? []).map(({ portalId, key }) => ({ portalId, hash: sha256(key) })),
  ];
  return (req, res, next) => {
    if (keys.length === 0) {
      next(
        AppError.unavailable(
          'the report API is not configured (set TRUCE_API_KEY and HUBSPOT_PORTAL_ID, or TRUCE_API_KEYS)',
          'api_not_configured',
        ),
      );
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const given = sha256(match?.[1] ?? '');
    // Compare against every key, never stopping early, so the time taken says nothing about which matched.
    let portalId: number | undefined;
    for (const key of keys) {
      if (timingSafeEqual(given, key.hash) && match?.[1]) portalId = key.portalId;
    }
    if (portalId === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="truce"');
      next(AppError.unauthorized('missing or invalid bearer key'));
      return;
    }
    (res.locals as PortalLocals).portalId = portalId;
    next();
  };
}
