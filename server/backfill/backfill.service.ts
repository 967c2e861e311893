import type { Kysely } from 'kysely';

import { parsePeriod } from '../../src/reports/report-period';
import { type ChannelRules, effectiveChannelRules } from '../../src/touchpoints/channel-classifier';
import type { Touch } from '../../src/touchpoints/touch';
import { parseHubSpotTime } from '../../src/touchpoints/touch-key';
import {
  touchFromEmailClick,
  touchFromFormSubmission,
} from '../../src/touchpoints/touches-from-events';
import {
  CONTACT_HISTORY_PROPERTIES,
  touchesFromContactHistory,
} from '../../src/touchpoints/touches-from-history';
import { requestAttributionJob } from '../attribution/attribution-job.repository';
import { normaliseContact, requestDealsOfContacts } from '../attribution/attribution-worker';
import { type SpendEntry, upsertSpend } from '../attribution/campaign-spend.repository';
import { upsertTouches } from '../attribution/touchpoint.repository';
import type { Settings } from '../config';
import {
  applyDealContactAssociation,
  applyExistenceChange,
  applyPropertyChange,
} from '../crm/crm-object.repository';
import type { Database } from '../db/schema';
import { DEAL_PROPERTIES } from '../webhooks/crm-slice.handlers';
import {
  type CampaignAssetRow,
  campaignAssets,
  insertMissingTouches,
  readCursor,
  saveCursor,
  type StageCursor,
  upsertCampaignAssets,
} from './backfill-state.repository';
import {
  type BudgetTotals,
  budgetTotalsSchema,
  campaignAssetPageSchema,
  type CampaignPage,
  campaignPageSchema,
  emailEventPageSchema,
  formSubmissionPageSchema,
  type FormSubmissionValues,
  marketingEmailSchema,
} from './hubspot-marketing.schema';
import { type HubSpotReader, HubSpotRequestError } from './hubspot-reader';

export const BACKFILL_STAGES = [
  'campaigns',
  'contacts',
  'deals',
  'form_submissions',
  'email_clicks',
] as const;
export type BackfillStage = (typeof BACKFILL_STAGES)[number];

/** What one stage read and wrote in this run. */
export interface StageReport {
  readonly stage: BackfillStage;
  /** Already complete before this run (nothing was read). */
  readonly skipped: boolean;
  pages: number;
  items: number;
  touchesWritten: number;
}

export interface BackfillReport {
  readonly portalId: number;
  readonly dryRun: boolean;
  readonly stages: StageReport[];
  spendFigures: number;
  rateLimited: number;
}

export interface BackfillOptions {
  readonly portalId: number;
  /** Form submissions and email events before this time (epoch ms) are not read. */
  readonly since?: number;
  /** Read everything, write nothing (no touches, spend, cursors). */
  readonly dryRun?: boolean;
  /** Only these stages (default all, in order); `truce spend sync` runs `campaigns`. */
  readonly stages?: readonly BackfillStage[];
}

export interface BackfillDeps {
  readonly db: Kysely<Database>;
  readonly reader: HubSpotReader;
  readonly settings: Pick<Settings, 'attribution' | 'touchpoints'>;
  readonly now: () => number;
  /** Called after every page is stored (progress on stderr from the CLI). */
  readonly onPage?: (stage: BackfillStage, report: StageReport) => void | Promise<void>;
}

const PAGE = 100;
const FORM_PAGE = 50;
const ASSET_TYPES = ['FORM', 'MARKETING_EMAIL'] as const;
/** Asset rows Truce derives itself: one per send of a MARKETING_EMAIL, keyed by its `emailCampaignId`. */
const EMAIL_SEND = 'EMAIL_SEND';
const DEAL_READ_PROPERTIES = [...Object.keys(DEAL_PROPERTIES), 'createdate', 'hs_lastmodifieddate'];

/**
 * `truce backfill`: reads what a portal already holds — campaigns with their forms, emails and budget, every
 * contact's source and conversion history, every deal with its contacts, form submissions and marketing email
 * clicks — and stores it the way the webhook path would. Each stage walks HubSpot's pages and stores each page
 * together with its cursor in one transaction, so a crash loses at most the page in flight and the next run
 * continues from the cursor. Every write is idempotent (touch keys, newer-wins CRM slice, spend keyed by
 * campaign/period/source), so reading a page twice changes nothing.
 */
