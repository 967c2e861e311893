import { z } from 'zod';

import { JOURNEY_MODELS } from '../../src/attribution/models';

/**
 * The `attribution` settings for what a won deal carries beyond its amount and journeys: price realisation
 * (gross against net), contact-role weights from association labels, and the optional write-back of the
 * attribution result to deal properties. Kept beside the code that reads them; `server/config.ts` only
 * mounts them.
 */

const HUBSPOT_PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;

// Journeys are weighted in millionths (src/attribution/deal-journeys.ts); a smaller weight would round to 0.
const roleWeight = z.number().min(0.001, 'must be at least 0.001');

export const priceRealisationSettingsSchema = z
  .object({
    lineItems: z
      .boolean()
      .default(true)
      .describe("read each won deal's line items (price × quantity) for its list price"),
    listPriceProperty: z
      .string()
      .regex(HUBSPOT_PROPERTY_NAME, 'must be a HubSpot property internal name')
      .optional()
      .describe(
        'a deal property holding the list price, used when the deal has no priced line items',
      ),
  })
  .strict();

export const contactRolesSettingsSchema = z
  .object({
    weights: z
      .record(z.string().trim().min(1), roleWeight)
      .default({})
      .describe(
        'relative weight of a contact journey per deal↔contact association label (e.g. "Decision maker": 2); matched without regard to case',
      ),
    defaultWeight: roleWeight
      .default(1)
      .describe('weight of a contact whose labels match none of the weights'),
  })
  .strict();

export const writeBackSettingsSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'write the primary campaign and first/last-touch channel of each won deal to Truce deal properties',
      ),
    model: z
      .enum(JOURNEY_MODELS)
      .default('w_shaped')
      .describe('the model whose largest campaign credit is the primary campaign'),
  })
  .strict();

export type PriceRealisationSettings = z.infer<typeof priceRealisationSettingsSchema>;
