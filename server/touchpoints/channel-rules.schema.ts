import { z } from 'zod';

import { TOUCH_KINDS } from '../../src/touchpoints/touch';

/**
 * The `touchpoints` section of the rules file: how raw sources map to channels, and how HubSpot's property
 * histories are read into touches. Rules are tried in order; the first match wins.
 */

const pattern = z.string().trim().min(1).max(200);
const patterns = z.array(pattern).min(1).max(200);
const channelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case channel slug (a-z, 0-9, _ or -)');

export const channelRuleSchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('stored on every touch the rule classifies'),
    channel: channelName,
    when: z
      .object({
        kind: z.array(z.enum(TOUCH_KINDS)).min(1).optional(),
        hubspotSource: patterns
          .optional()
          .describe('hs_analytics_source / hs_latest_source values'),
        sourceData1: patterns.optional(),
        utmSource: patterns.optional(),
        utmMedium: patterns.optional(),
        utmCampaign: patterns.optional(),
        referrerDomain: patterns.optional().describe('a domain matches itself and its subdomains'),
        urlParam: patterns.optional().describe('query parameters present on the landing URL'),
      })
      .strict()
      .default({})
      .describe('every condition must hold; `*` is a wildcard; case-insensitive'),
  })
  .strict();

export const channelsSettingsSchema = z
  .object({
    rules: z
      .array(channelRuleSchema)
      .max(1000)
      .optional()
      .describe('replaces the built-in rule list when given'),
    extraRules: z
      .array(channelRuleSchema)
      .max(1000)
      .optional()
      .describe('tried before the rule list, to add a mapping without copying the defaults'),
    fallbackChannel: channelName.default('unknown'),
  })
  .strict()
  .superRefine((value, context) => {
    const seen = new Set<string>();
    for (const rule of [...(value.extraRules ?? []), ...(value.rules ?? [])]) {
      if (seen.has(rule.name)) {
        context.addIssue({ code: 'custom', message: `rule name "${rule.name}" is used twice` });
      }
      seen.add(rule.name);
    }
  });

export const touchpointsSettingsSchema = z
  .object({
    channels: channelsSettingsSchema.prefault({}),
    alignWindowMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(5_000)
      .describe('how far apart HubSpot may write a source and its *_data_1/2 companions'),
    sessionWindowMs: z
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .default(1_800_000)
      .describe(
        'a latest-source value this close after the first visit is the first session again',
      ),
  })
  .strict();

export type TouchpointsSettings = z.infer<typeof touchpointsSettingsSchema>;
