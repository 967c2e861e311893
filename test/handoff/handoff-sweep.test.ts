import { handoffSettingsSchema } from '../../src/handoff/handoff-settings';
import { escalationFor, type SweepEpisode, sweepHandoff } from '../../src/handoff/handoff-sweep';

const H = 3_600_000;
const DUE = Date.parse('2026-11-23T11:00:00Z');
const episode: SweepEpisode = { status: 'pending', ownerId: '1', dueAt: DUE, reminderAt: DUE - H };

const settings = (escalation: object = {}) =>
  handoffSettingsSchema.parse({
    routing: { owners: [{ id: '1', managerId: '9' }, { id: '2' }] },
    sla: { escalation },
  });

describe('sweepHandoff', () => {
  it.each([
    ['before the reminder: nothing', episode, DUE - 2 * H, []],
    [
      'at the reminder time: remind',
      episode,
      DUE - H,
      [{ kind: 'remind', ownerId: '1', dueAt: DUE }],
    ],
    ['reminder already sent: nothing', { ...episode, reminderSentAt: DUE - H }, DUE - H / 2, []],
    ['exactly at the due time: still in time', { ...episode, reminderSentAt: DUE - H }, DUE, []],
    [
      'past due: breach and escalate to the manager',
      { ...episode, reminderSentAt: DUE - H },
      DUE + 60_000,
      [{ kind: 'breach', overdueMs: 60_000, escalation: { kind: 'manager_task', managerId: '9' } }],
    ],
    [
      'past due with the reminder missed: breach only',
      episode,
      DUE + H,
      [{ kind: 'breach', overdueMs: H, escalation: { kind: 'manager_task', managerId: '9' } }],
    ],
    ['touched in time: nothing', { ...episode, firstTouchAt: DUE - 3 * H }, DUE + H, []],
    ['already breached: nothing more', { ...episode, status: 'breached' as const }, DUE + H, []],
    ['decided: nothing', { ...episode, status: 'accepted' as const }, DUE + H, []],
  ])('%s', (_label, input, now, expected) => {
    expect(sweepHandoff(input, settings(), now)).toEqual(expected);
  });
});

describe('escalationFor', () => {
  it.each([
    ['manager task to the owner’s manager', {}, '1', { kind: 'manager_task', managerId: '9' }],
    [
      'manager task to the fallback manager',
      { managerId: '7' },
      '2',
      { kind: 'manager_task', managerId: '7' },
    ],
    [
      'no manager anywhere',
      {},
      '2',
      { kind: 'none', reason: 'owner 2 has no managerId and sla.escalation.managerId is unset' },
    ],
    [
      'reassign away from the owner',
      { action: 'reassign' },
      '1',
      { kind: 'reassign', excludeOwnerIds: ['1'] },
    ],
    [
      'escalation off',
      { action: 'none' },
      '1',
      { kind: 'none', reason: 'escalation is off (sla.escalation.action: none)' },
    ],
  ])('%s', (_label, escalation, ownerId, expected) => {
    expect(escalationFor(ownerId, settings(escalation))).toEqual(expected);
  });
});
