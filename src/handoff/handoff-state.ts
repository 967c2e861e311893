/**
 * The handoff episode's state machine. One table says, for every status and event, the next status and what
 * the service must do, or why the event is refused. Refusals are typed (`HandoffTransitionError` with a
 * code) so the service can answer 409 for a decision on a closed episode and ignore a redelivered breach.
 *
 * A first touch does not change the status: the episode stays pending (or breached) until sales decides.
 * `breach` comes from the sweeper only when no first touch happened by the due time. `requalify` on a
 * closed episode leaves it as it is and asks for a new episode.
 */

export const HANDOFF_STATUSES = [
  'pending',
  'accepted',
  'rejected',
  'breached',
  'converted',
  'recycled',
] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

export const HANDOFF_EVENTS = [
  'assign',
  'first_touch',
  'accept',
  'reject',
  'breach',
  'convert',
  'recycle',
  'requalify',
] as const;
export type HandoffEvent = (typeof HANDOFF_EVENTS)[number];

export const HANDOFF_EFFECTS = [
  'start_sla_clock',
  'create_owner_task',
  'record_first_touch',
  'stop_sla_clock',
  'write_accepted_stage',
  'write_rejected_stage',
  'store_reason',
  'escalate',
  'open_new_episode',
] as const;
/** What the service does after a transition; the status itself is always written. */
export type HandoffEffect = (typeof HANDOFF_EFFECTS)[number];

export const TRANSITION_ERROR_CODES = [
  'episode_closed',
  'already_decided',
  'already_breached',
  'episode_open',
] as const;
export type TransitionErrorCode = (typeof TRANSITION_ERROR_CODES)[number];

export type TransitionRule =
  | { readonly to: HandoffStatus; readonly effects: readonly HandoffEffect[] }
  | { readonly error: TransitionErrorCode };

const ok = (to: HandoffStatus, ...effects: HandoffEffect[]): TransitionRule => ({ to, effects });
const no = (error: TransitionErrorCode): TransitionRule => ({ error });

export const HANDOFF_TRANSITIONS: Readonly<
  Record<HandoffStatus, Readonly<Record<HandoffEvent, TransitionRule>>>
> = {
  pending: {
    assign: ok('pending', 'start_sla_clock', 'create_owner_task'),
    first_touch: ok('pending', 'record_first_touch', 'stop_sla_clock'),
    accept: ok('accepted', 'record_first_touch', 'stop_sla_clock', 'write_accepted_stage'),
    reject: ok(
      'rejected',
      'record_first_touch',
      'stop_sla_clock',
      'store_reason',
      'write_rejected_stage',
    ),
    breach: ok('breached', 'escalate'),
    convert: ok('converted', 'stop_sla_clock'),
    recycle: ok('recycled', 'stop_sla_clock'),
    requalify: no('episode_open'),
  },
  breached: {
    // The escalation may hand the lead to someone else; the breach stays on record.
    assign: ok('breached', 'create_owner_task'),
    first_touch: ok('breached', 'record_first_touch'),
    accept: ok('accepted', 'record_first_touch', 'write_accepted_stage'),
    reject: ok('rejected', 'record_first_touch', 'store_reason', 'write_rejected_stage'),
    breach: no('already_breached'),
    convert: ok('converted'),
    recycle: ok('recycled'),
    requalify: no('episode_open'),
  },
  accepted: {
    assign: no('already_decided'),
    first_touch: ok('accepted', 'record_first_touch'),
    accept: no('already_decided'),
    reject: no('already_decided'),
    breach: no('already_decided'),
    convert: ok('converted'),
    recycle: ok('recycled'),
    requalify: ok('accepted', 'open_new_episode'),
  },
  rejected: {
    assign: no('episode_closed'),
    first_touch: ok('rejected', 'record_first_touch'),
    accept: no('already_decided'),
    reject: no('already_decided'),
    breach: no('episode_closed'),
    convert: no('episode_closed'),
    recycle: ok('recycled'),
    requalify: ok('rejected', 'open_new_episode'),
  },
  converted: {
    assign: no('episode_closed'),
    first_touch: ok('converted', 'record_first_touch'),
    accept: no('episode_closed'),
    reject: no('episode_closed'),
    breach: no('episode_closed'),
    convert: no('episode_closed'),
    recycle: ok('recycled'),
    requalify: ok('converted', 'open_new_episode'),
  },
  recycled: {
    assign: no('episode_closed'),
    first_touch: ok('recycled', 'record_first_touch'),
    accept: no('episode_closed'),
    reject: no('episode_closed'),
    breach: no('episode_closed'),
    convert: no('episode_closed'),
    recycle: no('episode_closed'),
    requalify: ok('recycled', 'open_new_episode'),
  },
};

export class HandoffTransitionError extends Error {
  constructor(
    readonly code: TransitionErrorCode,
    readonly from: HandoffStatus,
    readonly event: HandoffEvent,
  ) {
    super(`cannot ${event.replace('_', ' ')} a ${from} handoff (${code.replace('_', ' ')})`);
    this.name = 'HandoffTransitionError';
  }
}

export interface HandoffTransition {
  readonly from: HandoffStatus;
  readonly to: HandoffStatus;
  readonly event: HandoffEvent;
  readonly effects: readonly HandoffEffect[];
}

/** The next status and the effects, or a `HandoffTransitionError` saying why the event is refused. */
export function transitionHandoff(from: HandoffStatus, event: HandoffEvent): HandoffTransition {
  const rule = HANDOFF_TRANSITIONS[from][event];
  if ('error' in rule) throw new HandoffTransitionError(rule.error, from, event);
  return { from, to: rule.to, event, effects: rule.effects };
}

/** Open episodes still wait for a sales decision; the sweeper only looks at these. */
export function isOpenHandoff(status: HandoffStatus): boolean {
  return status === 'pending' || status === 'breached';
}
