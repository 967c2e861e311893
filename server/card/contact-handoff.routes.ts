import express, { type Request, Router } from 'express';
import { z } from 'zod';

import { CARD_ROUTES } from '../../extensions/app/cards/api/contract';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { decideHandoff } from '../handoff/handoff-decisions';
import { contactHandoffView } from '../handoff/handoff-view';
import { AppError } from '../http/app-error';
import { refuseDeepJson } from '../http/json-depth';
import type { Logger } from '../logger';
import { requireActivePortal } from '../portals/require-active-portal';
import { acceptHandoffRequestSchema, rejectHandoffRequestSchema } from './card-contract.schema';
import { type CardLocals, decidingActor, requireCardSignature } from './card-signature';

/** HubSpot caps card requests at 1 MB. */
const CARD_BODY_LIMIT = '1mb';

const contactIdSchema = z.string().regex(/^\d{1,18}$/, 'must be a HubSpot record id');

/**
 * The contact card's API (`CARD_ROUTES`): the handoff view, accept and reject. Mounted before the JSON parser:
 * the signature covers the raw bytes, so the body is parsed here only after it was verified.
 */
export function contactHandoffRoutes(
  config: Config,
  deps: { database: DatabaseHandle; logger: Logger; now: () => number },
): Router {
  const router = Router();
  const settings = config.settings.handoff;
  const raw = express.raw({ type: () => true, limit: CARD_BODY_LIMIT });
  const signed = requireCardSignature(config, deps.now);
  const installed = requireActivePortal(deps.database.db);
  const decisions = { ...deps, settings };

  router.get(CARD_ROUTES.contactHandoff, raw, signed, installed, async (req, res) => {
    const { portalId } = res.locals as CardLocals;
    res.json(
      await contactHandoffView(deps.database.db, settings, {
        portalId,
        contactId: contactIdOf(req),
        now: deps.now(),
      }),
    );
  });

  router.post(CARD_ROUTES.acceptHandoff, raw, signed, installed, async (req, res) => {
    const locals = res.locals as CardLocals;
    const { portalId } = locals;
    const body = acceptHandoffRequestSchema.parse(jsonBody(req));
    const actor = decidingActor(locals, body.actor);
    res.json(
      await decideHandoff(decisions, {
        portalId,
        contactId: contactIdOf(req),
        handoffId: body.handoffId,
        actor,
        outcome: 'accept',
      }),
    );
  });

  router.post(CARD_ROUTES.rejectHandoff, raw, signed, installed, async (req, res) => {
    const locals = res.locals as CardLocals;
    const { portalId } = locals;
    const body = rejectHandoffRequestSchema.parse(jsonBody(req));
    const actor = decidingActor(locals, body.actor);
    res.json(
      await decideHandoff(decisions, {
        portalId,
        contactId: contactIdOf(req),
        handoffId: body.handoffId,
        actor,
        outcome: 'reject',
        reasonCode: body.reasonCode,
        note: body.note,
      }),
    );
  });

  return router;
}

function contactIdOf(req: Request): number {
  const parsed = contactIdSchema.safeParse(req.params.contactId);
  if (!parsed.success)
    throw AppError.badRequest('contactId must be a HubSpot record id', 'invalid_request');
  return Number(parsed.data);
}

function jsonBody(req: Request): unknown {
  const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  refuseDeepJson(raw);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('malformed_json', 'request body is not valid JSON', 400);
  }
}
