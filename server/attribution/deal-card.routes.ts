import { type Request, type Response, Router } from 'express';

import { CARD_ROUTES } from '../../extensions/app/cards/api/contract';
import {
  dealAttributionQuerySchema,
  dealAttributionViewSchema,
} from '../card/card-contract.schema';
import { type CardLocals, requireCardSignature } from '../card/card-signature';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { AppError } from '../http/app-error';
import { describeZodError } from '../http/error-handler';
import { requireActivePortal } from '../portals/require-active-portal';
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
  router.get(
    CARD_ROUTES.dealAttribution,
    requireCardSignature(config, deps.now),
    requireActivePortal(deps.database.db),
    async (req: Request, res: Response) => {
      const { portalId } = res.locals as CardLocals;
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
    },
  );
  return router;
}
