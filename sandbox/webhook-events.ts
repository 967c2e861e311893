import { z } from 'zod';

import {
  OBJECT_TYPE_IDS,
  type ObjectType,
  type PortalChange,
  PRIMARY_ASSOCIATION_TYPES,
  singularUpper,
} from './crm-types';

export const SUBSCRIPTION_TYPES = [
  'object.creation',
  'object.propertyChange',
  'object.deletion',
  'object.associationChange',
] as const;
export type SubscriptionType = (typeof SUBSCRIPTION_TYPES)[number];

/** One subscription as in `webhooks-hsmeta.json` (`objectType` singular, like HubSpot's). */
export interface WebhookSubscription {
  readonly subscriptionType: SubscriptionType;
  readonly objectType: 'contact' | 'company' | 'deal' | 'line_item' | 'task' | 'product';
  readonly propertyName?: string;
  readonly active?: boolean;
}

/** What HubSpot posts: one element of the JSON array body (HUBSPOT.md §3). */
export interface WebhookEvent {
  readonly eventId: number;
  readonly subscriptionId: number;
  readonly portalId: number;
  readonly appId: number;
  readonly occurredAt: number;
  readonly subscriptionType: SubscriptionType;
  readonly attemptNumber: number;
  readonly objectId: number;
  readonly objectTypeId: string;
  readonly changeSource: string;
  readonly sourceId?: string;
  readonly changeFlag?: 'CREATED' | 'DELETED';
  readonly propertyName?: string;
  readonly propertyValue?: string;
  readonly associationType?: string;
  readonly associationTypeId?: number;
  readonly associationCategory?: 'HUBSPOT_DEFINED';
  readonly fromObjectId?: number;
  readonly toObjectId?: number;
  readonly fromObjectTypeId?: string;
  readonly toObjectTypeId?: string;
  readonly associationRemoved?: boolean;
  readonly isPrimaryAssociation?: boolean;
}

/**
 * The subscriptions of Truce's project (`extensions/app/webhooks/webhooks-hsmeta.json`); a sandbox connected
 * without explicit ones uses these. `subscriptionsFromHsMeta` reads the file itself, so tests can use that.
 */
export const DEFAULT_SUBSCRIPTIONS: readonly WebhookSubscription[] = [
  { subscriptionType: 'object.creation', objectType: 'contact' },
  { subscriptionType: 'object.deletion', objectType: 'contact' },
  ...[
    'lifecyclestage',
    'hs_lead_status',
    'hubspot_owner_id',
    'notes_last_contacted',
    'hs_last_sales_activity_timestamp',
    'recent_conversion_date',
    'hs_analytics_source',
    'hs_latest_source',
    'truce_reject_reason',
  ].map((propertyName) => ({
    subscriptionType: 'object.propertyChange' as const,
    objectType: 'contact' as const,
    propertyName,
  })),
  { subscriptionType: 'object.creation', objectType: 'deal' },
  { subscriptionType: 'object.deletion', objectType: 'deal' },
  ...['dealstage', 'amount', 'closedate', 'pipeline', 'hubspot_owner_id', 'deal_currency_code'].map(
    (propertyName) => ({
      subscriptionType: 'object.propertyChange' as const,
      objectType: 'deal' as const,
      propertyName,
    }),
  ),
];

const hsMetaSchema = z.object({
  type: z.literal('webhooks'),
  config: z.object({
    subscriptions: z.object({
      crmObjects: z.array(
        z.object({
          subscriptionType: z.enum(SUBSCRIPTION_TYPES),
          objectType: z.enum(['contact', 'company', 'deal', 'line_item', 'task', 'product']),
          propertyName: z.string().optional(),
          active: z.boolean().optional(),
        }),
      ),
    }),
  }),
});

/** The CRM subscriptions of a parsed `webhooks-hsmeta.json`; throws (ZodError) on any other shape. */
export function subscriptionsFromHsMeta(json: unknown): WebhookSubscription[] {
  return hsMetaSchema.parse(json).config.subscriptions.crmObjects.map((s) => ({
    subscriptionType: s.subscriptionType,
    objectType: s.objectType,
    ...(s.propertyName !== undefined ? { propertyName: s.propertyName } : {}),
    ...(s.active !== undefined ? { active: s.active } : {}),
  }));
}

const SINGULAR_TO_TYPE: Readonly<Record<WebhookSubscription['objectType'], ObjectType>> = {
  contact: 'contacts',
  company: 'companies',
  deal: 'deals',
  line_item: 'line_items',
  task: 'tasks',
  product: 'products',
};

interface Registered extends WebhookSubscription {
  readonly id: number;
  readonly type: ObjectType;
}

/** Turns portal changes into HubSpot events for the active subscriptions, numbering them like HubSpot. */
export class WebhookEventFactory {
  private readonly subscriptions: Registered[];
  private nextEventId: number;

  constructor(
    subscriptions: readonly WebhookSubscription[],
    private readonly portalId: number,
    private readonly appId: number,
    firstSubscriptionId: number,
    firstEventId: number,
  ) {
    this.subscriptions = subscriptions
      .filter((s) => s.active !== false)
      .map((s, index) => ({
        ...s,
        id: firstSubscriptionId + index,
        type: SINGULAR_TO_TYPE[s.objectType],
      }));
    this.nextEventId = firstEventId;
  }

  subscriptionList(): ReadonlyArray<WebhookSubscription & { readonly id: number }> {
    return this.subscriptions.map(({ type: _type, ...s }) => s);
  }

  eventsFor(change: PortalChange): WebhookEvent[] {
    const matching = this.subscriptions.filter(
      (s) =>
        s.type === change.objectType &&
        s.subscriptionType === `object.${change.kind}` &&
        (change.kind !== 'propertyChange' || s.propertyName === change.propertyName),
    );
    return matching.map((subscription) => this.build(subscription, change));
  }

  private build(subscription: Registered, change: PortalChange): WebhookEvent {
    const base = {
      eventId: this.nextEventId++,
      subscriptionId: subscription.id,
      portalId: this.portalId,
      appId: this.appId,
      occurredAt: change.occurredAt,
      subscriptionType: subscription.subscriptionType,
      attemptNumber: 0,
      objectId: Number(change.objectId),
      objectTypeId: OBJECT_TYPE_IDS[change.objectType],
      changeSource: change.context.source,
      ...(change.context.sourceId !== undefined ? { sourceId: change.context.sourceId } : {}),
    };
    switch (change.kind) {
      case 'creation':
        return { ...base, changeFlag: 'CREATED' };
      case 'deletion':
        return { ...base, changeFlag: 'DELETED' };
      case 'propertyChange':
        return { ...base, propertyName: change.propertyName, propertyValue: change.propertyValue };
      case 'associationChange':
        return {
          ...base,
          associationType: `${singularUpper(change.objectType)}_TO_${singularUpper(change.toObjectType)}`,
          associationTypeId: change.associationTypeId,
          associationCategory: 'HUBSPOT_DEFINED',
          fromObjectId: Number(change.objectId),
          toObjectId: Number(change.toObjectId),
          fromObjectTypeId: OBJECT_TYPE_IDS[change.objectType],
          toObjectTypeId: OBJECT_TYPE_IDS[change.toObjectType],
          associationRemoved: change.removed,
          isPrimaryAssociation: PRIMARY_ASSOCIATION_TYPES.some(
            ([, , id]) => id === change.associationTypeId,
          ),
        };
    }
  }
}
