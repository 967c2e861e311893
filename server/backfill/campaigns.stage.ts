import { parsePeriod } from '../../src/reports/report-period';
import { parseHubSpotTime } from '../../src/touchpoints/touch-key';
import { type SpendEntry, upsertSpend } from '../attribution/campaign-spend.repository';
import { EMAIL_SEND, PAGE, type StageContext, type StageReader } from './backfill-stage';
import { type CampaignAssetRow, upsertCampaignAssets } from './backfill-state.repository';
import {
  type BudgetTotals,
  budgetTotalsSchema,
  campaignAssetPageSchema,
  type CampaignPage,
  campaignPageSchema,
  marketingEmailSchema,
} from './hubspot-marketing.schema';
import { HubSpotRequestError } from './hubspot-reader';

/**
 * The `campaigns` stage: which form and which email send belongs to which campaign (from the campaigns'
 * assets), and each campaign's spend from HubSpot's budget API.
 */

const ASSET_TYPES = ['FORM', 'MARKETING_EMAIL'] as const;

export const readCampaignsPage: StageReader = async (context, after) => {
  const { reader } = context;
  const page = await reader.getJson('/marketing/v3/campaigns', campaignPageSchema, {
    limit: PAGE,
    after: after ?? undefined,
    properties: 'hs_name,hs_start_date,hs_end_date,hs_currency_code',
  });
  const assets: CampaignAssetRow[] = [];
  const spend: SpendEntry[] = [];
  for (const campaign of page.results) {
    const name = campaign.properties?.hs_name?.trim() || campaign.id;
    for (const assetType of ASSET_TYPES) {
      let assetAfter: string | undefined;
      do {
        const assetPage = await reader.getJson(
          `/marketing/v3/campaigns/${encodeURIComponent(campaign.id)}/assets/${assetType}`,
          campaignAssetPageSchema,
          { limit: PAGE, after: assetAfter },
        );
        for (const asset of assetPage.results) {
          const row = { campaignGuid: campaign.id, campaignName: name };
          assets.push({ ...row, assetType, assetId: String(asset.id) });
          if (assetType === 'MARKETING_EMAIL') {
            for (const sendId of await emailSendIds(context, String(asset.id))) {
              assets.push({ ...row, assetType: EMAIL_SEND, assetId: sendId });
            }
          }
        }
        assetAfter = assetPage.paging?.next?.after;
      } while (assetAfter);
    }
    const budget = await reader.getJson(
      `/marketing/v3/campaigns/${encodeURIComponent(campaign.id)}/budget/totals`,
      budgetTotalsSchema,
    );
    const entry = spendEntry(context, name, campaign, budget);
    if (entry) spend.push(entry);
  }
  if (context.dryRun) context.dryAssets.push(...assets);
  return {
    spendFigures: spend.length,
    next: page.paging?.next?.after ?? null,
    items: page.results.length,
    touches: [],
    write: async (trx, at) => {
      await upsertCampaignAssets(trx, context.portalId, assets, at);
      await upsertSpend(trx, context.portalId, spend, at);
      return 0;
    },
  };
};

/**
 * The send ids (`emailCampaignId` in email events) of a marketing email; the campaign asset names the
 * email itself. An email that is gone or was never sent has none.
 */
async function emailSendIds(context: StageContext, emailId: string): Promise<string[]> {
  try {
    const email = await context.reader.getJson(
      `/marketing/v3/emails/${encodeURIComponent(emailId)}`,
      marketingEmailSchema,
    );
    return email.allEmailCampaignIds;
  } catch (error) {
    if (error instanceof HubSpotRequestError && error.code === 404) return [];
    throw error;
  }
}

/**
 * HubSpot's spend total of a campaign, stored for the campaign's own date range (its period label is
 * `start..end`), so reports of any window that contains the campaign count it once.
 */
function spendEntry(
  context: StageContext,
  name: string,
  campaign: CampaignPage['results'][number],
  budget: BudgetTotals,
): SpendEntry | undefined {
  const spendTotal = typeof budget.spendTotal === 'number' ? budget.spendTotal : undefined;
  const currency = (
    budget.currencyCode ??
    campaign.properties?.hs_currency_code ??
    ''
  ).toUpperCase();
  if (spendTotal === undefined || spendTotal < 0 || !/^[A-Z]{3}$/.test(currency)) return undefined;
  const zone = context.settings.attribution.timeZone;
  const startDate = campaign.properties?.hs_start_date?.slice(0, 10);
  const endDate = campaign.properties?.hs_end_date?.slice(0, 10) || startDate;
  const created = new Date(parseHubSpotTime(campaign.createdAt) ?? context.now());
  const period =
    campaignPeriod(startDate, endDate, zone) ?? parsePeriod(String(created.getUTCFullYear()), zone);
  return {
    campaign: name,
    period: period.label,
    periodStart: period.start,
    periodEnd: period.end,
    currency,
    cents: Math.round(spendTotal * 100),
    source: 'hubspot',
  };
}

/** The campaign's own date range; undefined when HubSpot has no (or no valid) dates for it. */
function campaignPeriod(
  startDate: string | undefined,
  endDate: string | undefined,
  zone: string,
): { label: string; start: number; end: number } | undefined {
  if (!startDate || !endDate) return undefined;
  try {
    const start = parsePeriod(startDate, zone).start;
    const end = parsePeriod(endDate, zone).end;
    return end > start ? { label: `${startDate}..${endDate}`, start, end } : undefined;
  } catch {
    return undefined;
  }
}
