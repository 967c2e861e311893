import { type Request, type Response, Router } from 'express';

import { CARD_ROUTES } from '../../extensions/app/cards/api/contract';
import {
  dealAttributionQuerySchema,
  dealAttributionViewSchema,
} from '../card/card-contract.schema';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { AppError } from '../http/app-error';
import { describeZodError } from '../http/error-handler';
import { publicRequestUrl } from '../hubspot/public-request-url';
import { verifyHubSpotRequest } from '../hubspot/webhook-signature';
import { dealAttributionView } from './deal-card.service';

/**
 * The deal card's API. HubSpot signs every `hubspot.fetch` like a webhook, so the signature is the only
 * credential: the portal comes from the signed URL's `portalId` (trusted only after the signature verifies)
 * or, without it, the installation's portal. A deal of another portal is simply not found.
 */
export function dealCardRoutes(
  config: Config,
  deps: { database: DatabaseHandle; now: () => number },
): Router {
  const router = Router();
  router.get(CARD_ROUTES.dealAttribution, async (req: Request, res: Response) => {
    const secret = config.hubspot.clientSecret;
    if (!secret)
      throw AppError.unavailable('card API needs HUBSPOT_CLIENT_SECRET', 'card_not_configured');
    const verified = verifyHubSpotRequest({
      method: req.method,
      url: publicRequestUrl({
        publicBaseUrl: config.publicBaseUrl,
        trustProxyHeaders: config.settings.webhooks.trustProxyHeaders,
        headers: req.headers,
        originalUrl: req.originalUrl,
        encrypted: req.secure,
      }),
      rawBody: Buffer.alloc(0),
      headers: req.headers,
      clientSecret: secret,
      now: deps.now(),
      allowLegacy: config.settings.webhooks.allowLegacySignatures,
    });
    if (!verified.ok)
      throw AppError.unauthorized(`request signature: ${verified.reason}`, 'invalid_signature');

    const signedPortal =
      typeof req.query.portalId === 'string' ? Number(req.query.portalId) : undefined;
    const portalId = signedPortal ?? config.hubspot.portalId;
    if (portalId === undefined || !Number.isSafeInteger(portalId)) {
      throw AppError.badRequest(
        'no portal: the request names none and none is installed',
        'no_portal',
      );
    }
    const dealId = Number(req.params.dealId);
    if (!/^\d+$/.test(String(req.params.dealId)) || !Number.isSafeInteger(dealId)) {
      throw AppError.notFound(`no deal ${String(req.params.dealId)}`, 'deal_not_found');
    }
    const query = dealAttributionQuerySchema.safeParse({ model: req.query.model });
    if (!query.success) throw AppError.badRequest(describeZodError(query.error), 'invalid_query');
    const view = await dealAttributionView(
      deps.database.db,
      { portalId, dealId, model: query.data.model },
      { settings: config.settings.attribution, now: deps.now() },
    );
    res.status(200).json(dealAttributionViewSchema.parse(view));
  });
  return router;
}
