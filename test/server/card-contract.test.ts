import { CARD_ROUTES, cardPaths } from '../../extensions/app/cards/api/contract';
import {
  isContactHandoffView,
  isDealAttributionView,
} from '../../extensions/app/cards/api/contract-guards';
import {
  acceptHandoffRequestSchema,
  cardErrorBodySchema,
  contactHandoffViewSchema,
  dealAttributionQuerySchema,
  dealAttributionViewSchema,
  rejectHandoffRequestSchema,
} from '../../server/card/card-contract.schema';
import {
  acceptedView,
  breachedView,
  contactView,
  dealView,
  lostDealView,
  noHandoffView,
  noTouchDealView,
  openDealView,
  rejectedView,
} from '../helpers/card-fixtures';

describe('card contract: the service’s zod schemas accept what the card expects', () => {
  it.each([
    ['pending', contactView],
    ['breached', breachedView],
    ['accepted', acceptedView],
    ['rejected', rejectedView],
    ['no handoff', noHandoffView],
  ])('contact view (%s) parses, and the card’s guard accepts it', (_label, view) => {
    expect(contactHandoffViewSchema.parse(view)).toEqual(view);
    expect(isContactHandoffView(view)).toBe(true);
  });

  it.each([
    ['won', dealView],
    ['open', openDealView],
    ['lost', lostDealView],
    ['no touches', noTouchDealView],
  ])('deal view (%s) parses, and the card’s guard accepts it', (_label, view) => {
    expect(dealAttributionViewSchema.parse(view)).toEqual(view);
    expect(isDealAttributionView(view)).toBe(true);
  });

  it.each([
    [
      'an unknown handoff status',
      { ...contactView, handoff: { ...contactView.handoff!, status: 'maybe' } },
    ],
    ['a missing `now`', { ...contactView, now: undefined }],
    ['a string time', { ...contactView, now: '2026-11-26' }],
  ])('a contact view with %s fails both the schema and the card’s guard', (_label, body) => {
    expect(contactHandoffViewSchema.safeParse(body).success).toBe(false);
    expect(isContactHandoffView(body)).toBe(false);
  });

  it('refuses fractional cents and shares above 1 in a deal view', () => {
    const credit = dealView.credits[0]!;
    expect(
      dealAttributionViewSchema.safeParse({
        ...dealView,
        credits: [{ ...credit, creditCents: 1.5 }],
      }).success,
    ).toBe(false);
    expect(
      dealAttributionViewSchema.safeParse({ ...dealView, credits: [{ ...credit, share: 1.2 }] })
        .success,
    ).toBe(false);
  });

  it('bounds the journey so the answer stays far under HubSpot’s 1 MB', () => {
    const step = dealView.journey[0]!;
    const long = Array.from({ length: 201 }, (_, index) => ({
      ...step,
      touchpointId: `t-${index}`,
    }));
    expect(dealAttributionViewSchema.safeParse({ ...dealView, journey: long }).success).toBe(false);
    const bounded = { ...dealView, journey: long.slice(0, 200), journeyOmitted: 1 };
    expect(dealAttributionViewSchema.safeParse(bounded).success).toBe(true);
    expect(JSON.stringify(bounded).length).toBeLessThan(100_000);
  });

  it('parses the request bodies the card sends and refuses malformed ones', () => {
    expect(acceptHandoffRequestSchema.parse({ handoffId: 'h-41' })).toEqual({ handoffId: 'h-41' });
    expect(
      rejectHandoffRequestSchema.parse({ handoffId: 'h-41', reasonCode: 'no_budget', note: '' }),
    ).toEqual({ handoffId: 'h-41', reasonCode: 'no_budget', note: '' });
    expect(acceptHandoffRequestSchema.safeParse({}).success).toBe(false);
    expect(acceptHandoffRequestSchema.safeParse({ handoffId: 'h', portalId: 1 }).success).toBe(
      false,
    );
    expect(rejectHandoffRequestSchema.safeParse({ handoffId: 'h', note: 'x' }).success).toBe(false);
    expect(
      rejectHandoffRequestSchema.safeParse({
        handoffId: 'h',
        reasonCode: 'r',
        note: 'x'.repeat(1001),
      }).success,
    ).toBe(false);
  });

  it('parses the error body and the model query', () => {
    const body = { error: { code: 'not_found', message: 'no such contact' } };
    expect(cardErrorBodySchema.parse(body)).toEqual(body);
    expect(cardErrorBodySchema.safeParse({ message: 'no' }).success).toBe(false);
    expect(dealAttributionQuerySchema.parse({})).toEqual({});
    expect(dealAttributionQuerySchema.parse({ model: 'markov' })).toEqual({ model: 'markov' });
  });

  it('the card’s paths match the service’s route patterns', () => {
    const matches = (pattern: string, concrete: string) =>
      new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, '[^/?]+')}(\\?.*)?$`).test(concrete);
    expect(matches(CARD_ROUTES.contactHandoff, cardPaths.contactHandoff(5101))).toBe(true);
    expect(matches(CARD_ROUTES.acceptHandoff, cardPaths.acceptHandoff('5101'))).toBe(true);
    expect(matches(CARD_ROUTES.rejectHandoff, cardPaths.rejectHandoff(5101))).toBe(true);
    expect(matches(CARD_ROUTES.dealAttribution, cardPaths.dealAttribution(880, 'w_shaped'))).toBe(
      true,
    );
    expect(cardPaths.dealAttribution(880, 'u shaped')).toBe(
      '/api/card/deals/880/attribution?model=u%20shaped',
    );
    expect(cardPaths.dealAttribution(880, null)).toBe('/api/card/deals/880/attribution');
  });
});
