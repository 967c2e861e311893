import { type Response, Router } from 'express';

import { campaignRevenue, REVENUE_MODELS, type RevenueModel } from '../campaign-revenue';
import { notFound, validationError } from '../hubspot-errors';
import { iso } from '../hubspot-wire';
import type { Portal } from '../portal';
import {
  type BudgetItem,
  type Campaign,
  CAMPAIGN_ASSET_TYPES,
  type CampaignAssetType,
} from '../portal-marketing';

function paging(after: number, limit: number, total: number) {
  return after + limit < total ? { paging: { next: { after: String(after + limit) } } } : {};
}

function campaignJson(campaign: Campaign) {
  const budget = campaign.budgetItems.reduce((sum, item) => sum + item.amount, 0);
  const spend = campaign.spendItems.reduce((sum, item) => sum + item.amount, 0);
  return {
    id: campaign.id,
    createdAt: iso(campaign.createdAt),
    updatedAt: iso(campaign.createdAt),
    properties: {
      hs_name: campaign.name,
      hs_start_date: campaign.startDate,
      hs_end_date: campaign.endDate,
      hs_campaign_status: campaign.status,
      hs_currency_code: campaign.currencyCode,
      hs_budget_items_sum_amount: String(budget),
      hs_spend_items_sum_amount: String(spend),
    },
  };
}

function budgetItemJson(item: BudgetItem) {
  return {
    id: item.id,
    name: item.name,
    amount: item.amount,
    order: item.order,
    description: item.description ?? '',
    // Epoch milliseconds here, unlike the campaign's own ISO createdAt (HubSpot's budget item schema).
    createdAt: item.createdAt,
    updatedAt: item.createdAt,
  };
}

function pageParams(
  query: Record<string, unknown>,
  maxLimit: number,
): { limit: number; after: number } {
  return {
    limit: Math.min(Math.max(Number(query.limit ?? maxLimit) || maxLimit, 1), maxLimit),
    after: Number(query.after ?? 0) || 0,
  };
}

function findCampaign(portal: Portal, guid: string, res: Response): Campaign | undefined {
  const campaign = portal.marketing.campaigns.get(guid);
  if (!campaign) notFound(res, `Campaign ${guid} not found`);
  return campaign;
}

/**
 * Campaigns (list, assets, budget totals, revenue report), marketing emails, form submissions, marketing email
 * events.
 */