export async function runBackfill(
  deps: BackfillDeps,
  options: BackfillOptions,
): Promise<BackfillReport> {
  const report: BackfillReport = {
    portalId: options.portalId,
    dryRun: options.dryRun === true,
    stages: [],
    spendFigures: 0,
    rateLimited: 0,
  };
  const run = new BackfillRun(deps, options, report);
  for (const stage of options.stages ?? BACKFILL_STAGES) await run.stage(stage);
  return report;
}

class BackfillRun {
  private readonly rules: ChannelRules;
  /** Dry runs keep the asset map in memory instead of the database. */
  private readonly dryAssets: CampaignAssetRow[] = [];

  constructor(
    private readonly deps: BackfillDeps,
    private readonly options: BackfillOptions,
    private readonly report: BackfillReport,
  ) {
    this.rules = effectiveChannelRules(deps.settings.touchpoints.channels);
  }

  private get portalId(): number {
    return this.options.portalId;
  }

  private get dryRun(): boolean {
    return this.options.dryRun === true;
  }

  async stage(stage: BackfillStage): Promise<void> {
    const start = this.dryRun
      ? { cursor: null, done: false, pages: 0, items: 0 }
      : await readCursor(this.deps.db, this.portalId, stage);
    const line: StageReport = { stage, skipped: start.done, pages: 0, items: 0, touchesWritten: 0 };
    this.report.stages.push(line);
    if (start.done) return;
    const step = STEPS[stage];
    let cursor: StageCursor = start;
    for (;;) {
      const page = await step.call(this, cursor.cursor);
      const next: StageCursor = {
        cursor: page.next,
        done: page.next === null,
        pages: cursor.pages + 1,
        items: cursor.items + page.items,
      };
      const at = this.deps.now();
      if (this.dryRun) {
        line.touchesWritten += page.touches.length;
      } else {
        line.touchesWritten += await this.deps.db.transaction().execute(async (trx) => {
          const written = await page.write(trx, at);
          await saveCursor(trx, this.portalId, stage, next, at);
          return written;
        });
      }
      line.pages += 1;
      line.items += page.items;
      this.report.spendFigures += page.spendFigures ?? 0;
      cursor = next;
      await this.deps.onPage?.(stage, line);
      if (next.done) return;
    }
  }

  // ---- campaigns: assets (which form/email belongs to which campaign) and budget → spend ----

  async campaigns(after: string | null): Promise<PageResult> {
    const { reader } = this.deps;
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
              for (const sendId of await this.emailSendIds(String(asset.id))) {
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
      const entry = this.spendEntry(name, campaign, budget);
      if (entry) spend.push(entry);
    }
    if (this.dryRun) this.dryAssets.push(...assets);
    return {
      spendFigures: spend.length,
      next: page.paging?.next?.after ?? null,
      items: page.results.length,
      touches: [],
      write: async (trx, at) => {
        await upsertCampaignAssets(trx, this.portalId, assets, at);
        await upsertSpend(trx, this.portalId, spend, at);
        return 0;
      },
    };
  }

