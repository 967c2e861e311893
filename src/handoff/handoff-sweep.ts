import type { HandoffSettings } from './handoff-settings';
import type { HandoffStatus } from './handoff-state';

/**
 * What the periodic sweeper must do for one open episode at `now`: send the reminder once its time has come,
 * and on breach escalate as configured (reassign to someone else, or a task for the owner's manager). The
 * service claims due episodes from the database (so several replicas never double-act), calls this, and
 * records what it did (`reminderSentAt`, the `breach` transition) in the same transaction.
 */

export interface SweepEpisode {
  readonly status: HandoffStatus;
  readonly ownerId: string;
  readonly dueAt: number;
  readonly reminderAt: number;
  readonly reminderSentAt?: number | null;
  readonly firstTouchAt?: number | null;
}

export type Escalation =
  | { readonly kind: 'reassign'; readonly excludeOwnerIds: readonly string[] }
  | { readonly kind: 'manager_task'; readonly managerId: string }
  | { readonly kind: 'none'; readonly reason: string };

export type SweepAction =
  | { readonly kind: 'remind'; readonly ownerId: string; readonly dueAt: number }
  | { readonly kind: 'breach'; readonly overdueMs: number; readonly escalation: Escalation };

export function sweepHandoff(
  episode: SweepEpisode,
  settings: Pick<HandoffSettings, 'sla' | 'routing'>,
  now: number,
): SweepAction[] {
  // Only a pending episode can still breach; a breached one has been escalated already.
  if (episode.status !== 'pending') return [];
  const touched = episode.firstTouchAt !== null && episode.firstTouchAt !== undefined;
  if (touched) return [];
  const actions: SweepAction[] = [];
  const reminderSent = episode.reminderSentAt !== null && episode.reminderSentAt !== undefined;
  if (!reminderSent && now >= episode.reminderAt && now <= episode.dueAt)
    actions.push({ kind: 'remind', ownerId: episode.ownerId, dueAt: episode.dueAt });
  if (now > episode.dueAt)
    actions.push({
      kind: 'breach',
      overdueMs: now - episode.dueAt,
      escalation: escalationFor(episode.ownerId, settings),
    });
  return actions;
}

export function escalationFor(
  ownerId: string,
  settings: Pick<HandoffSettings, 'sla' | 'routing'>,
): Escalation {
  const { action, managerId: fallbackManager } = settings.sla.escalation;
  if (action === 'none')
    return { kind: 'none', reason: 'escalation is off (sla.escalation.action: none)' };
  if (action === 'reassign') return { kind: 'reassign', excludeOwnerIds: [ownerId] };
  const managerId =
    settings.routing.owners.find((owner) => owner.id === ownerId)?.managerId ?? fallbackManager;
  return managerId
    ? { kind: 'manager_task', managerId }
    : {
        kind: 'none',
        reason: `owner ${ownerId} has no managerId and sla.escalation.managerId is unset`,
      };
}