export function marketingRoutes(portal: Portal): Router {
  const router = Router();
  const store = portal.marketing;

  router.get('/marketing/v3/campaigns', (req, res) => {
    const { limit, after } = pageParams(req.query, 100);
    const name = req.query.name === undefined ? undefined : String(req.query.name).toLowerCase();
    const campaigns = [...store.campaigns.values()].filter(
      (c) => name === undefined || c.name.toLowerCase().includes(name),
    );
    res.json({
      total: campaigns.length,
      results: campaigns.slice(after, after + limit).map(campaignJson),
      ...paging(after, limit, campaigns.length),
    });
  });

  router.get('/marketing/v3/campaigns/:guid', (req, res) => {
    const campaign = findCampaign(portal, String(req.params.guid), res);
    if (campaign) res.json({ ...campaignJson(campaign), assets: {} });
  });

  router.get('/marketing/v3/campaigns/:guid/assets/:assetType', (req, res) => {
    const campaign = findCampaign(portal, String(req.params.guid), res);
    if (!campaign) return;
    const assetType = String(req.params.assetType).toUpperCase();
    if (!(CAMPAIGN_ASSET_TYPES as readonly string[]).includes(assetType)) {
      return validationError(res, `Unknown asset type ${assetType}`);
    }
    const { limit, after } = pageParams(req.query, 100);
    const assets = campaign.assets.filter((a) => a.type === (assetType as CampaignAssetType));
    res.json({
      results: assets.slice(after, after + limit).map((a) => ({ id: a.id, name: a.name })),
      ...paging(after, limit, assets.length),
    });
  });

  // Marketing emails v3, only the fields that tie an email to its campaign and to its sends.
  router.get('/marketing/v3/emails/:emailId', (req, res) => {
    const emailId = String(req.params.emailId);
    for (const campaign of store.campaigns.values()) {
      const email = campaign.assets.find((a) => a.type === 'MARKETING_EMAIL' && a.id === emailId);
      if (!email) continue;
      return res.json({
        id: email.id,
        name: email.name,
        subject: email.name,
        state: 'PUBLISHED',
        type: 'BATCH_EMAIL',
        isAb: false,
        campaign: campaign.id,
        campaignName: campaign.name,
        allEmailCampaignIds: (email.emailCampaignIds ?? []).map(String),
        createdAt: iso(campaign.createdAt),
        updatedAt: iso(campaign.createdAt),
      });
    }
    notFound(res, `Email ${emailId} not found`);
  });

  router.get('/marketing/v3/campaigns/:guid/budget/totals', (req, res) => {
    const campaign = findCampaign(portal, String(req.params.guid), res);
    if (!campaign) return;
    const budgetTotal = campaign.budgetItems.reduce((sum, item) => sum + item.amount, 0);
    const spendTotal = campaign.spendItems.reduce((sum, item) => sum + item.amount, 0);
    res.json({
      budgetTotal,
      spendTotal,
      remainingBudget: budgetTotal - spendTotal,
      currencyCode: campaign.currencyCode,
      budgetItems: campaign.budgetItems.map(budgetItemJson),
      spendItems: campaign.spendItems.map(budgetItemJson),
    });
  });

  router.get('/marketing/v3/campaigns/:guid/reports/revenue', (req, res) => {
    const campaign = findCampaign(portal, String(req.params.guid), res);
    if (!campaign) return;
    const model = String(req.query.attributionModel ?? 'LINEAR').toUpperCase();
    if (!(REVENUE_MODELS as readonly string[]).includes(model)) {
      return validationError(res, `attributionModel must be one of ${REVENUE_MODELS.join(', ')}`);
    }
    const from = req.query.startDate ? Date.parse(String(req.query.startDate)) : 0;
    const to = req.query.endDate
      ? Date.parse(String(req.query.endDate)) + 86_399_999
      : Number.MAX_SAFE_INTEGER;
    res.json(campaignRevenue(portal, campaign.id, model as RevenueModel, from, to));
  });

  router.get('/form-integrations/v1/submissions/forms/:formGuid', (req, res) => {
    const guid = String(req.params.formGuid);
    if (!store.forms.has(guid)) return notFound(res, `Form ${guid} not found`);
    const { limit, after } = pageParams(req.query, 50);
    const submissions = store.submissions.get(guid) ?? [];
    const page = submissions.slice(after, after + limit).map((s) => ({
      conversionId: s.conversionId,
      submittedAt: s.submittedAt,
      values: s.values.map((v) => ({ ...v, objectTypeId: '0-1' })),
      pageUrl: s.pageUrl,
    }));
    const next = after + limit;
    res.json({
      results: page,
      ...(next < submissions.length
        ? {
            paging: {
              next: {
                after: String(next),
                link: `/form-integrations/v1/submissions/forms/${guid}?after=${next}&limit=${limit}`,
              },
            },
          }
        : {}),
    });
  });

  router.get('/email/public/v1/events', (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
    const offset = Number(req.query.offset ?? 0) || 0;
    const q = req.query;
    const events = store.emailEvents.filter(
      (e) =>
        (q.campaignId === undefined || e.emailCampaignId === Number(q.campaignId)) &&
        (q.recipient === undefined || e.recipient === String(q.recipient)) &&
        (q.eventType === undefined || e.type === String(q.eventType)) &&
        (q.startTimestamp === undefined || e.created >= Number(q.startTimestamp)) &&
        (q.endTimestamp === undefined || e.created <= Number(q.endTimestamp)),
    );
    const page = events.slice(offset, offset + limit);
    res.json({
      events: page.map((e) => ({
        id: e.id,
        created: e.created,
        type: e.type,
        recipient: e.recipient,
        emailCampaignId: e.emailCampaignId,
        portalId: portal.portalId,
        appId: 0,
        appName: 'BatchTest',
        ...(e.url ? { url: e.url } : {}),
      })),
      hasMore: offset + limit < events.length,
      offset: String(offset + page.length),
    });
  });

  return router;
}
