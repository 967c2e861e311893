import { handoffSettingsSchema } from '../../src/handoff/handoff-settings';
import {
  handoffSignals,
  isHandoffTrigger,
  type PropertyChange,
  requireReasonCode,
  UnknownReasonCodeError,
} from '../../src/handoff/handoff-signals';

const settings = handoffSettingsSchema.parse({});
const STARTED = Date.parse('2026-11-20T10:00:00Z');
const AT = Date.parse('2026-11-20T11:00:00Z');

const change = (
  property: string,
  value: string | null,
  previousValue?: string | null,
): PropertyChange => ({
  property,
  value,
  previousValue,
  occurredAt: AT,
});

describe('isHandoffTrigger', () => {
  it.each([
    ['lifecycle becomes MQL', true, change('lifecyclestage', 'marketingqualifiedlead', 'lead')],
    ['previous value unknown', true, change('lifecyclestage', 'marketingqualifiedlead')],
    ['case does not matter', true, change('lifecyclestage', 'MarketingQualifiedLead', 'lead')],
    [
      'already MQL (a redelivered or repeated change)',
      false,
      change('lifecyclestage', 'marketingqualifiedlead', 'marketingqualifiedlead'),
    ],
    [
      'another stage',
      false,
      change('lifecyclestage', 'salesqualifiedlead', 'marketingqualifiedlead'),
    ],
    ['another property', false, change('hs_lead_status', 'marketingqualifiedlead')],
  ])('%s → %s', (_label, expected, input) => {
    expect(isHandoffTrigger(input, settings.trigger)).toBe(expected);
  });

  it('follows a configured trigger', () => {
    const trigger = { property: 'truce_stage', value: 'ready' };
    expect(isHandoffTrigger(change('truce_stage', 'ready', 'new'), trigger)).toBe(true);
    expect(isHandoffTrigger(change('lifecyclestage', 'marketingqualifiedlead'), trigger)).toBe(
      false,
    );
  });
});

describe('handoffSignals', () => {
  const signals = (input: PropertyChange, reasonPropertyValue?: string | null) =>
    handoffSignals(input, { settings, episodeStartedAt: STARTED, reasonPropertyValue }).map((s) =>
      [s.event, s.at === AT ? 'AT' : new Date(s.at).toISOString(), s.reasonCode].filter(
        (x) => x !== undefined,
      ),
    );

  it.each([
    [
      'lead status leaves NEW',
      change('hs_lead_status', 'ATTEMPTED_TO_CONTACT', 'NEW'),
      [['first_touch', 'AT']],
    ],
    ['lead status set to NEW', change('hs_lead_status', 'NEW', null), []],
    ['lead status unchanged (redelivery)', change('hs_lead_status', 'OPEN', 'OPEN'), []],
    ['lead status cleared', change('hs_lead_status', '', 'OPEN'), []],
    [
      'UNQUALIFIED is a touch and a reject without a reason',
      change('hs_lead_status', 'UNQUALIFIED', 'NEW'),
      [
        ['first_touch', 'AT'],
        ['reject', 'AT', null],
      ],
    ],
    [
      'last contacted uses its own time',
      change('notes_last_contacted', '2026-11-20T10:30:00Z'),
      [['first_touch', '2026-11-20T10:30:00.000Z']],
    ],
    [
      'a sales activity in epoch ms',
      change('hs_last_sales_activity_timestamp', String(AT - 60_000)),
      [['first_touch', '2026-11-20T10:59:00.000Z']],
    ],
    [
      'activity stamped before the episode counts from its start',
      change('notes_last_contacted', '2026-11-19T10:00:00Z'),
      [['first_touch', '2026-11-20T10:00:00.000Z']],
    ],
    [
      'the reason property rejects with a known code',
      change('truce_reject_reason', 'Competitor'),
      [['reject', 'AT', 'competitor']],
    ],
    [
      'an unknown reason still rejects, without a code',
      change('truce_reject_reason', 'too expensive'),
      [['reject', 'AT', null]],
    ],
    [
      'lifecycle moved to SQL in HubSpot accepts',
      change('lifecyclestage', 'salesqualifiedlead', 'marketingqualifiedlead'),
      [['accept', 'AT']],
    ],
    [
      'lifecycle moved to opportunity converts',
      change('lifecyclestage', 'opportunity'),
      [['convert', 'AT']],
    ],
    [
      'lifecycle moved back to lead recycles',
      change('lifecyclestage', 'lead', 'marketingqualifiedlead'),
      [['recycle', 'AT']],
    ],
    [
      'the trigger value itself is no signal',
      change('lifecyclestage', 'marketingqualifiedlead'),
      [],
    ],
    ['an unrelated property', change('jobtitle', 'CEO'), []],
  ])('%s', (_label, input, expected) => {
    expect(signals(input)).toEqual(expected);
  });

  it('takes the reject reason from the reason property when lead status says UNQUALIFIED', () => {
    expect(signals(change('hs_lead_status', 'UNQUALIFIED', 'OPEN'), 'duplicate')).toEqual([
      ['first_touch', 'AT'],
      ['reject', 'AT', 'duplicate'],
    ]);
  });

  it('ignores changes from before the episode started', () => {
    const old = { ...change('hs_lead_status', 'OPEN', 'NEW'), occurredAt: STARTED - 1 };
    expect(handoffSignals(old, { settings, episodeStartedAt: STARTED })).toEqual([]);
  });
});

describe('requireReasonCode', () => {
  it('returns the configured reason, case-insensitively', () => {
    expect(requireReasonCode('BAD_FIT', settings.decisions)).toEqual({
      code: 'bad_fit',
      label: 'Bad fit',
    });
  });

  it('refuses a code that is not in the list, naming the valid ones', () => {
    expect(() => requireReasonCode('too_expensive', settings.decisions)).toThrow(
      UnknownReasonCodeError,
    );
    expect(() => requireReasonCode('too_expensive', settings.decisions)).toThrow(
      'unknown reason code "too_expensive"; use one of: bad_fit, no_intent, duplicate, unreachable, competitor, student_or_job_seeker',
    );
  });
});
