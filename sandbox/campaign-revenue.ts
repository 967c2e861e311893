import type { Portal } from './portal';

export const REVENUE_MODELS = [
  'LINEAR',
  'FIRST_INTERACTION',
  'LAST_INTERACTION',
  'FULL_PATH',
  'U_SHAPED',
  'W_SHAPED',
  'TIME_DECAY',
  'J_SHAPED',
  'INVERSE_J_SHAPED',
] as const;
export type RevenueModel = (typeof REVENUE_MODELS)[number];

export interface CampaignRevenue {
  readonly revenueAmount: number;
  readonly dealAmount: number;
  readonly dealsNumber: number;
  readonly contactsNumber: number;
  readonly currencyCode: string;
}

const SEVEN_DAYS = 7 * 86_400_000;

/**
 * Position weights over n interactions. HubSpot does not publish its exact rules; these follow the usual
 * definitions (the same ones PRODUCT.md gives), with the deal-creation milestone taken as the middle touch.
 */
function weights(model: RevenueModel, times: readonly number[], closeAt: number): number[] {
  const n = times.length;
  if (n === 1) return [1];
  const spread = (ends: number[], rest: number): number[] => {
    const middle = n - ends.filter((w) => w > 0).length;
    return times.map((_, i) => {
      const end = ends[i] ?? 0;
      return end > 0 ? end : middle > 0 ? rest / middle : 0;
    });
  };
  switch (model) {
    case 'LINEAR':
      return times.map(() => 1 / n);
    case 'FIRST_INTERACTION':
      return times.map((_, i) => (i === 0 ? 1 : 0));
    case 'LAST_INTERACTION':
      return times.map((_, i) => (i === n - 1 ? 1 : 0));
    case 'U_SHAPED':
      return n === 2 ? [0.5, 0.5] : spread([0.4, ...Array(n - 2).fill(0), 0.4], 0.2);
    case 'J_SHAPED':
      return n === 2 ? [0.25, 0.75] : spread([0.2, ...Array(n - 2).fill(0), 0.6], 0.2);
    case 'INVERSE_J_SHAPED':
      return n === 2 ? [0.75, 0.25] : spread([0.6, ...Array(n - 2).fill(0), 0.2], 0.2);
    case 'W_SHAPED': {
      if (n === 2) return [0.5, 0.5];
      const mid = Math.floor(n / 2);
      const ends = times.map((_, i) => (i === 0 || i === mid || i === n - 1 ? 0.3 : 0));
      return n === 3 ? [1 / 3, 1 / 3, 1 / 3] : spread(ends, 0.1);
    }
    case 'FULL_PATH': {
      if (n <= 4) return times.map(() => 1 / n);
      const mid = Math.floor(n / 2);
      const ends = times.map((_, i) =>
        i === 0 || i === 1 || i === mid || i === n - 1 ? 0.225 : 0,
      );
      return spread(ends, 0.1);
    }
    case 'TIME_DECAY': {
      const raw = times.map((t) => 2 ** (-(closeAt - t) / SEVEN_DAYS));
      const total = raw.reduce((a, b) => a + b, 0);
      return raw.map((w) => w / total);
    }
  }
}

/** HubSpot's own campaign revenue report, computed from the portal's won deals and campaign interactions. */
export function campaignRevenue(
  portal: Portal,
  campaignId: string,
  model: RevenueModel,
  from: number,
  to: number,
): CampaignRevenue {
  const campaign = portal.marketing.campaigns.get(campaignId);
  let revenue = 0;
  let dealAmount = 0;
  let deals = 0;
  const contacts = new Set<string>();
  for (const interaction of portal.marketing.interactions) {
    if (interaction.campaignId === campaignId) contacts.add(interaction.contactId);
  }
  for (const deal of portal.list('deals')) {
    if (deal.properties.hs_is_closed_won !== 'true') continue;
    const closeAt = Date.parse(deal.properties.closedate ?? '');
    if (Number.isNaN(closeAt) || closeAt < from || closeAt > to) continue;
    const contactIds = new Set(
      portal.associations('deals', deal.id, 'contacts').map((r) => r.toId),
    );
    const touches = portal.marketing.interactions
      .filter((i) => contactIds.has(i.contactId) && i.at <= closeAt)
      .sort((a, b) => a.at - b.at);
    if (!touches.some((t) => t.campaignId === campaignId)) continue;
    const amount = Number(deal.properties.amount ?? 0);
    const w = weights(
      model,
      touches.map((t) => t.at),
      closeAt,
    );
    const share = touches.reduce(
      (sum, t, i) => sum + (t.campaignId === campaignId ? (w[i] ?? 0) : 0),
      0,
    );
    revenue += amount * share;
    dealAmount += amount;
    deals++;
  }
  return {
    revenueAmount: Math.round(revenue * 100) / 100,
    dealAmount: Math.round(dealAmount * 100) / 100,
    dealsNumber: deals,
    contactsNumber: contacts.size,
    currencyCode: campaign?.currencyCode ?? 'USD',
  };
}
