import type { RequestHandler } from 'express';
import type { Kysely } from 'kysely';

import type { CardLocals } from '../card/card-signature';
import type { Database } from '../db/schema';
import { AppError } from '../http/app-error';
import { findActivePortalIds } from './portal.repository';

/**
 * After the card signature: the signed portal must be installed and active. An uninstalled portal's rows stay
 * until purge, but nobody reads them through the card any more.
 */
export function requireActivePortal(db: Kysely<Database>): RequestHandler {
  return (_req, res, next) => {
    const { portalId } = res.locals as CardLocals;
    findActivePortalIds(db, [portalId]).then(
      (active) =>
        next(
          active.has(portalId)
            ? undefined
            : AppError.notFound(`portal ${portalId} has not installed Truce`),
        ),
      next,
    );
  };
}
