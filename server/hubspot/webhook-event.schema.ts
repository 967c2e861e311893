import { z } from 'zod';

/**
 * The webhook batch HubSpot POSTs (HUBSPOT.md §3). Only the fields Truce stores or acts on are typed; every
 * other field is kept as sent, because HubSpot adds fields over time and a 400 would make it retry and then
 * drop the batch. `subscriptionType` is any string: unknown types are stored and left unprocessed.
 */

export const MAX_EVENTS_PER_BATCH = 100;

const id = z.number().int().nonnegative();

export const webhookEventSchema = z.looseObject({
  eventId: id.describe('not unique on its own; part of the dedupe key'),
  subscriptionId: id,
  portalId: z.number().int().positive(),
  appId: id.optional(),
  occurredAt: id.describe('milliseconds since the epoch; the order events are applied in'),
  subscriptionType: z
    .string()
    .min(1)
    .describe('object.propertyChange, object.creation, or legacy contact.propertyChange, …'),
  attemptNumber: z.number().int().nonnegative().optional(),
  objectId: id.optional(),
  objectTypeId: z.string().optional().describe('0-1 contact, 0-2 company, 0-3 deal, …'),
  propertyName: z.string().optional(),
  // HubSpot sends strings; numbers and booleans appear in hand-made and replayed batches.
  propertyValue: z.union([z.string(), z.number(), z.boolean()]).nullable().optional(),
  fromObjectId: id.optional(),
  toObjectId: id.optional(),
  fromObjectTypeId: z.string().optional(),
  toObjectTypeId: z.string().optional(),
  associationType: z.string().optional(),
  associationTypeId: z.number().int().optional(),
  associationRemoved: z.boolean().optional(),
});

export const webhookBatchSchema = z
  .array(webhookEventSchema)
  .min(1, 'a batch holds at least one event')
  .max(MAX_EVENTS_PER_BATCH, `a batch holds at most ${MAX_EVENTS_PER_BATCH} events`);

export type WebhookEvent = z.infer<typeof webhookEventSchema>;
export type WebhookBatch = z.infer<typeof webhookBatchSchema>;

const OBJECT_TYPE_IDS: Readonly<Record<string, string>> = {
  '0-1': 'contact',
  '0-2': 'company',
  '0-3': 'deal',
  '0-5': 'ticket',
};

/** `contact.propertyChange` and `object.propertyChange` with objectTypeId 0-1 mean the same thing. */
export function classifyEvent(event: WebhookEvent): { objectType: string; change: string } {
  const dot = event.subscriptionType.indexOf('.');
  const prefix = dot === -1 ? event.subscriptionType : event.subscriptionType.slice(0, dot);
  const change = dot === -1 ? '' : event.subscriptionType.slice(dot + 1);
  if (prefix !== 'object') return { objectType: prefix, change };
  const typeId = event.objectTypeId ?? event.fromObjectTypeId;
  return { objectType: (typeId && OBJECT_TYPE_IDS[typeId]) ?? typeId ?? 'object', change };
}

/** The object an event is about: association events name it `fromObjectId`. */
export function subjectObjectId(event: WebhookEvent): number {
  return event.objectId ?? event.fromObjectId ?? 0;
}
