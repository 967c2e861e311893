import type { ContactHandoffView } from '../../extensions/app/cards/api/contract';
import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import { requireReasonCode, UnknownReasonCodeError } from '../../src/handoff/handoff-signals';
import { HandoffTransitionError } from '../../src/handoff/handoff-state';
import type { DatabaseHandle } from '../db/database';
import { AppError } from '../http/app-error';
import type { Logger } from '../logger';
import { latestHandoff } from './handoff.repository';
import { applyHandoffEvent } from './handoff-events';
import { contactHandoffView } from './handoff-view';

export interface DecisionActor {
  readonly id: string;
  readonly name: string | null;
}

export type HandoffDecisionRequest = {
  readonly portalId: number;
  readonly contactId: number;
  /** The handoff the rep saw; another current one means the card is stale. */
  readonly handoffId: string;
  readonly actor: DecisionActor;
} & (
  | { readonly outcome: 'accept' }
  | { readonly outcome: 'reject'; readonly reasonCode: string; readonly note: string }
);

/**
 * A sales decision from the card: validate, apply the state machine to the contact's current episode, store
 * the decision and enqueue the HubSpot writes (lifecycle stage, reject reason), all in one transaction. Every
 * refusal is a 4xx that changed nothing: unknown reason 400, no handoff in this portal 404, stale card or
 * closed episode 409.
 */
export async function decideHandoff(
  deps: { database: DatabaseHandle; settings: HandoffSettings; logger: Logger; now: () => number },
  request: HandoffDecisionRequest,
): Promise<ContactHandoffView> {
  const { settings } = deps;
  let reasonCode: string | null = null;
  if (request.outcome === 'reject') {
    try {
      reasonCode = requireReasonCode(request.reasonCode, settings.decisions).code;
    } catch (error) {
      if (error instanceof UnknownReasonCodeError)
        throw new AppError('invalid_request', error.message, 400);
      throw error;
    }
  }
  const now = deps.now();
  const decided = await deps.database.db.transaction().execute(async (trx) => {
    const latest = await latestHandoff(trx, request.portalId, request.contactId, {
      forUpdate: deps.database.supportsRowLocks,
    });
    if (!latest)
      throw AppError.notFound(`contact ${request.contactId} has no handoff in this portal`);
    if (String(latest.id) !== request.handoffId || latest.status === 'scoring')
      throw AppError.conflict(
        `the current handoff of contact ${request.contactId} is ${latest.id} (${latest.status}), not ${request.handoffId}; reload the card`,
        'handoff_changed',
      );
    try {
      const applied = await applyHandoffEvent(
        trx,
        latest,
        {
          event: request.outcome,
          at: now,
          actor: request.actor.id,
          actorName: request.actor.name,
          source: 'card',
          reasonCode,
          note: request.outcome === 'reject' ? request.note.trim() || null : null,
        },
        settings,
        now,
      );
      if (!applied)
        throw AppError.conflict(
          `handoff ${latest.id} changed while deciding; reload the card`,
          'handoff_changed',
        );
      return applied.row;
    } catch (error) {
      if (error instanceof HandoffTransitionError)
        throw AppError.conflict(
          `handoff ${latest.id} is ${latest.status}: ${error.message}`,
          'handoff_already_decided',
        );
      throw error;
    }
  });
  deps.logger.info(
    { portalId: request.portalId, contactId: request.contactId, handoffId: decided.id },
    request.outcome === 'accept'
      ? `handoff ${decided.id} of contact ${request.contactId} accepted by user ${request.actor.id}`
      : `handoff ${decided.id} of contact ${request.contactId} rejected by user ${request.actor.id} (${reasonCode})`,
  );
  return contactHandoffView(deps.database.db, settings, {
    portalId: request.portalId,
    contactId: request.contactId,
    now,
  });
}
