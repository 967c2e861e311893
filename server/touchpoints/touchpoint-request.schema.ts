import { z } from 'zod';

import type { OfflineTouchInput } from '../../src/touchpoints/offline-touch';
import { TOUCH_KINDS } from '../../src/touchpoints/touch';

/**
 * Body of `POST /api/v1/touchpoints`: an offline touch (event, call, partner intro, ad platform). A contact and
 * a time are required; the channel is either given or classified from `source`/`url`/`kind`.
 */

const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

const touchTime = z
  .union([
    z.number().int('must be whole epoch milliseconds'),
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, {
        message: 'must be an ISO 8601 date-time with a time zone, or epoch milliseconds',
      })
      .transform((value) => Date.parse(value)),
  ])
  .pipe(
    z.number().min(MIN_TIME, 'must be after 2000-01-01').max(MAX_TIME, 'must be before 2100-01-01'),
  );

export const touchpointRequestSchema = z
  .object({
    contactId: z
      .union([
        z.string().trim().regex(/^\d+$/, 'must be a HubSpot record id'),
        z.number().int().positive(),
      ])
      .transform((value) => String(value))
      .describe('HubSpot contact record id'),
    at: touchTime.describe('when the touch happened'),
    kind: z.enum(TOUCH_KINDS).default('offline'),
    channel: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case channel slug')
      .optional(),
    source: z.string().trim().min(1).max(200).optional().describe('a source value to classify'),
    url: z.string().url().max(2000).optional().describe('landing URL; its utm_* parameters count'),
    campaign: z.string().trim().min(1).max(500).optional(),
    cost: z
      .object({
        cents: z.number().int('must be whole cents').min(0, 'must not be negative'),
        currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR'),
      })
      .strict()
      .optional(),
    note: z.string().max(2000).optional(),
    idempotencyKey: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export type TouchpointRequest = z.infer<typeof touchpointRequestSchema>;

// The parsed request is exactly what the pure converter takes; this line fails to compile if they drift.
export const toOfflineTouchInput = (request: TouchpointRequest): OfflineTouchInput => request;
