import { z } from 'zod';

/**
 * The HubSpot answers backfill reads that `@hubspot/api-client` 13 has no generated models for, as HubSpot's
 * API reference documents them (campaigns v3, marketing emails v3, form-integrations v1, email events v1).
 * Only the fields backfill uses are checked; the rest are dropped. Fields HubSpot may omit are optional.
 */

const paging = z
  .object({
    next: z.object({ after: z.string().optional(), link: z.string().optional() }).optional(),
  })
  .optional();

/** `GET /marketing/v3/campaigns` */
export const campaignPageSchema = z.object({
  results: z
    .array(
      z.object({
        id: z.string().min(1).describe('campaign guid'),
        createdAt: z.string().optional(),
        properties: z
          .record(z.string(), z.string().nullable())
          .optional()
          .describe('hs_name, hs_start_date, hs_end_date, hs_currency_code when asked for'),
      }),
    )
    .default([]),
  paging,
});
export type CampaignPage = z.infer<typeof campaignPageSchema>;

/** `GET /marketing/v3/campaigns/{campaignGuid}/assets/{assetType}` */
export const campaignAssetPageSchema = z.object({
  results: z
    .array(z.object({ id: z.union([z.string(), z.number()]).transform(String) }))
    .default([]),
  paging,
});

/**
 * `GET /marketing/v3/emails/{emailId}`: a campaign's MARKETING_EMAIL asset is the email; its events carry the
 * email's send ids (`allEmailCampaignIds`), a different number.
 */
export const marketingEmailSchema = z.object({
  allEmailCampaignIds: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
});

/** `GET /marketing/v3/campaigns/{campaignGuid}/budget/totals` (amounts in the campaign's currency units) */
export const budgetTotalsSchema = z.object({
  spendTotal: z.number().optional(),
  currencyCode: z.string().optional(),
});
export type BudgetTotals = z.infer<typeof budgetTotalsSchema>;

/** `GET /form-integrations/v1/submissions/forms/{formGuid}` */
export const formSubmissionPageSchema = z.object({
  results: z
    .array(
      z.object({
        conversionId: z.string(),
        submittedAt: z.number().describe('epoch ms'),
        pageUrl: z.string().nullable().optional(),
        values: z.array(z.object({ name: z.string(), value: z.string() })).default([]),
      }),
    )
    .default([]),
  paging,
});
export type FormSubmissionValues = z.infer<
  typeof formSubmissionPageSchema
>['results'][number]['values'];

/** `GET /email/public/v1/events`: offset paging (`offset` is an opaque continuation token). */
export const emailEventPageSchema = z.object({
  events: z
    .array(
      z.object({
        id: z.string(),
        created: z.number().describe('epoch ms'),
        type: z.string(),
        recipient: z.string().optional(),
        emailCampaignId: z.number().optional(),
        url: z.string().optional(),
      }),
    )
    .default([]),
  hasMore: z.boolean().default(false),
  offset: z.union([z.string(), z.number()]).transform(String).optional(),
});
