import { type HandoffSettings, handoffSettingsSchema } from '../../src/handoff/handoff-settings';
import { registerAttributionHandlers } from '../attribution/attribution.handlers';
import { registerHandoffHandlers } from '../handoff/handoff.handlers';
import { registerCrmSliceHandlers } from './crm-slice.handlers';
import { WebhookDispatcher } from './dispatcher';

/**
 * Every capability that reacts to HubSpot webhooks registers its handlers here, in the order they should run
 * for the same event (the CRM slice first, so later handlers read current state).
 */
export function registerWebhookHandlers(
  dispatcher: WebhookDispatcher,
  handoff: HandoffSettings = handoffSettingsSchema.parse({}),
): WebhookDispatcher {
  registerCrmSliceHandlers(dispatcher);
  registerHandoffHandlers(dispatcher, handoff);
  registerAttributionHandlers(dispatcher);
  return dispatcher;
}

export function defaultWebhookDispatcher(handoff?: HandoffSettings): WebhookDispatcher {
  return registerWebhookHandlers(new WebhookDispatcher(), handoff);
}
