import { DEFAULT_CHANNEL_RULES } from '../../src/touchpoints/channel-classifier';
import {
  type ContactWithHistory,
  conversionKey,
  originalSourceKey,
  type PropertyHistoryEntry,
  sessionKey,
  touchesFromContactHistory,
} from '../../src/touchpoints/touches-from-history';

const ms = (iso: string) => Date.parse(iso);
const h = (value: string | null, timestamp: string): PropertyHistoryEntry => ({
  value,
  timestamp,
  sourceType: 'ANALYTICS',
  sourceId: null,
});

/** A contact's journey as HubSpot records it: first visit, a correction, three sessions, three conversions. */
function scriptedContact(): ContactWithHistory {
  return {
    id: '501',
    properties: { hs_analytics_first_timestamp: '2026-07-01T09:50:00.000Z' },
    propertiesWithHistory: {
      // Created as OFFLINE, then corrected once the tracking cookie was tied to the contact.
      hs_analytics_source: [
        h('ORGANIC_SEARCH', '2026-07-01T10:06:00.000Z'),
        h('OFFLINE', '2026-07-01T10:05:00.100Z'),
      ],
      hs_analytics_source_data_1: [h('google', '2026-07-01T10:06:00.000Z')],
      hs_analytics_first_url: [
        h('https://truce.example/pricing?utm_campaign=brand', '2026-07-01T10:05:00.100Z'),
      ],
      hs_latest_source: [
        h('ORGANIC_SEARCH', '2026-07-01T10:00:00.000Z'),
        h('PAID_SOCIAL', '2026-07-10T12:00:00.000Z'),
        h('EMAIL_MARKETING', '2026-07-20T08:00:00.000Z'),
      ],
      hs_latest_source_data_1: [
        h('google', '2026-07-01T10:00:00.500Z'),
        h('LinkedIn', '2026-07-10T12:00:01.000Z'),
        h('q3-newsletter', '2026-07-20T08:00:02.000Z'),
      ],
      recent_conversion_date: [
        h('2026-07-01T10:05:00.000Z', '2026-07-01T10:05:00.200Z'),
        h(String(ms('2026-07-20T08:03:00.000Z')), '2026-07-20T08:03:00.100Z'),
        // A repeat submission of the same form: only the date changes.
        h('2026-07-25T16:30:00.000Z', '2026-07-25T16:30:00.400Z'),
      ],
      recent_conversion_event_name: [
        h('Pricing demo request', '2026-07-01T10:05:00.300Z'),
        h('Q3 webinar signup', '2026-07-20T08:03:00.300Z'),
      ],
      hs_analytics_first_touch_converting_campaign: [h('brand-q3', '2026-07-01T10:05:01.000Z')],
      hs_analytics_last_touch_converting_campaign: [
        h('brand-q3', '2026-07-01T10:05:01.000Z'),
        h('q3-webinar', '2026-07-20T08:03:01.000Z'),
      ],
    },
  };
}

const options = { rules: DEFAULT_CHANNEL_RULES };

