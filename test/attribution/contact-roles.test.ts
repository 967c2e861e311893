import fc from 'fast-check';

import { contactRoleWeight, usesContactRoles } from '../../src/attribution/contact-roles';
import { attributeDealJourneys } from '../../src/attribution/deal-journeys';
import type { JourneyModelOptions } from '../../src/attribution/journey-credit';
import { JOURNEY_MODELS } from '../../src/attribution/models';

const OPTIONS: JourneyModelOptions = {
  halfLifeMs: 7 * 86_400_000,
  custom: {
    positions: {
      firstTouch: 0.3,
      leadCreation: 0.3,
      opportunityCreation: 0.3,
      closedWon: 0,
      other: 0.1,
    },
    kinds: {},
  },
};
const ROLES = {
  weights: { 'Decision maker': 3, Champion: 2, ' influencer ': 0.5 },
  defaultWeight: 1,
};

describe('contactRoleWeight', () => {
  it.each<[string, string[] | null, number]>([
    ['labels not read yet: the default', null, 1],
    ['no label: the default', [], 1],
    ['a configured label', ['Champion'], 2],
    ['case and spaces do not matter', ['  DECISION MAKER'], 3],
    ['a configured key with spaces matches the plain label', ['Influencer'], 0.5],
    ['several labels: the highest weight', ['Influencer', 'Decision maker', 'Champion'], 3],
    ['an unknown label: the default', ['Budget holder'], 1],
    ['an unknown label beside a known one: the known one', ['Budget holder', 'Influencer'], 0.5],
  ])('%s', (_label, labels, expected) => {
    expect(contactRoleWeight(labels, ROLES)).toBe(expected);
  });

  it('takes the configured default for unlabelled contacts', () => {
    expect(contactRoleWeight([], { weights: { Champion: 2 }, defaultWeight: 0.25 })).toBe(0.25);
  });

  it('counts as configured only with at least one weight', () => {
    expect(usesContactRoles({ weights: {}, defaultWeight: 1 })).toBe(false);
    expect(usesContactRoles(ROLES)).toBe(true);
  });
});

describe('role-weighted deal attribution', () => {
  const closedAt = Date.UTC(2026, 7, 1);
  const contact = (id: string, weight: number) => ({
    contactId: id,
    weight,
    touches: [
      { id: `t${id}`, at: closedAt - 1000, channel: 'email', campaign: `c${id}`, kind: 'form' },
    ],
  });

  it('splits 100,000 cents 3 : 2 : 0.5 by largest remainder (54,545 / 36,364 / 9,091)', () => {
    // 100,000 × 3/5.5 = 54,545.45; × 2/5.5 = 36,363.64; × 0.5/5.5 = 9,090.91 → floors 99,998, the two
    // cents to the largest remainders (.91 and .64).
    const credits = attributeDealJourneys(
      {
        dealId: 'd',
        amountCents: 100_000,
        closedAt,
        contacts: [contact('1', 3), contact('2', 2), contact('3', 0.5)],
      },
      ['linear'],
      OPTIONS,
    ).get('linear')!;
    expect(credits.map((credit) => [credit.contactId, credit.cents])).toEqual([
      ['1', 54_545],
      ['2', 36_364],
      ['3', 9_091],
    ]);
  });

  it('sums every model to the amount exactly, whatever the weights (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 1, maxLength: 6 }),
        (amountCents, weights) => {
          const result = attributeDealJourneys(
            {
              dealId: 'd',
              amountCents,
              closedAt,
              contacts: weights.map((weight, index) => contact(String(index + 1), weight)),
            },
            JOURNEY_MODELS,
            OPTIONS,
          );
          for (const credits of result.values()) {
            expect(credits.reduce((sum, credit) => sum + credit.cents, 0)).toBe(amountCents);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
