import { type ChannelRules, classifyChannel } from './channel-classifier';
import { type Touch } from './touch';
import { parseHubSpotTime, touchKey } from './touch-key';
import { conversionKey } from './touches-from-history';

/**
 * Touches from HubSpot's event feeds read during backfill: form submissions
 * (`/form-integrations/v1/submissions/forms/{guid}`) and marketing email events (`/email/public/v1/events`).
 * Which contact an event belongs to and which campaign owns the form or email are looked up by the caller
 * (they need HubSpot reads) and passed in.
 */

export interface FormSubmission {
  readonly conversionId: string;
  readonly submittedAt: number | string;
  readonly pageUrl?: string | null;
}

export interface FormSubmissionContext {
  readonly contactId: string;
  readonly formGuid: string;
  readonly submission: FormSubmission;
  /** The campaign the form is an asset of, if any; else the page's utm_campaign is used. */
  readonly campaign?: string | null;
}

export function touchFromFormSubmission(
  context: FormSubmissionContext,
  rules: ChannelRules,
): Touch | undefined {
  const at = parseHubSpotTime(context.submission.submittedAt);
  if (at === undefined) return undefined;
  const pageUrl = context.submission.pageUrl?.trim() || undefined;
  const classified = classifyChannel({ kind: 'form_submission', url: pageUrl ?? null }, rules);
  const rawSource: Record<string, string> = {
    formGuid: context.formGuid,
    conversionId: context.submission.conversionId,
  };
  if (pageUrl) rawSource.pageUrl = pageUrl;
  return {
    contactId: context.contactId,
    at,
    kind: 'form_submission',
    channel: classified.channel,
    campaign: context.campaign ?? classified.utm.campaign ?? null,
    rawSource,
    matchedRule: classified.matchedRule,
    // Same key as the conversion read from the contact's history: one submission, one touch.
    idempotencyKey: conversionKey(context.contactId, at),
  };
}

export interface EmailEvent {
  readonly id: string;
  readonly type: string;
  readonly created: number | string;
  readonly emailCampaignId?: number | string | null;
  readonly url?: string | null;
}

export interface EmailClickContext {
  readonly contactId: string;
  readonly event: EmailEvent;
  /** The marketing campaign the email belongs to, if known. */
  readonly campaign?: string | null;
}

/** Only `CLICK` events are touches; opens and deliveries are not interactions worth credit. */
export function touchFromEmailClick(
  context: EmailClickContext,
  rules: ChannelRules,
): Touch | undefined {
  const { event } = context;
  if (event.type.toUpperCase() !== 'CLICK') return undefined;
  const at = parseHubSpotTime(event.created);
  if (at === undefined) return undefined;
  const url = event.url?.trim() || undefined;
  const classified = classifyChannel({ kind: 'email_click', url: url ?? null }, rules);
  const rawSource: Record<string, string> = { emailEventId: event.id };
  if (event.emailCampaignId !== undefined && event.emailCampaignId !== null) {
    rawSource.emailCampaignId = String(event.emailCampaignId);
  }
  if (url) rawSource.url = url;
  return {
    contactId: context.contactId,
    at,
    kind: 'email_click',
    channel: classified.channel,
    campaign: context.campaign ?? classified.utm.campaign ?? null,
    rawSource,
    matchedRule: classified.matchedRule,
    idempotencyKey: touchKey('email-click', [event.id]),
  };
}
