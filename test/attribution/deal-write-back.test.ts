import type { DealTouchCredit } from '../../src/attribution/deal-journeys';
import { dealWriteBackValues } from '../../src/attribution/deal-write-back';

const closedAt = Date.UTC(2026, 7, 1);
const credit = (touchId: string, campaign: string | null, cents: number): DealTouchCredit => ({
  touchId,
  contactId: '1',
  channel: 'x',
  campaign,
  cents,
});
const contacts = [
  {
    contactId: '1',
    touches: [
      { id: '11', at: closedAt - 5_000, channel: 'paid_search', campaign: 'A', kind: 'ad_click' },
      { id: '12', at: closedAt - 1_000, channel: 'email', campaign: 'B', kind: 'email_click' },
      // After the close: not part of the journey.
      { id: '13', at: closedAt + 1_000, channel: 'direct', campaign: null, kind: 'page_view' },
    ],
  },
  {
    contactId: '2',
    touches: [
      { id: '21', at: closedAt - 9_000, channel: 'referral', campaign: null, kind: 'page_view' },
    ],
  },
];

describe('dealWriteBackValues', () => {
  it('names the largest campaign under the model and the first and last touch channels of all contacts', () => {
    const byModel = new Map([
      ['linear', [credit('11', 'A', 300), credit('12', 'B', 500), credit('21', null, 900)]],
      ['first', [credit('21', null, 1_700)]],
    ]);
    expect(dealWriteBackValues(byModel, contacts, closedAt, 'linear')).toEqual({
      truce_primary_campaign: 'B',
      truce_first_touch_channel: 'referral',
      truce_last_touch_channel: 'email',
    });
  });

  it('breaks a tie by campaign name and writes an empty campaign when no campaign has credit', () => {
    const tie = new Map([['linear', [credit('12', 'B', 500), credit('11', 'A', 500)]]]);
    expect(dealWriteBackValues(tie, contacts, closedAt, 'linear')?.truce_primary_campaign).toBe(
      'A',
    );
    const none = new Map([['first', [credit('21', null, 1_700)]]]);
    expect(dealWriteBackValues(none, contacts, closedAt, 'first')?.truce_primary_campaign).toBe('');
  });

  it('uses the first computed model when the configured one is not computed, and nothing without credits', () => {
    const byModel = new Map([['first', [credit('11', 'A', 100)]]]);
    expect(
      dealWriteBackValues(byModel, contacts, closedAt, 'w_shaped')?.truce_primary_campaign,
    ).toBe('A');
    expect(dealWriteBackValues(new Map(), contacts, closedAt, 'linear')).toBeUndefined();
  });
});
