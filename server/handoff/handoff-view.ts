import type { CardHandoff, ContactHandoffView } from '../../extensions/app/cards/api/contract';
import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import { isOpenHandoff } from '../../src/handoff/handoff-state';
import { calendarFor, slaStatus } from '../../src/handoff/sla-clock';
import { contactCardTouchpoints } from '../card/card-touchpoints';
import type { Db } from './handoff.repository';
import { type HandoffRow, latestHandoff } from './handoff.repository';
import { topReasons } from './handoff-explanation';

/**
 * The card's view of a contact's current handoff (`ContactHandoffView`). An episode still waiting for its
 * score shows as no handoff yet. The timeline is the contact's most recent touchpoints as captured by the
 * attribution capability.
 */
export async function contactHandoffView(
  db: Db,
  settings: HandoffSettings,
  request: { portalId: number; contactId: number; now: number },
): Promise<ContactHandoffView> {
  const latest = await latestHandoff(db, request.portalId, request.contactId);
  return {
    contactId: String(request.contactId),
    handoff:
      latest && latest.status !== 'scoring' ? cardHandoff(latest, settings, request.now) : null,
    touchpoints: await contactCardTouchpoints(db, request.portalId, request.contactId),
    rejectReasons: settings.decisions.reasonCodes.map((reason) => ({ ...reason })),
    now: request.now,
  };
}

function cardHandoff(row: HandoffRow, settings: HandoffSettings, now: number): CardHandoff {
  if (row.status === 'scoring') throw new Error(`handoff ${row.id} is not scored yet`);
  const assignedAt = Number(row.assigned_at ?? row.trigger_at);
  const dueAt = Number(row.sla_due_at ?? assignedAt);
  const firstTouchAt = row.first_touch_at === null ? null : Number(row.first_touch_at);
  const owner = settings.routing.owners.find((candidate) => candidate.id === row.owner_id);
  const clock = slaStatus(
    { dueAt },
    firstTouchAt ?? undefined,
    now,
    calendarFor(settings.sla, owner),
  );
  const reason = settings.decisions.reasonCodes.find(
    (candidate) => candidate.code === row.reason_code,
  );
  return {
    id: String(row.id),
    status: row.status,
    score: {
      value: Number(row.score ?? 0),
      grade: row.grade ?? settings.scoring.otherwiseGrade,
      reasons: topReasons(row.explanation),
    },
    owner: row.owner_id === null ? null : { id: row.owner_id, name: null },
    assignedAt,
    sla: {
      state: clock.state === 'running' ? 'due' : clock.state,
      dueAt,
      firstTouchAt,
      repDelayMs: Math.max(0, (firstTouchAt ?? now) - assignedAt),
    },
    decision:
      row.decision === null || row.decided_at === null
        ? null
        : {
            outcome: row.decision,
            decidedBy: { id: row.decided_by ?? 'unknown', name: row.decided_by_name },
            decidedAt: Number(row.decided_at),
            reasonCode: row.reason_code,
            reasonLabel: reason?.label ?? null,
            note: row.note,
          },
    canDecide: isOpenHandoff(row.status),
  };
}