describe('touchesFromContactHistory', () => {
  it('turns the scripted history into the expected touches, in time order', () => {
    const { touches, skipped } = touchesFromContactHistory(scriptedContact(), options);
    expect(skipped).toEqual([]);
    expect(
      touches.map((t) => [
        new Date(t.at).toISOString(),
        t.kind,
        t.channel,
        t.campaign,
        t.matchedRule,
      ]),
    ).toEqual([
      [
        '2026-07-01T09:50:00.000Z',
        'page_view_session',
        'organic_search',
        'brand',
        'hubspot-organic-search',
      ],
      [
        '2026-07-01T10:05:00.000Z',
        'form_submission',
        'organic_search',
        'brand-q3',
        'hubspot-organic-search',
      ],
      ['2026-07-10T12:00:00.000Z', 'page_view_session', 'paid_social', null, 'hubspot-paid-social'],
      ['2026-07-20T08:00:00.000Z', 'page_view_session', 'email', null, 'hubspot-email'],
      ['2026-07-20T08:03:00.000Z', 'form_submission', 'email', 'q3-webinar', 'hubspot-email'],
      ['2026-07-25T16:30:00.000Z', 'form_submission', 'email', 'q3-webinar', 'hubspot-email'],
    ]);
    expect(touches.every((t) => t.contactId === '501')).toBe(true);
  });

  it('stores the raw fields each touch was made from', () => {
    const { touches } = touchesFromContactHistory(scriptedContact(), options);
    expect(touches[0]!.rawSource).toEqual({
      hs_analytics_source: 'ORGANIC_SEARCH',
      hs_analytics_source_data_1: 'google',
      hs_analytics_first_url: 'https://truce.example/pricing?utm_campaign=brand',
    });
    expect(touches[2]!.rawSource).toEqual({
      hs_latest_source: 'PAID_SOCIAL',
      hs_latest_source_data_1: 'LinkedIn',
    });
    expect(touches[5]!.rawSource).toEqual({
      recent_conversion_date: String(ms('2026-07-25T16:30:00.000Z')),
      recent_conversion_event_name: 'Q3 webinar signup',
      hs_analytics_last_touch_converting_campaign: 'q3-webinar',
      hs_latest_source: 'EMAIL_MARKETING',
    });
  });

  it('gives deterministic keys: one original source per contact, sessions and conversions by time', () => {
    const { touches } = touchesFromContactHistory(scriptedContact(), options);
    expect(touches[0]!.idempotencyKey).toBe(originalSourceKey('501'));
    expect(touches[1]!.idempotencyKey).toBe(conversionKey('501', ms('2026-07-01T10:05:00.000Z')));
    expect(touches[2]!.idempotencyKey).toBe(sessionKey('501', ms('2026-07-10T12:00:00.000Z')));
    expect(new Set(touches.map((t) => t.idempotencyKey)).size).toBe(touches.length);
    expect(touches[2]!.idempotencyKey).toMatch(/^session:[0-9a-f]{32}$/);
    expect(originalSourceKey('502')).not.toBe(originalSourceKey('501'));
  });

  it('keeps the original-source key when HubSpot corrects the first visit', () => {
    const corrected = scriptedContact();
    (corrected.properties as Record<string, string>).hs_analytics_first_timestamp =
      '2026-06-28T08:00:00.000Z';
    const before = touchesFromContactHistory(scriptedContact(), options).touches[0]!;
    const after = touchesFromContactHistory(corrected, options).touches[0]!;
    expect(after.idempotencyKey).toBe(before.idempotencyKey);
    expect(after.at).toBe(ms('2026-06-28T08:00:00.000Z'));
  });

  it('yields the same touches when the same history is read again, reordered and with duplicates', () => {
    const first = touchesFromContactHistory(scriptedContact(), options).touches;
    const again = scriptedContact();
    const shuffled: Record<string, PropertyHistoryEntry[]> = {};
    for (const [name, entries] of Object.entries(again.propertiesWithHistory!)) {
      shuffled[name] = [...entries!].reverse().concat(entries!);
    }
    const second = touchesFromContactHistory(
      { ...again, propertiesWithHistory: shuffled },
      options,
    ).touches;
    expect(second).toEqual(first);
  });

  it('keeps earlier keys when a new session is added later (incremental capture)', () => {
    const before = touchesFromContactHistory(scriptedContact(), options).touches;
    const later = scriptedContact();
    const withHistory = later.propertiesWithHistory as Record<string, PropertyHistoryEntry[]>;
    withHistory.hs_latest_source = [
      ...withHistory.hs_latest_source!,
      h('PAID_SEARCH', '2026-08-02T09:00:00.000Z'),
    ];
    const after = touchesFromContactHistory(later, options).touches;
    const beforeKeys = before.map((t) => t.idempotencyKey);
    const added = after.filter((t) => !beforeKeys.includes(t.idempotencyKey));
    expect(after.map((t) => t.idempotencyKey).filter((k) => beforeKeys.includes(k))).toEqual(
      beforeKeys,
    );
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ channel: 'paid_search', at: ms('2026-08-02T09:00:00.000Z') });
  });

  it('counts the first session once when hs_latest_source repeats it', () => {
    const { touches } = touchesFromContactHistory(scriptedContact(), options);
    expect(
      touches.filter((t) => t.channel === 'organic_search' && t.kind === 'page_view_session'),
    ).toHaveLength(1);
  });

  it('counts a later session from the same source as a new touch', () => {
    const contact = scriptedContact();
    (
      contact.propertiesWithHistory as Record<string, PropertyHistoryEntry[]>
    ).hs_latest_source!.push(h('ORGANIC_SEARCH', '2026-07-03T10:00:00.000Z'));
    const { touches } = touchesFromContactHistory(contact, options);
    expect(
      touches.filter((t) => t.channel === 'organic_search' && t.kind === 'page_view_session'),
    ).toHaveLength(2);
  });

  it('reports unreadable timestamps instead of guessing', () => {
    const contact = scriptedContact();
    (
      contact.propertiesWithHistory as Record<string, PropertyHistoryEntry[]>
    ).hs_latest_source!.push(h('PAID_SEARCH', 'yesterday'));
    const { touches, skipped } = touchesFromContactHistory(contact, options);
    expect(skipped).toEqual([
      { property: 'hs_latest_source', timestamp: 'yesterday', reason: 'unreadable timestamp' },
    ]);
    expect(touches).toHaveLength(6);
  });

  it('ignores a cleared value and ends the campaign it cleared', () => {
    const contact = scriptedContact();
    const history = contact.propertiesWithHistory as Record<string, PropertyHistoryEntry[]>;
    history.hs_latest_source!.push(h('', '2026-07-22T00:00:00.000Z'));
    history.hs_analytics_last_touch_converting_campaign!.push(h(null, '2026-07-22T00:00:00.000Z'));
    const { touches } = touchesFromContactHistory(contact, options);
    expect(touches).toHaveLength(6);
    expect(touches[5]).toMatchObject({ campaign: null, channel: 'organic_search' });
  });

  it('reads a contact without history from its current properties', () => {
    const { touches } = touchesFromContactHistory(
      {
        id: '9',
        properties: {
          hs_analytics_source: 'REFERRALS',
          hs_analytics_source_data_1: 'partner.example.com',
          hs_analytics_first_timestamp: '1751362200000',
        },
      },
      options,
    );
    expect(touches).toEqual([
      {
        contactId: '9',
        at: 1751362200000,
        kind: 'page_view_session',
        channel: 'referral',
        campaign: null,
        rawSource: {
          hs_analytics_source: 'REFERRALS',
          hs_analytics_source_data_1: 'partner.example.com',
        },
        matchedRule: 'hubspot-referrals',
        idempotencyKey: originalSourceKey('9'),
      },
    ]);
  });

  it('makes an imported contact an offline touch', () => {
    const { touches } = touchesFromContactHistory(
      {
        id: '10',
        propertiesWithHistory: {
          hs_analytics_source: [h('OFFLINE', '2026-01-05T00:00:00Z')],
          hs_analytics_source_data_1: [h('IMPORT', '2026-01-05T00:00:00Z')],
        },
      },
      options,
    );
    expect(touches).toHaveLength(1);
    expect(touches[0]).toMatchObject({
      kind: 'offline',
      channel: 'offline',
      at: ms('2026-01-05T00:00:00Z'),
    });
  });

  it('returns nothing for a contact with no source data', () => {
    expect(touchesFromContactHistory({ id: '1' }, options)).toEqual({ touches: [], skipped: [] });
  });

  it('uses a conversion name change without a date entry as a conversion', () => {
    const { touches } = touchesFromContactHistory(
      {
        id: '11',
        propertiesWithHistory: {
          recent_conversion_event_name: [h('Contact us', '2026-02-01T12:00:00Z')],
        },
      },
      options,
    );
    expect(touches).toEqual([
      expect.objectContaining({
        kind: 'form_submission',
        at: ms('2026-02-01T12:00:00Z'),
        channel: 'unknown',
        matchedRule: 'fallback',
        idempotencyKey: conversionKey('11', ms('2026-02-01T12:00:00Z')),
      }),
    ]);
  });
});

