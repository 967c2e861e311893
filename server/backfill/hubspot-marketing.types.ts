/**
 * The HubSpot answers backfill reads that `@hubspot/api-client` 13 has no generated models for, as HubSpot's
 * API reference documents them (checked against the campaigns v3, form-integrations v1 and email events v1
 * pages). Fields HubSpot may omit are optional; unknown fields are ignored.
 */

interface Paging {
  readonly next?: { readonly after?: string; readonly link?: string };
}

/** `GET /marketing/v3/campaigns` */
export interface CampaignPage {
  readonly results: ReadonlyArray<{
    readonly id: string;
    readonly createdAt?: string;
    readonly properties?: {
      readonly hs_name?: string;
      readonly hs_start_date?: string;
      readonly hs_end_date?: string;
      readonly hs_currency_code?: string;
    };
  }>;
  readonly paging?: Paging;
}

/** `GET /marketing/v3/campaigns/{campaignGuid}/assets/{assetType}` */
export interface CampaignAssetPage {
  readonly results?: ReadonlyArray<{
    readonly id: string;
    readonly name?: string;
    readonly metrics?: Record<string, unknown>;
  }>;
  readonly paging?: Paging;
}

/**
 * `GET /marketing/v3/emails/{emailId}` (the SDK's PublicEmail, only what backfill reads): a campaign's
 * MARKETING_EMAIL asset is the email, whose events carry its send ids (`allEmailCampaignIds`).
 */
export interface MarketingEmail {
  readonly id: string;
  readonly campaign?: string;
  readonly allEmailCampaignIds?: ReadonlyArray<string | number>;
}

/** `GET /marketing/v3/campaigns/{campaignGuid}/budget/totals` (amounts in the campaign's currency units) */
export interface BudgetTotals {
  readonly budgetTotal?: number;
  readonly spendTotal?: number;
  readonly remainingBudget?: number;
  readonly currencyCode?: string;
}

/** `GET /form-integrations/v1/submissions/forms/{formGuid}` */
export interface FormSubmissionPage {
  readonly results?: ReadonlyArray<{
    readonly conversionId: string;
    readonly submittedAt: number;
    readonly pageUrl?: string;
    readonly values?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  }>;
  readonly paging?: Paging;
}

/** `GET /email/public/v1/events`: offset paging (`offset` is an opaque continuation token). */
export interface EmailEventPage {
  readonly events?: ReadonlyArray<{
    readonly id: string;
    readonly created: number;
    readonly type: string;
    readonly recipient?: string;
    readonly emailCampaignId?: number;
    readonly url?: string;
  }>;
  readonly hasMore?: boolean;
  readonly offset?: string;
}
