import type { ChangeContext, ObjectType } from './crm-types';
import { iso } from './hubspot-wire';
import type { Portal } from './portal';
import type {
  BudgetItem,
  Campaign,
  CampaignAsset,
  CampaignInteraction,
  EmailEventType,
  Form,
} from './portal-marketing';
import { type Rng, rngUuid } from './rng';

/** Admin changes look like a person working in HubSpot's UI unless the caller says otherwise. */
export const ADMIN_CONTEXT: ChangeContext = { source: 'CRM_UI', sourceId: 'userId:0' };

export interface CampaignInput {
  readonly id?: string;
  readonly name: string;
  readonly startDate: string;
  readonly endDate: string;
  readonly channel?: string;
  readonly status?: Campaign['status'];
  readonly currencyCode?: string;
  readonly assets?: ReadonlyArray<Omit<CampaignAsset, 'id'> & { readonly id?: string }>;
  /** Decimal amounts in the campaign currency. */
  readonly budget?: ReadonlyArray<{ readonly name: string; readonly amount: number }>;
  readonly spend?: ReadonlyArray<{ readonly name: string; readonly amount: number }>;
}

export interface VisitInput {
  /** `hs_analytics_source` value of this visit (PAID_SOCIAL, ORGANIC_SEARCH, …). */
  readonly source: string;
  readonly sourceData1?: string;
  readonly sourceData2?: string;
  readonly url?: string;
  readonly campaignId?: string;
  readonly kind?: CampaignInteraction['kind'];
}

/**
 * What an operator (a test, the demo, the scenario player) does to the portal besides calling HubSpot's API:
 * the changes HubSpot itself, its users, forms, emails and analytics would make. Every CRM change still goes
 * through the portal, so it produces webhooks like any other.
 */
export class SandboxAdmin {
  constructor(
    private readonly portal: Portal,
    private readonly rng: Rng,
  ) {}

  setTime(ms: number | undefined): void {
    this.portal.setTime(ms);
  }

  create(type: ObjectType, properties: Record<string, string>, context = ADMIN_CONTEXT): string {
    return this.portal.create(type, properties, context).id;
  }

  update(
    type: ObjectType,
    id: string,
    properties: Record<string, string>,
    context = ADMIN_CONTEXT,
  ): boolean {
    return this.portal.update(type, id, properties, context) !== undefined;
  }

  delete(type: ObjectType, id: string, context = ADMIN_CONTEXT): boolean {
    return this.portal.archive(type, id, context);
  }

  associate(
    fromType: ObjectType,
    fromId: string,
    toType: ObjectType,
    toId: string,
    context = ADMIN_CONTEXT,
  ): boolean {
    return this.portal.associate(fromType, fromId, toType, toId, context);
  }

  unassociate(
    fromType: ObjectType,
    fromId: string,
    toType: ObjectType,
    toId: string,
    context = ADMIN_CONTEXT,
  ): boolean {
    return this.portal.unassociate(fromType, fromId, toType, toId, context);
  }

  /** Adds a sales owner (a HubSpot user with a seat); owners are metadata and send no webhooks. */
  addOwner(input: {
    readonly id: string;
    readonly userId: number;
    readonly email: string;
    readonly firstName: string;
    readonly lastName: string;
  }): void {
    const at = iso(this.portal.now());
    this.portal.definitions.addOwner({
      ...input,
      userIdIncludingInactive: input.userId,
      type: 'PERSON',
      archived: false,
      createdAt: at,
      updatedAt: at,
      teams: [{ id: '1001', name: 'Sales', primary: true }],
    });
  }

  addCampaign(input: CampaignInput): Campaign {
    const createdAt = this.portal.now();
    const items = (list: CampaignInput['budget']): BudgetItem[] =>
      (list ?? []).map((item, order) => ({
        id: String(this.rng.int(1_000_000, 9_999_999)),
        name: item.name,
        amount: item.amount,
        order,
        createdAt,
      }));
    const campaign: Campaign = {
      id: input.id ?? rngUuid(this.rng),
      name: input.name,
      startDate: input.startDate,
      endDate: input.endDate,
      status: input.status ?? 'active',
      currencyCode: input.currencyCode ?? 'USD',
      createdAt,
      assets: (input.assets ?? []).map((a) => ({
        ...a,
        id: a.id ?? String(this.rng.int(1e8, 9e8)),
      })),
      budgetItems: items(input.budget),
      spendItems: items(input.spend),
      ...(input.channel !== undefined ? { channel: input.channel } : {}),
    };
    this.portal.marketing.campaigns.set(campaign.id, campaign);
    return campaign;
  }

  addSpend(campaignId: string, name: string, amount: number): boolean {
    const campaign = this.portal.marketing.campaigns.get(campaignId);
    if (!campaign) return false;
    campaign.spendItems.push({
      id: String(this.rng.int(1_000_000, 9_999_999)),
      name,
      amount,
      order: campaign.spendItems.length,
      createdAt: this.portal.now(),
    });
    return true;
  }

  addForm(input: {
    readonly guid?: string;
    readonly name: string;
    readonly campaignId?: string;
  }): Form {
    const form: Form = {
      guid: input.guid ?? rngUuid(this.rng),
      name: input.name,
      ...(input.campaignId !== undefined ? { campaignId: input.campaignId } : {}),
    };
    this.portal.marketing.forms.set(form.guid, form);
    this.portal.marketing.submissions.set(form.guid, []);
    const campaign = form.campaignId
      ? this.portal.marketing.campaigns.get(form.campaignId)
      : undefined;
    campaign?.assets.push({ id: form.guid, name: form.name, type: 'FORM' });
    return form;
  }