  /**
   * The send ids (`emailCampaignId` in email events) of a marketing email; the campaign asset names the
   * email itself. An email that is gone or was never sent has none.
   */
  private async emailSendIds(emailId: string): Promise<string[]> {
    try {
      const email = await this.deps.reader.getJson(
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
  private spendEntry(
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
    if (spendTotal === undefined || spendTotal < 0 || !/^[A-Z]{3}$/.test(currency))
      return undefined;
    const zone = this.deps.settings.attribution.timeZone;
    const startDate = campaign.properties?.hs_start_date?.slice(0, 10);
    const endDate = campaign.properties?.hs_end_date?.slice(0, 10) || startDate;
    const created = new Date(parseHubSpotTime(campaign.createdAt) ?? this.deps.now());
    const period =
      campaignPeriod(startDate, endDate, zone) ??
      parsePeriod(String(created.getUTCFullYear()), zone);
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

  // ---- contacts: source and conversion history, as the webhook path reads it ----

  async contacts(after: string | null): Promise<PageResult> {
    const { reader, settings } = this.deps;
    const page = await reader.call((client) =>
      client.crm.contacts.basicApi.getPage(PAGE, after ?? undefined, ['email']),
    );
    const ids = page.results.map((contact) => contact.id);
    const touches: Touch[] = [];
    if (ids.length > 0) {
      const read = await reader.call((client) =>
        client.crm.contacts.batchApi.read({
          inputs: ids.map((id) => ({ id })),
          properties: [...CONTACT_HISTORY_PROPERTIES],
          propertiesWithHistory: [...CONTACT_HISTORY_PROPERTIES],
        }),
      );
      for (const contact of read.results) {
        touches.push(
          ...touchesFromContactHistory(normaliseContact(contact), {
            rules: this.rules,
            alignWindowMs: settings.touchpoints.alignWindowMs,
            sessionWindowMs: settings.touchpoints.sessionWindowMs,
          }).touches,
        );
      }
    }
    return {
      next: page.paging?.next?.after ?? null,
      items: ids.length,
      touches,
      write: async (trx, at) => {
        const changed = await upsertTouches(trx, this.portalId, touches, 'history', at);
        if (changed > 0)
          await requestDealsOfContacts(trx, this.portalId, contactIdsOf(touches), at);
        return changed;
      },
    };
  }

  // ---- deals: the properties attribution reads and the deal's contacts; each deal is queued for attribution ----

  async deals(after: string | null): Promise<PageResult> {
    const { reader } = this.deps;
    const page = await reader.call((client) =>
      client.crm.deals.basicApi.getPage(PAGE, after ?? undefined, DEAL_READ_PROPERTIES),
    );
    const deals = page.results;
    const links =
      deals.length === 0
        ? []
        : (
            await reader.call((client) =>
              client.crm.associations.v4.batchApi.getPage('deals', 'contacts', {
                inputs: deals.map((deal) => ({ id: deal.id })),
              }),
            )
          ).results.flatMap((result) =>
            result.to.map((to) => ({
              dealId: Number(result._from.id),
              contactId: Number(to.toObjectId),
            })),
          );
    return {
      next: page.paging?.next?.after ?? null,
      items: deals.length,
      touches: [],
      write: async (trx, at) => {
        for (const deal of deals) {
          const dealId = Number(deal.id);
          // As of the deal's last modification: a webhook about a later change still wins.
          const asOf = parseHubSpotTime(deal.properties.hs_lastmodifieddate) ?? 0;
          const createdAt = parseHubSpotTime(deal.properties.createdate);
          await applyExistenceChange(trx, {
            type: 'deal',
            portalId: this.portalId,
            objectId: dealId,
            deleted: false,
            ...(createdAt !== undefined ? { createdAt } : {}),
            occurredAt: 0,
            now: at,
          });
          for (const [property, sliced] of Object.entries(DEAL_PROPERTIES)) {
            await applyPropertyChange(trx, {
              type: 'deal',
              portalId: this.portalId,
              objectId: dealId,
              column: sliced.column,
              value: sliced.parse(deal.properties[property]),
              occurredAt: asOf,
              now: at,
            });
          }
        }
        for (const link of links) {
          // The oldest possible change, so an association webhook about the same pair wins over it.
          await applyDealContactAssociation(trx, {
            portalId: this.portalId,
            ...link,
            associated: true,
            occurredAt: 0,
            now: at,
          });
        }
        for (const deal of deals) {
          await requestAttributionJob(
            trx,
            { portalId: this.portalId, kind: 'deal', objectId: Number(deal.id) },
            at,
          );
        }
        return 0;
      },
    };
  }

  // ---- form submissions of every form that is a campaign asset ----

  async formSubmissions(cursor: string | null): Promise<PageResult> {
    return this.assetPage(cursor, 'FORM', async (asset, after) => {
      const page = await this.deps.reader.getJson(
        `/form-integrations/v1/submissions/forms/${encodeURIComponent(asset.assetId)}`,
        formSubmissionPageSchema,
        { limit: FORM_PAGE, after: after ?? undefined },
      );
      const submissions = page.results.filter(
        (s) =>
          this.options.since === undefined ||
          (parseHubSpotTime(s.submittedAt) ?? 0) >= this.options.since,
      );
      const emails = submissions.map((s) => submissionEmail(s.values));
      const contacts = await this.contactsByEmail(emails);
      const touches = submissions.flatMap((submission, index) => {
        const contactId = contacts.get(emails[index] ?? '');
        if (!contactId) return [];
        const touch = touchFromFormSubmission(
          { contactId, formGuid: asset.assetId, submission, campaign: asset.campaignName },
          this.rules,
        );
        return touch ? [touch] : [];
      });
      return {
        next: page.paging?.next?.after ?? null,
        items: page.results.length,
        touches,
        write: async (trx, at) => {
          const inserted = await insertMissingTouches(trx, this.portalId, touches, 'history', at);
          if (inserted > 0)
            await requestDealsOfContacts(trx, this.portalId, contactIdsOf(touches), at);
          return inserted;
        },
      };
    });
  }

  // ---- marketing email clicks of every email that is a campaign asset ----

  async emailClicks(cursor: string | null): Promise<PageResult> {
    return this.assetPage(cursor, EMAIL_SEND, async (asset, offset) => {
      const page = await this.deps.reader.getJson('/email/public/v1/events', emailEventPageSchema, {
        campaignId: asset.assetId,
        eventType: 'CLICK',
        limit: PAGE,
        offset: offset ?? undefined,
        startTimestamp: this.options.since,
      });
      const { events } = page;
      const emails = events.map((event) => normaliseEmail(event.recipient));
      const contacts = await this.contactsByEmail(emails);
      const touches = events.flatMap((event, index) => {
        const contactId = contacts.get(emails[index] ?? '');
        if (!contactId) return [];
        const touch = touchFromEmailClick(
          { contactId, event, campaign: asset.campaignName },
          this.rules,
        );
        return touch ? [touch] : [];
      });
      return {
        next: page.hasMore && page.offset ? String(page.offset) : null,
        items: events.length,
        touches,
        write: async (trx, at) => {
          const changed = await upsertTouches(trx, this.portalId, touches, 'history', at);
          if (changed > 0)
            await requestDealsOfContacts(trx, this.portalId, contactIdsOf(touches), at);
          return changed;
        },
      };
    });
  }

  /**
   * Walks the assets of one type in a fixed order, one HubSpot page at a time; the stage cursor is
   * `{ asset, after }`, so a resumed run starts inside the asset it stopped in.
   */
  private async assetPage(
    cursor: string | null,
    assetType: 'FORM' | typeof EMAIL_SEND,
    readPage: (asset: CampaignAssetRow, after: string | null) => Promise<PageResult>,
  ): Promise<PageResult> {
    const assets = this.dryRun
      ? this.dryAssets
          .filter((a) => a.assetType === assetType)
          .sort((a, b) => (a.assetId < b.assetId ? -1 : 1))
      : await campaignAssets(this.deps.db, this.portalId, assetType);
    const position = cursor
      ? (JSON.parse(cursor) as { asset: string; after: string | null })
      : null;
    const index = position ? assets.findIndex((a) => a.assetId >= position.asset) : 0;
    const asset = index >= 0 ? assets[index] : undefined;
    if (!asset) return { next: null, items: 0, touches: [], write: () => Promise.resolve(0) };
    const after = position && position.asset === asset.assetId ? position.after : null;
    const page = await readPage(asset, after);
    const following = assets[index + 1];
    const next =
      page.next !== null
        ? JSON.stringify({ asset: asset.assetId, after: page.next })
        : following
          ? JSON.stringify({ asset: following.assetId, after: null })
          : null;
    return { ...page, next };
  }

  /** Form submissions and email events name the contact by email: one batch read (≤100) resolves a page. */
  private async contactsByEmail(emails: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(emails.filter((email) => email !== ''))];
    const found = new Map<string, string>();
    for (let start = 0; start < unique.length; start += PAGE) {
      const response = await this.deps.reader.call((client) =>
        client.crm.contacts.batchApi.read({
          inputs: unique.slice(start, start + PAGE).map((id) => ({ id })),
          idProperty: 'email',
          properties: ['email'],
          propertiesWithHistory: [],
        }),
      );
      for (const contact of response.results) {
        const email = normaliseEmail(contact.properties.email);
        if (email) found.set(email, contact.id);
      }
    }
    return found;
  }
}

interface PageResult {
  /** The stage's cursor after this page; null: the stage is complete. */
  readonly next: string | null;
  readonly items: number;
  readonly touches: readonly Touch[];
  /** Campaign spend figures the page stores (campaigns stage). */
  readonly spendFigures?: number;
  /** The page's writes, run in the transaction that also saves the cursor; returns touches written. */
  readonly write: (trx: Kysely<Database>, at: number) => Promise<number>;
}

type Step = (this: BackfillRun, cursor: string | null) => Promise<PageResult>;

const STEPS: Record<BackfillStage, Step> = {
  campaigns: BackfillRun.prototype.campaigns,
  contacts: BackfillRun.prototype.contacts,
  deals: BackfillRun.prototype.deals,
  form_submissions: BackfillRun.prototype.formSubmissions,
  email_clicks: BackfillRun.prototype.emailClicks,
};

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

function contactIdsOf(touches: readonly Touch[]): number[] {
  return [...new Set(touches.map((touch) => Number(touch.contactId)))];
}

function normaliseEmail(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

function submissionEmail(values: FormSubmissionValues): string {
  return normaliseEmail(values.find((value) => value.name === 'email')?.value);
}
