import { z } from 'zod';

/**
 * The writes Truce makes to HubSpot, one schema each. The payload is stored as JSON in the outbox and parsed
 * again before delivery, so a row written by an older version that no longer fits is reported, not sent.
 */
const propertyValues = z.record(z.string(), z.string());

const propertyDefinition = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string(),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']),
  fieldType: z.enum([
    'text',
    'textarea',
    'number',
    'date',
    'select',
    'booleancheckbox',
    'calculation_equation',
  ]),
  description: z.string().optional(),
  options: z
    .array(
      z.object({ label: z.string(), value: z.string(), displayOrder: z.number().int().optional() }),
    )
    .optional(),
});

export const outboxOperationSchemas = {
  'contact.update': z.object({
    contactId: z.string().min(1),
    properties: propertyValues,
    lifecycleStageUnlessAt: z
      .array(z.string())
      .optional()
      .describe(
        "leave `lifecyclestage` alone when the contact's current stage is one of these (read first): " +
          'a write delivered late must not pull back a contact that HubSpot has moved on since',
      ),
  }),
  'deal.update': z.object({ dealId: z.string().min(1), properties: propertyValues }),
  'task.create': z.object({
    contactId: z.string().min(1),
    ownerId: z.string().min(1).optional(),
    subject: z.string().min(1),
    body: z.string(),
    dueAt: z.number().int().describe('epoch ms; becomes hs_timestamp'),
    priority: z.enum(['LOW', 'MEDIUM', 'HIGH']).default('MEDIUM'),
    taskType: z.enum(['TODO', 'CALL', 'EMAIL']).default('TODO'),
  }),
  'properties.ensure': z.object({
    objectType: z.enum(['contacts', 'deals']),
    group: z.object({ name: z.string(), label: z.string() }),
    properties: z.array(propertyDefinition).min(1),
  }),
} as const;

export type OutboxOperation = keyof typeof outboxOperationSchemas;
export type OutboxPayload<Op extends OutboxOperation> = z.input<
  (typeof outboxOperationSchemas)[Op]
>;
export type ParsedOutboxPayload<Op extends OutboxOperation> = z.output<
  (typeof outboxOperationSchemas)[Op]
>;

export const OUTBOX_OPERATIONS = Object.keys(outboxOperationSchemas) as OutboxOperation[];

export function isOutboxOperation(value: string): value is OutboxOperation {
  return Object.hasOwn(outboxOperationSchemas, value);
}
