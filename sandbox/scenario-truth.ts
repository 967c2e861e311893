import type { ScenarioCampaign, TruthCampaign, TruthContact } from './scenario-types';

/** Per campaign: who it touched and what it caused in expectation, from the generated contacts. */
export function campaignTruth(
  campaigns: readonly ScenarioCampaign[],
  contacts: readonly TruthContact[],
): TruthCampaign[] {
  const rows = campaigns.map((campaign) => {
    const touched = contacts.filter((c) => c.touches.some((t) => t.campaignId === campaign.id));
    const accepted = touched.filter((c) => c.outcome === 'won' || c.outcome === 'lost');
    const won = touched.filter((c) => c.outcome === 'won');
    return {
      id: campaign.id,
      name: campaign.name,
      channel: campaign.channel,
      trueLift: campaign.trueLift,
      spendCents: campaign.spendCents,
      touchedContacts: touched.length,
      mqls: touched.filter((c) => c.mqlAt !== undefined).length,
      acceptedTouched: accepted.length,
      expectedIncrementalWins: Math.round(accepted.length * campaign.trueLift * 1000) / 1000,
      expectedIncrementalRevenueCents: Math.round(
        accepted.reduce((sum, c) => sum + (c.dealAmountCents ?? 0), 0) * campaign.trueLift,
      ),
      wonDealsTouched: won.length,
      wonRevenueTouchedCents: won.reduce((sum, c) => sum + (c.dealAmountCents ?? 0), 0),
    };
  });
  const total = rows.reduce((sum, r) => sum + r.expectedIncrementalRevenueCents, 0);
  return rows.map((r) => ({
    ...r,
    trueRevenueShare:
      total > 0 ? Math.round((r.expectedIncrementalRevenueCents / total) * 10_000) / 10_000 : 0,
  }));
}