describe('touchesFromContactHistory and the first conversion', () => {
  it('adds the first conversion when the history no longer reaches back to it', () => {
    const contact = scriptedContact();
    (contact.properties as Record<string, string>).first_conversion_date =
      '2026-06-20T15:00:00.000Z';
    (contact.properties as Record<string, string>).first_conversion_event_name = 'Ebook download';
    const { touches } = touchesFromContactHistory(contact, options);
    const conversions = touches.filter((t) => t.kind === 'form_submission');
    expect(conversions.map((t) => [new Date(t.at).toISOString(), t.campaign])).toEqual([
      ['2026-06-20T15:00:00.000Z', 'brand-q3'],
      // No longer the first: its campaign is the last-touch converting campaign in effect then.
      ['2026-07-01T10:05:00.000Z', 'brand-q3'],
      ['2026-07-20T08:03:00.000Z', 'q3-webinar'],
      ['2026-07-25T16:30:00.000Z', 'q3-webinar'],
    ]);
    expect(conversions[0]!.rawSource).toMatchObject({
      recent_conversion_event_name: 'Ebook download',
      hs_analytics_first_touch_converting_campaign: 'brand-q3',
    });
    expect(conversions[1]!.rawSource).toMatchObject({
      hs_analytics_last_touch_converting_campaign: 'brand-q3',
    });
  });

  it('gives the first-touch campaign to the conversion at first_conversion_date, not simply the earliest', () => {
    const contact = scriptedContact();
    const history = contact.propertiesWithHistory as Record<string, PropertyHistoryEntry[]>;
    history.hs_analytics_first_touch_converting_campaign = [
      h('webinar-first', '2026-07-20T08:03:01Z'),
    ];
    (contact.properties as Record<string, string>).first_conversion_date =
      '2026-07-20T08:03:00.000Z';
    const conversions = touchesFromContactHistory(contact, options).touches.filter(
      (t) => t.kind === 'form_submission',
    );
    expect(conversions.map((t) => t.campaign)).toEqual(['brand-q3', 'webinar-first', 'q3-webinar']);
  });

  it('does not add a conversion that the history already has', () => {
    const contact = scriptedContact();
    (contact.properties as Record<string, string>).first_conversion_date =
      '2026-07-01T10:05:00.000Z';
    expect(touchesFromContactHistory(contact, options).touches).toEqual(
      touchesFromContactHistory(scriptedContact(), options).touches,
    );
  });
});
