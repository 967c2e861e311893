import { z } from 'zod';

/** One campaign spend figure, as `POST /api/v1/spend` and `truce spend import` take it. */
export const spendEntrySchema = z
  .object({
    campaign: z.string().trim().min(1).max(500),
    period: z.string().trim().min(1).describe('2026, 2026-Q3, 2026-07 or 2026-07-15'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR'),
    cents: z.number().int('must be whole cents').min(0, 'must not be negative'),
    source: z.string().trim().min(1).max(100).default('api'),
  })
  .strict();

export const spendRequestSchema = z.union([
  spendEntrySchema,
  z.object({ entries: z.array(spendEntrySchema).min(1).max(10_000) }).strict(),
]);

export type SpendRequestEntry = z.infer<typeof spendEntrySchema>;
