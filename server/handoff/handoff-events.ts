import type { Transaction, Updateable } from 'kysely';

import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import {
  type HandoffEvent,
  type HandoffStatus,
  type HandoffTransition,
  transitionHandoff,
} from '../../src/handoff/handoff-state';
import type { Database, HandoffTable } from '../db/schema';
import { enqueueOutbox } from '../outbox/outbox.repository';
import { appendHandoffHistory, type HandoffRow, updateHandoff } from './handoff.repository';

/**
 * Applies one state-machine event to a scored episode: the status and the fields the effects imply, the
 * history line, and the HubSpot writes, all in the caller's transaction. The write to the episode is
 * conditional on the status the transition was decided from, so a concurrent change makes this a no-op
 * (`undefined`) instead of a double decision. Refusals surface as `HandoffTransitionError`.
 */

export interface HandoffEventInput {
  readonly event: Exclude<HandoffEvent, 'assign' | 'requalify' | 'breach'>;
  readonly at: number;
  /** truce, hubspot, or the deciding user's id. */
  readonly actor: string;
  readonly actorName?: string | null;
  /** The property or route that said so. */
  readonly source: string;
  readonly reasonCode?: string | null;
  readonly note?: string | null;
  /** False when HubSpot already holds the lifecycle stage (the rep set it there). */
  readonly writeStage?: boolean;
}

export async function applyHandoffEvent(
  trx: Transaction<Database>,
  row: HandoffRow,
  input: HandoffEventInput,
  settings: Pick<HandoffSettings, 'decisions'>,
  now: number,
): Promise<{ transition: HandoffTransition; row: HandoffRow } | undefined> {
  if (row.status === 'scoring') throw new Error(`handoff ${row.id} is not scored yet`);
  const transition = transitionHandoff(row.status, input.event);
  const { effects } = transition;
  const patch: Updateable<HandoffTable> = { status: transition.to, updated_at: now };
  const { decisions } = settings;

  if (effects.includes('record_first_touch') && isEarlierTouch(row, input.at, input.source)) {
    patch.first_touch_at = input.at;
    patch.first_touch_source = input.source;
  }
  if (input.event === 'accept' || input.event === 'reject') {
    patch.decision = input.event === 'accept' ? 'accepted' : 'rejected';
    patch.decided_at = input.at;
    patch.decided_by = input.actor;
    patch.decided_by_name = input.actorName ?? null;
    patch.reason_code = input.event === 'reject' ? (input.reasonCode ?? null) : null;
    patch.note = input.note ?? null;
    patch.closed_at = input.at;
  }
  if (input.event === 'accept' || input.event === 'convert') patch.sql_at = row.sql_at ?? input.at;
  if (input.event === 'recycle') patch.closed_at = row.closed_at ?? input.at;
  if (input.event === 'convert') patch.closed_at = row.closed_at ?? input.at;

  const properties: Record<string, string> = {};
  if (transition.to !== row.status) properties.truce_handoff_status = transition.to;
  if (effects.includes('write_accepted_stage') && input.writeStage !== false) {
    properties.lifecyclestage = decisions.acceptedLifecycleStage;
    patch.written_stage = decisions.acceptedLifecycleStage;
  }
  if (effects.includes('write_rejected_stage') && input.writeStage !== false) {
    properties.lifecyclestage = decisions.rejectedLifecycleStage;
    patch.written_stage = decisions.rejectedLifecycleStage;
  }
  if (effects.includes('store_reason') && input.reasonCode)
    properties.truce_reject_reason = input.reasonCode;

  const updated = await updateHandoff(trx, row.id, [row.status], patch);
  if (!updated) return undefined;
  await appendHandoffHistory(trx, {
    portalId: row.portal_id,
    handoffId: row.id,
    event: input.event,
    from: row.status,
    to: transition.to,
    actor: input.actor,
    detail: {
      source: input.source,
      at: input.at,
      ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
      ...(input.note ? { note: input.note } : {}),
      effects,
    },
    at: now,
  });
  if (Object.keys(properties).length > 0)
    await enqueueOutbox(
      trx,
      {
        portalId: row.portal_id,
        // One write per episode and event: accept/reject/convert/recycle happen at most once per episode.
        idempotencyKey: `handoff-${row.id}:${input.event}`,
        operation: 'contact.update',
        payload: {
          contactId: String(row.contact_id),
          properties,
          // The decision may reach HubSpot after a deal made the contact an opportunity (or a rep moved it):
          // a stage past the handoff is kept (HubSpot's standard stages; a portal's custom ones are written).
          ...(properties.lifecyclestage !== undefined
            ? { lifecycleStageUnlessAt: [...STAGES_PAST_HANDOFF] }
            : {}),
        },
      },
      now,
    );
  return { transition, row: { ...row, ...(patch as Partial<HandoffRow>) } };
}

/**
 * Whether a touch at `at` should be the episode's first: webhooks arrive out of order, so the earliest touch
 * wins whenever it is processed, and touches of one change (several activity properties at the same instant)
 * are told apart by the property name, so the recorded source does not depend on delivery order.
 */
export function isEarlierTouch(
  row: Pick<HandoffRow, 'first_touch_at' | 'first_touch_source'>,
  at: number,
  source: string,
): boolean {
  if (row.first_touch_at === null) return true;
  const recorded = Number(row.first_touch_at);
  return at < recorded || (at === recorded && source < (row.first_touch_source ?? ''));
}

/** HubSpot's standard lifecycle stages after sales accepted a lead. */
const STAGES_PAST_HANDOFF = [
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
] as const;

export function isScoredStatus(status: HandoffRow['status']): status is HandoffStatus {
  return status !== 'scoring';
}
