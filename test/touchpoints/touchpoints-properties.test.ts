import fc from 'fast-check';

import { classifyChannel, DEFAULT_CHANNEL_RULES } from '../../src/touchpoints/channel-classifier';
import {
  type PropertyHistoryEntry,
  touchesFromContactHistory,
} from '../../src/touchpoints/touches-from-history';

const SOURCES = [
  'ORGANIC_SEARCH',
  'PAID_SEARCH',
  'EMAIL_MARKETING',
  'PAID_SOCIAL',
  'OFFLINE',
  'REFERRALS',
];
const BASE = Date.UTC(2026, 6, 1);

const entryArb = (values: fc.Arbitrary<string | null>) =>
  fc.record({
    value: values,
    timestamp: fc
      .integer({ min: 0, max: 90 * 24 * 60 })
      .map((minutes) => new Date(BASE + minutes * 60_000).toISOString()),
  });

const contactArb = fc.record({
  hs_latest_source: fc.array(entryArb(fc.constantFrom(...SOURCES, '')), { maxLength: 8 }),
  hs_latest_source_data_1: fc.array(entryArb(fc.constantFrom('google', 'LinkedIn', null)), {
    maxLength: 4,
  }),
  recent_conversion_date: fc.array(
    entryArb(
      fc
        .integer({ min: 0, max: 90 * 24 * 60 })
        .map((minutes) => new Date(BASE + minutes * 60_000).toISOString()),
    ),
    { maxLength: 5 },
  ),
  recent_conversion_event_name: fc.array(entryArb(fc.constantFrom('Demo', 'Ebook', 'Webinar')), {
    maxLength: 3,
  }),
  hs_analytics_last_touch_converting_campaign: fc.array(entryArb(fc.constantFrom('a', 'b')), {
    maxLength: 3,
  }),
  hs_analytics_source: fc.array(entryArb(fc.constantFrom(...SOURCES)), { maxLength: 2 }),
});

describe('touch capture properties', () => {
  it('re-reading a history in any order, with repeats, gives the same touches and keys', () => {
    fc.assert(
      fc.property(contactArb, fc.integer(), (history, seed) => {
        const first = touchesFromContactHistory(
          { id: '7', propertiesWithHistory: history },
          { rules: DEFAULT_CHANNEL_RULES },
        ).touches;
        const shuffled: Record<string, PropertyHistoryEntry[]> = {};
        let state = seed;
        for (const [name, entries] of Object.entries(history)) {
          const copy = [...entries, ...entries.filter((_, i) => i % 2 === 0)];
          for (let i = copy.length - 1; i > 0; i -= 1) {
            state = (state * 1_103_515_245 + 12_345) | 0;
            const j = Math.abs(state) % (i + 1);
            [copy[i], copy[j]] = [copy[j]!, copy[i]!];
          }
          shuffled[name] = copy;
        }
        const again = touchesFromContactHistory(
          { id: '7', propertiesWithHistory: shuffled },
          { rules: DEFAULT_CHANNEL_RULES },
        ).touches;
        expect(again).toEqual(first);
        expect(new Set(first.map((t) => t.idempotencyKey)).size).toBe(first.length);
        for (let i = 1; i < first.length; i += 1) {
          expect(first[i]!.at).toBeGreaterThanOrEqual(first[i - 1]!.at);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('classifies any input without throwing, always naming a rule', () => {
    fc.assert(
      fc.property(
        fc.record({
          hubspotSource: fc.option(fc.string()),
          url: fc.option(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true }))),
          referrer: fc.option(fc.oneof(fc.string(), fc.domain())),
          utm: fc.option(
            fc.record({ source: fc.string(), medium: fc.string(), campaign: fc.string() }),
            { nil: undefined },
          ),
        }),
        (raw) => {
          const result = classifyChannel(raw, DEFAULT_CHANNEL_RULES);
          expect(result.channel.length).toBeGreaterThan(0);
          expect(result.matchedRule.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
