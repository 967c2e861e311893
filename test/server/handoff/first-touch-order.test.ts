import { isEarlierTouch } from '../../../server/handoff/handoff-events';

describe('isEarlierTouch (webhooks arrive out of order)', () => {
  const T = 1_785_000_000_000;
  it.each([
    ['no touch recorded yet', null, null, T, 'hs_lead_status', true],
    [
      'an earlier touch processed after a later one',
      T,
      'notes_last_contacted',
      T - 60_000,
      'hs_lead_status',
      true,
    ],
    ['a later touch', T, 'notes_last_contacted', T + 60_000, 'hs_lead_status', false],
    ['same instant, smaller property name', T, 'notes_last_contacted', T, 'hs_lead_status', true],
    ['same instant, larger property name', T, 'hs_lead_status', T, 'notes_last_contacted', false],
    ['the same touch again', T, 'hs_lead_status', T, 'hs_lead_status', false],
  ] as const)('%s', (_label, recordedAt, recordedSource, at, source, expected) => {
    expect(
      isEarlierTouch(
        { first_touch_at: recordedAt, first_touch_source: recordedSource },
        at,
        source,
      ),
    ).toBe(expected);
  });
});
