import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Response headers for every answer. Truce serves JSON, CSV and XLSX to HubSpot's `hubspot.fetch` proxy and
 * to report scripts, never pages, so the content policy allows nothing and no answer may be framed. Answers
 * carry revenue figures and handoff decisions: no cache (a browser's or a proxy's) may keep them.
 */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      frameguard: { action: 'deny' },
    }),
    (req, res, next) => {
      if (req.path.startsWith('/api/')) res.setHeader('cache-control', 'no-store');
      next();
    },
  ];
}
