import { registerAttributionHandlers } from '../attribution/attribution.handlers';
import { registerCrmSliceHandlers } from './crm-slice.handlers';
import { WebhookDispatcher } from './dispatcher';

/**
 * Every capability that reacts to HubSpot webhooks registers its handlers here, in the order they should run
 * for the same event (the CRM slice first, so later handlers read current state).
 */
export function registerWebhookHandlers(dispatcher: WebhookDispatcher): WebhookDispatcher {
  registerCrmSliceHandlers(dispatcher);
  registerAttributionHandlers(dispatcher);
  return dispatcher;
}

export function defaultWebhookDispatcher(): WebhookDispatcher {
  return registerWebhookHandlers(new WebhookDispatcher());
}
