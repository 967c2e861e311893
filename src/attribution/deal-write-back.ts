import type { DealContact, DealTouchCredit } from './deal-journeys';

/**
 * What Truce writes back to a won deal when write-back is on: the primary campaign (the campaign with the
 * largest credit under the chosen model) and the channels of the deal's first and last touch over all its
 * contacts' journeys. Pure: the caller decides whether the values changed and queues the write.
 */

export interface DealWriteBackValues {
  readonly truce_primary_campaign: string;
  readonly truce_first_touch_channel: string;
  readonly truce_last_touch_channel: string;
}

export function dealWriteBackValues(
  byModel: ReadonlyMap<string, readonly DealTouchCredit[]>,
  contacts: readonly DealContact[],
  closedAt: number,
  model: string,
): DealWriteBackValues | undefined {
  const credits = byModel.get(model) ?? byModel.values().next().value;
  if (!credits) return undefined;
  const byCampaign = new Map<string, number>();
  for (const credit of credits) {
    if (credit.campaign === null) continue;
    byCampaign.set(credit.campaign, (byCampaign.get(credit.campaign) ?? 0) + credit.cents);
  }
  let primary = '';
  let best = 0;
  // Ties go to the campaign that sorts first, so the same credits always name the same campaign.
  for (const [campaign, cents] of [...byCampaign].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (cents > best) {
      primary = campaign;
      best = cents;
    }
  }
  const touches = contacts
    .flatMap((contact) => contact.touches)
    .filter((touch) => touch.at <= closedAt)
    .sort((a, b) => a.at - b.at || compareIds(a.id, b.id));
  if (touches.length === 0) return undefined;
  return {
    truce_primary_campaign: primary,
    truce_first_touch_channel: touches[0]!.channel,
    truce_last_touch_channel: touches.at(-1)!.channel,
  };
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
