import type { Touch } from './journey';
import { creditJourney, type JourneyModel, type JourneyModelOptions } from './journey-credit';
import { orderTouches } from './milestones';
import { splitCents } from './money-split';

/**
 * Attribution of one won deal over the journeys of all its contacts: the deal amount is first split over
 * the contacts that have a touch before close (equal weights unless given), then each contact's share over
 * that contact's touches by every model. Every model's credits add up to the amount, to the cent.
 */

export interface DealTouch {
  readonly id: string;
  readonly at: number;
  readonly channel: string;
  readonly campaign: string | null;
  readonly kind: string;
}

export interface DealContact {
  readonly contactId: string;
  readonly createdAt?: number | undefined;
  readonly touches: readonly DealTouch[];
  /** Relative weight of this contact's journey (default 1). */
  readonly weight?: number | undefined;
}

export interface DealJourneysInput {
  readonly dealId: string;
  readonly amountCents: number;
  readonly closedAt: number;
  readonly dealCreatedAt?: number | undefined;
  readonly contacts: readonly DealContact[];
}

export interface DealTouchCredit {
  readonly touchId: string;
  readonly contactId: string;
  readonly channel: string;
  readonly campaign: string | null;
  readonly cents: number;
}

/** Credits per model; empty when no contact has a touch before close (nothing to credit). */
export function attributeDealJourneys(
  input: DealJourneysInput,
  models: readonly JourneyModel[],
  options: JourneyModelOptions,
): Map<JourneyModel, DealTouchCredit[]> {
  const result = new Map<JourneyModel, DealTouchCredit[]>();
  const journeys = input.contacts
    .filter((contact) => contact.touches.some((touch) => touch.at <= input.closedAt))
    .sort((a, b) => compareIds(a.contactId, b.contactId));
  if (journeys.length === 0) return result;
  const shares = splitCents(
    input.amountCents,
    journeys.map((contact) => BigInt(Math.round((contact.weight ?? 1) * 1_000_000))),
  );
  const byId = new Map<string, { touch: DealTouch; contactId: string }>();
  for (const contact of journeys) {
    for (const touch of contact.touches)
      byId.set(touch.id, { touch, contactId: contact.contactId });
  }
  // Mapped and ordered once: every model reads the same journeys, and re-sorting sorted input is linear.
  const journeyTouches: Touch[][] = journeys.map((contact) =>
    orderTouches({
      id: contact.contactId,
      converted: true,
      valueCents: 0,
      closedAt: input.closedAt,
      touches: contact.touches.map((touch) => ({
        id: touch.id,
        at: touch.at,
        channel: touch.channel,
        kind: touch.kind,
        ...(touch.campaign === null ? {} : { campaign: touch.campaign }),
      })),
    }),
  );
  for (const model of models) {
    const credits: DealTouchCredit[] = [];
    journeys.forEach((contact, index) => {
      const touches = journeyTouches[index]!;
      const split = creditJourney(
        model,
        {
          id: `${input.dealId}:${contact.contactId}`,
          converted: true,
          valueCents: shares[index] as number,
          touches,
          closedAt: input.closedAt,
          ...(contact.createdAt !== undefined ? { contactCreatedAt: contact.createdAt } : {}),
          ...(input.dealCreatedAt !== undefined ? { dealCreatedAt: input.dealCreatedAt } : {}),
        },
        options,
      );
      for (const credit of split) {
        credits.push({
          touchId: credit.touch.id!,
          contactId: contact.contactId,
          channel: credit.touch.channel,
          campaign: credit.touch.campaign ?? null,
          cents: credit.cents,
        });
      }
    });
    result.set(model, credits);
  }
  return result;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