  /**
   * A form submission by an existing contact: stored for the submissions API and reflected in the contact's
   * conversion properties the way HubSpot's forms tool writes them (source FORM).
   */
  submitForm(
    formGuid: string,
    contactId: string,
    input: { readonly pageUrl?: string; readonly values?: Record<string, string> } = {},
  ): string | undefined {
    const form = this.portal.marketing.forms.get(formGuid);
    const contact = this.portal.get('contacts', contactId);
    if (!form || !contact) return undefined;
    const at = this.portal.now();
    const conversionId = rngUuid(this.rng);
    const values = {
      email: contact.properties.email ?? '',
      firstname: contact.properties.firstname ?? '',
      lastname: contact.properties.lastname ?? '',
      ...input.values,
    };
    this.portal.marketing.submissions.get(formGuid)?.push({
      formGuid,
      conversionId,
      submittedAt: at,
      values: Object.entries(values).map(([name, value]) => ({ name, value })),
      pageUrl:
        input.pageUrl ?? `https://www.sandbox.test/${form.name.toLowerCase().replace(/\W+/g, '-')}`,
      contactId,
    });
    const campaign = form.campaignId
      ? this.portal.marketing.campaigns.get(form.campaignId)
      : undefined;
    const date = new Date(at).toISOString();
    const count = Number(contact.properties.num_conversion_events ?? 0) + 1;
    this.portal.update(
      'contacts',
      contactId,
      {
        ...(contact.properties.first_conversion_event_name
          ? {}
          : { first_conversion_event_name: form.name, first_conversion_date: date }),
        recent_conversion_event_name: form.name,
        recent_conversion_date: date,
        num_conversion_events: String(count),
        ...(campaign
          ? {
              ...(contact.properties.hs_analytics_first_touch_converting_campaign
                ? {}
                : { hs_analytics_first_touch_converting_campaign: campaign.name }),
              hs_analytics_last_touch_converting_campaign: campaign.name,
            }
          : {}),
      },
      { source: 'FORM', sourceId: formGuid },
    );
    if (campaign) this.interaction(contactId, campaign.id, at, 'FORM_SUBMISSION');
    return conversionId;
  }

  /** A marketing email event; a click also updates the contact's email properties (source EMAIL). */
  emailEvent(
    contactId: string,
    input: {
      readonly type: EmailEventType;
      readonly emailCampaignId: number;
      readonly emailName?: string;
      readonly campaignId?: string;
      readonly url?: string;
    },
  ): string | undefined {
    const contact = this.portal.get('contacts', contactId);
    if (!contact) return undefined;
    const at = this.portal.now();
    const id = rngUuid(this.rng);
    this.portal.marketing.emailEvents.push({
      id,
      created: at,
      type: input.type,
      recipient: contact.properties.email ?? '',
      emailCampaignId: input.emailCampaignId,
      contactId,
      ...(input.campaignId !== undefined ? { campaignGuid: input.campaignId } : {}),
      ...(input.url !== undefined ? { url: input.url } : {}),
    });
    if (input.type === 'CLICK') {
      this.portal.update(
        'contacts',
        contactId,
        {
          hs_email_last_click_date: new Date(at).toISOString(),
          ...(input.emailName ? { hs_email_last_email_name: input.emailName } : {}),
        },
        { source: 'EMAIL', sourceId: String(input.emailCampaignId) },
      );
      if (input.campaignId) this.interaction(contactId, input.campaignId, at, 'EMAIL_CLICK');
    }
    return id;
  }

  /** A tracked website visit (ad click, search, direct): HubSpot analytics updates the source properties. */
  recordVisit(contactId: string, visit: VisitInput): boolean {
    const contact = this.portal.get('contacts', contactId);
    if (!contact) return false;
    const at = this.portal.now();
    const date = new Date(at).toISOString();
    const first = !contact.properties.hs_analytics_first_timestamp;
    this.portal.update(
      'contacts',
      contactId,
      {
        ...(first
          ? {
              hs_analytics_source: visit.source,
              hs_analytics_source_data_1: visit.sourceData1 ?? '',
              hs_analytics_source_data_2: visit.sourceData2 ?? '',
              hs_analytics_first_url: visit.url ?? '',
              hs_analytics_first_timestamp: date,
            }
          : {}),
        hs_latest_source: visit.source,
        hs_latest_source_data_1: visit.sourceData1 ?? '',
        hs_latest_source_data_2: visit.sourceData2 ?? '',
        hs_latest_source_timestamp: date,
        hs_analytics_num_visits: String(
          Number(contact.properties.hs_analytics_num_visits ?? 0) + 1,
        ),
      },
      { source: 'ANALYTICS' },
    );
    if (visit.campaignId)
      this.interaction(contactId, visit.campaignId, at, visit.kind ?? 'AD_CLICK');
    return true;
  }

  private interaction(
    contactId: string,
    campaignId: string,
    at: number,
    kind: CampaignInteraction['kind'],
  ): void {
    this.portal.marketing.interactions.push({ contactId, campaignId, at, kind });
  }
}
