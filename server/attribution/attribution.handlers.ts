import type { AttributionJobKind } from '../db/schema';
import {
  CONTACT_WATCHED_PROPERTIES,
  DEAL_WATCHED_PROPERTIES,
} from '../hubspot/webhook-subscriptions';
import { associationPair } from '../webhooks/crm-slice.handlers';
import type { WebhookDispatcher, WebhookHandler } from '../webhooks/dispatcher';
import { requestAttributionJob } from './attribution-job.repository';
import { requestDealsOfContacts } from './attribution-worker';

/** Contact properties whose change means new touches (a conversion, a new source). */
export const TOUCH_PROPERTIES = CONTACT_WATCHED_PROPERTIES.filter((property) =>
  ['recent_conversion_date', 'hs_analytics_source', 'hs_latest_source'].includes(property),
);

/** Deal properties that change a deal's credits: stage (won or reopened), amount, close date, currency. */
export const DEAL_ATTRIBUTION_PROPERTIES = DEAL_WATCHED_PROPERTIES.filter((property) =>
  ['dealstage', 'amount', 'closedate', 'pipeline', 'deal_currency_code'].includes(property),
);

/**
 * Attribution's webhook handlers record jobs only, in the event's transaction (no HubSpot call here); the
 * attribution worker does the reads. Registered after the CRM slice, so a job runs against current state.
 * Every handler is idempotent: a redelivered or late event just asks for a recomputation of current state.
 */
export function registerAttributionHandlers(dispatcher: WebhookDispatcher): void {
  dispatcher.register(
    'attribution:contact-created',
    { objectType: 'contact', change: 'creation' },
    queueJobForObject('contact_touches'),
  );
  dispatcher.register(
    'attribution:contact-sources',
    { objectType: 'contact', change: 'propertyChange', properties: TOUCH_PROPERTIES },
    queueJobForObject('contact_touches'),
  );
  for (const change of ['deletion', 'restore']) {
    dispatcher.register(
      `attribution:contact-${change}`,
      { objectType: 'contact', change },
      async (event, { trx, now }) => {
        await requestDealsOfContacts(trx, event.portalId, [event.objectId], now);
        return 'applied';
      },
    );
  }
  dispatcher.register(
    'attribution:deal-properties',
    { objectType: 'deal', change: 'propertyChange', properties: DEAL_ATTRIBUTION_PROPERTIES },
    queueJobForObject('deal'),
  );
  for (const change of ['creation', 'deletion', 'restore']) {
    dispatcher.register(
      `attribution:deal-${change}`,
      { objectType: 'deal', change },
      queueJobForObject('deal'),
    );
  }
  for (const type of ['contact', 'deal']) {
    dispatcher.register(
      `attribution:${type}-associations`,
      { objectType: type, change: 'associationChange' },
      async (event, { trx, now }) => {
        const pair = associationPair(event);
        if (!pair) return 'ignored';
        await requestAttributionJob(
          trx,
          { portalId: event.portalId, kind: 'deal', objectId: pair.dealId },
          now,
        );
        return 'applied';
      },
    );
  }
}

/** A handler that queues a job of `kind` for the object the event is about (no HubSpot call in the handler). */
function queueJobForObject(kind: AttributionJobKind): WebhookHandler {
  return async (event, { trx, now }) => {
    await requestAttributionJob(
      trx,
      { portalId: event.portalId, kind, objectId: event.objectId },
      now,
    );
    return 'applied';
  };
}
