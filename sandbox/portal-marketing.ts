/**
 * Campaigns, forms, form submissions and marketing email events. `@hubspot/api-client` 13 has no generated
 * models for the campaigns, form-integrations v1 or email events v1 APIs, so these shapes follow HubSpot's
 * public API reference field by field.
 */
export const CAMPAIGN_ASSET_TYPES = [
  'FORM',
  'MARKETING_EMAIL',
  'LANDING_PAGE',
  'AD_CAMPAIGN',
  'SOCIAL_BROADCAST',
  'BLOG_POST',
  'WEB_INTERACTIVE',
] as const;
export type CampaignAssetType = (typeof CAMPAIGN_ASSET_TYPES)[number];

export interface CampaignAsset {
  readonly id: string;
  readonly name: string;
  readonly type: CampaignAssetType;
  /**
   * MARKETING_EMAIL only: the email's send ids. HubSpot's campaign asset is the email (its content id, read
   * with `GET /marketing/v3/emails/{emailId}`), while the email events API filters by these
   * `emailCampaignId`s (the email's `allEmailCampaignIds`): two different numbers.
   */
  readonly emailCampaignIds?: readonly number[];
}

export interface BudgetItem {
  readonly id: string;
  readonly name: string;
  /** In the campaign's currency, as a decimal number (HubSpot's unit). */
  readonly amount: number;
  readonly order: number;
  readonly description?: string;
  readonly createdAt: number;
}

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly startDate: string;
  readonly endDate: string;
  readonly status: 'planned' | 'in_progress' | 'active' | 'paused' | 'completed';
  readonly currencyCode: string;
  readonly createdAt: number;
  readonly assets: CampaignAsset[];
  readonly budgetItems: BudgetItem[];
  readonly spendItems: BudgetItem[];
  /** Free-form: the sandbox's own label of the channel (paid social, email, …), not a HubSpot field. */
  readonly channel?: string;
}

export interface Form {
  readonly guid: string;
  readonly name: string;
  readonly campaignId?: string;
}

export interface FormSubmission {
  readonly formGuid: string;
  readonly conversionId: string;
  readonly submittedAt: number;
  readonly values: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly pageUrl: string;
  readonly contactId: string;
}

export const EMAIL_EVENT_TYPES = [
  'SENT',
  'DELIVERED',
  'OPEN',
  'CLICK',
  'BOUNCE',
  'UNSUBSCRIBED',
] as const;
export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

export interface EmailEvent {
  readonly id: string;
  readonly created: number;
  readonly type: EmailEventType;
  readonly recipient: string;
  readonly emailCampaignId: number;
  readonly contactId: string;
  readonly campaignGuid?: string;
  readonly url?: string;
}

/** One interaction of a contact with a campaign, the input of HubSpot's own campaign revenue report. */
export interface CampaignInteraction {
  readonly contactId: string;
  readonly campaignId: string;
  readonly at: number;
  readonly kind: 'FORM_SUBMISSION' | 'EMAIL_CLICK' | 'AD_CLICK' | 'PAGE_VIEW' | 'EVENT' | 'OFFLINE';
}

export interface MarketingStore {
  readonly campaigns: Map<string, Campaign>;
  readonly forms: Map<string, Form>;
  /** Per form guid, in submission order. */
  readonly submissions: Map<string, FormSubmission[]>;
  readonly emailEvents: EmailEvent[];
  readonly interactions: CampaignInteraction[];
}

export function createMarketingStore(): MarketingStore {
  return {
    campaigns: new Map(),
    forms: new Map(),
    submissions: new Map(),
    emailEvents: [],
    interactions: [],
  };
}
