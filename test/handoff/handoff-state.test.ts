import {
  HANDOFF_EVENTS,
  HANDOFF_STATUSES,
  type HandoffEvent,
  type HandoffStatus,
  HandoffTransitionError,
  isOpenHandoff,
  transitionHandoff,
} from '../../src/handoff/handoff-state';

/**
 * The expected outcome of every status × event, written out independently of the implementation's table:
 * `→ status` for an allowed transition, `! code` for a refusal.
 */
const EXPECTED: Record<HandoffStatus, Record<HandoffEvent, string>> = {
  pending: {
    assign: '→ pending',
    first_touch: '→ pending',
    accept: '→ accepted',
    reject: '→ rejected',
    breach: '→ breached',
    convert: '→ converted',
    recycle: '→ recycled',
    requalify: '! episode_open',
  },
  breached: {
    assign: '→ breached',
    first_touch: '→ breached',
    accept: '→ accepted',
    reject: '→ rejected',
    breach: '! already_breached',
    convert: '→ converted',
    recycle: '→ recycled',
    requalify: '! episode_open',
  },
  accepted: {
    assign: '! already_decided',
    first_touch: '→ accepted',
    accept: '! already_decided',
    reject: '! already_decided',
    breach: '! already_decided',
    convert: '→ converted',
    recycle: '→ recycled',
    requalify: '→ accepted',
  },
  rejected: {
    assign: '! episode_closed',
    first_touch: '→ rejected',
    accept: '! already_decided',
    reject: '! already_decided',
    breach: '! episode_closed',
    convert: '! episode_closed',
    recycle: '→ recycled',
    requalify: '→ rejected',
  },
  converted: {
    assign: '! episode_closed',
    first_touch: '→ converted',
    accept: '! episode_closed',
    reject: '! episode_closed',
    breach: '! episode_closed',
    convert: '! episode_closed',
    recycle: '→ recycled',
    requalify: '→ converted',
  },
  recycled: {
    assign: '! episode_closed',
    first_touch: '→ recycled',
    accept: '! episode_closed',
    reject: '! episode_closed',
    breach: '! episode_closed',
    convert: '! episode_closed',
    recycle: '! episode_closed',
    requalify: '→ recycled',
  },
};

const cases = HANDOFF_STATUSES.flatMap((status) =>
  HANDOFF_EVENTS.map((event) => [status, event, EXPECTED[status][event]] as const),
);

describe('transitionHandoff: every status × event', () => {
  it('covers all 48 combinations', () => {
    expect(cases).toHaveLength(48);
  });

  it.each(cases)('%s + %s → %s', (status, event, expected) => {
    if (expected.startsWith('→')) {
      const transition = transitionHandoff(status, event);
      expect(`→ ${transition.to}`).toBe(expected);
      expect(transition).toMatchObject({ from: status, event });
    } else {
      let caught: unknown;
      try {
        transitionHandoff(status, event);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(HandoffTransitionError);
      expect(`! ${(caught as HandoffTransitionError).code}`).toBe(expected);
      expect(caught).toMatchObject({ from: status, event });
    }
  });
});

describe('transition effects', () => {
  it.each([
    ['pending', 'assign', ['start_sla_clock', 'create_owner_task']],
    ['pending', 'first_touch', ['record_first_touch', 'stop_sla_clock']],
    ['pending', 'accept', ['record_first_touch', 'stop_sla_clock', 'write_accepted_stage']],
    [
      'pending',
      'reject',
      ['record_first_touch', 'stop_sla_clock', 'store_reason', 'write_rejected_stage'],
    ],
    ['pending', 'breach', ['escalate']],
    ['breached', 'assign', ['create_owner_task']],
    ['breached', 'reject', ['record_first_touch', 'store_reason', 'write_rejected_stage']],
    // A touch that arrives after the decision still counts if it happened earlier (delivery order must not
    // decide which touch was first); recording it only ever moves the first touch earlier.
    ['accepted', 'first_touch', ['record_first_touch']],
    ['recycled', 'first_touch', ['record_first_touch']],
    ['rejected', 'requalify', ['open_new_episode']],
    ['recycled', 'requalify', ['open_new_episode']],
  ] as const)('%s + %s does %j', (status, event, effects) => {
    expect(transitionHandoff(status, event).effects).toEqual(effects);
  });

  it('explains a refusal in words', () => {
    expect(() => transitionHandoff('rejected', 'accept')).toThrow(
      'cannot accept a rejected handoff (already decided)',
    );
  });

  it.each([
    ['pending', true],
    ['breached', true],
    ['accepted', false],
    ['rejected', false],
    ['converted', false],
    ['recycled', false],
  ] as const)('%s is open: %s', (status, open) => {
    expect(isOpenHandoff(status)).toBe(open);
  });
});
