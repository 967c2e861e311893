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
}): RequestHandler {
  const expected = options.apiKey ? sha256(options.apiKey) : undefined;
  return (req, res, next) => {
    if (!expected || options.portalId === undefined) {
      next(
        AppError.unavailable(
          'the report API is not configured (set TRUCE_API_KEY and HUBSPOT_PORTAL_ID)',
          'api_not_configured',
        ),
      );
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(sha256(match[1]), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="truce"');
      next(AppError.unauthorized('missing or invalid bearer key'));
      return;
    }
    (res.locals as PortalLocals).portalId = options.portalId;
    next();
  };
}
