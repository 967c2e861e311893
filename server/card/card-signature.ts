import type { RequestHandler } from 'express';

import type { Config } from '../config';
import type { DecisionActor } from '../handoff/handoff-decisions';
import { AppError } from '../http/app-error';
import { publicRequestUrl } from '../hubspot/public-request-url';
import { verifyHubSpotRequest } from '../hubspot/webhook-signature';

/** What a verified card request carries: the portal and the acting user, both from the signed URL. */
export interface CardLocals {
  portalId: number;
  actor: DecisionActor;
  /** `query`: the signed URL named the user; `none`: it did not, and `actor` is a placeholder. */
  actorSource: 'query' | 'none';
}

/**
 * The user who decides: the signed URL's `userId`/`userEmail` when HubSpot's proxy added them, otherwise the
 * `actor` the card sent from its `context.user` in the (equally signed) body, otherwise the placeholder.
 * HubSpot documents neither the query parameters nor a user header for `hubspot.fetch` (HUBSPOT.md §2), so
 * both sources are read; the query wins because only HubSpot, not the card's code, can set it.
 */
export function decidingActor(
  locals: CardLocals,
  bodyActor: { id: string; name: string | null } | undefined,
): DecisionActor {
  if (locals.actorSource === 'query' || !bodyActor) return locals.actor;
  return { id: bodyActor.id, name: bodyActor.name };
}

/**
 * Authenticates a card request (`hubspot.fetch`) by HubSpot's v3 signature over method, public URL, raw body
 * and timestamp; nothing else is accepted. The portal is the signed `portalId` query parameter when present,
 * otherwise the static HUBSPOT_PORTAL_ID; the body never names it. Needs the raw body (`express.raw`).
 */
export function requireCardSignature(config: Config, now: () => number): RequestHandler {
  return (req, res, next) => {
    const clientSecret = config.hubspot.clientSecret;
    if (!clientSecret) {
      next(
        AppError.unavailable(
          'the card API is not configured: HUBSPOT_CLIENT_SECRET is not set',
          'card_api_not_configured',
        ),
      );
      return;
    }
    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyHubSpotRequest({
      method: req.method,
      url: publicRequestUrl({
        publicBaseUrl: config.publicBaseUrl,
        trustProxyHeaders: config.settings.webhooks.trustProxyHeaders,
        headers: req.headers,
        originalUrl: req.originalUrl,
        encrypted: req.secure,
      }),
      rawBody,
      headers: req.headers,
      clientSecret,
      now: now(),
      allowLegacy: false,
    });
    if (!verdict.ok) {
      next(new AppError('invalid_signature', `HubSpot signature refused: ${verdict.reason}`, 401));
      return;
    }
    const query = req.query as Record<string, unknown>;
    const signedPortal = typeof query.portalId === 'string' ? query.portalId : undefined;
    const portalId = signedPortal !== undefined ? Number(signedPortal) : config.hubspot.portalId;
    if (portalId === undefined || !Number.isSafeInteger(portalId) || portalId <= 0) {
      next(
        AppError.badRequest(
          'no portal: the request has no valid portalId and HUBSPOT_PORTAL_ID is not set',
          'invalid_request',
        ),
      );
      return;
    }
    const userId = typeof query.userId === 'string' && query.userId ? query.userId : undefined;
    const userEmail =
      typeof query.userEmail === 'string' && query.userEmail ? query.userEmail : undefined;
    const locals = res.locals as CardLocals;
    locals.portalId = portalId;
    locals.actor = { id: userId ?? userEmail ?? 'hubspot-user', name: userEmail ?? null };
    locals.actorSource = userId || userEmail ? 'query' : 'none';
    next();
  };
}
