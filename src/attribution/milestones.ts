import type { Journey, Milestones, Touch } from './journey';

/** The kind that marks a conversion (a form fill), used for lead creation when the contact date is unknown. */
export const CONVERSION_KIND = 'form_submission';

/**
 * The touches that count for a journey, in the order models read them. Touches after `closedAt` are
 * excluded: they cannot have caused the deal. Equal timestamps are ordered by channel, campaign, kind and
 * id, so the result never depends on the order the touches were listed in.
 */
export function orderTouches(journey: Journey): Touch[] {
  const closedAt = journey.closedAt;
  return journey.touches
    .filter((touch) => closedAt === undefined || touch.at <= closedAt)
    .sort(compareTouches);
}

function compareTouches(a: Touch, b: Touch): number {
  return (
    a.at - b.at ||
    compareText(a.channel, b.channel) ||
    compareText(a.campaign ?? '', b.campaign ?? '') ||
    compareText(a.kind ?? '', b.kind ?? '') ||
    compareText(a.id ?? '', b.id ?? '')
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Milestones of a journey over its ordered touches (non-empty):
 * - first touch (FT): the earliest touch;
 * - lead creation (LC): the last touch at or before `contactCreatedAt` (the first touch when the contact is
 *   older than every touch); without that date, the first `form_submission`, else the first touch;
 * - opportunity creation (OC): the last touch at or before `dealCreatedAt`, never before LC; without that
 *   date, the closed-won touch;
 * - closed won (CW): the last touch (touches after close were already excluded).
 * "At or before" means a touch with the same timestamp as the milestone counts; among equal timestamps the
 * last one in `orderTouches` order wins.
 */
export function deriveMilestones(touches: readonly Touch[], journey: Journey): Milestones {
  if (touches.length === 0) throw new RangeError('a journey needs at least one touch');
  const closedWon = touches.length - 1;
  const leadCreation =
    journey.contactCreatedAt !== undefined
      ? Math.max(0, lastAtOrBefore(touches, journey.contactCreatedAt))
      : Math.max(
          0,
          touches.findIndex((touch) => touch.kind === CONVERSION_KIND),
        );
  const opportunityCreation =
    journey.dealCreatedAt !== undefined
      ? Math.max(leadCreation, lastAtOrBefore(touches, journey.dealCreatedAt))
      : Math.max(leadCreation, closedWon);
  return { firstTouch: 0, leadCreation, opportunityCreation, closedWon };
}

/** Index of the last touch at or before `time`, or -1. */
function lastAtOrBefore(touches: readonly Touch[], time: number): number {
  let found = -1;
  for (let i = 0; i < touches.length; i += 1) {
    if ((touches[i] as Touch).at <= time) found = i;
    else break;
  }
  return found;
}
