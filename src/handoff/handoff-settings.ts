import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * The `handoff` section of the rules file: the written contract between marketing and sales. Pure (a zod
 * schema), so the domain functions and the config loader share one source for types and runtime checks.
 */

export const DEFAULT_REASON_CODES = [
  { code: 'bad_fit', label: 'Bad fit' },
  { code: 'no_intent', label: 'No buying intent' },
  { code: 'duplicate', label: 'Duplicate' },
  { code: 'unreachable', label: 'Unreachable' },
  { code: 'competitor', label: 'Competitor' },
  { code: 'student_or_job_seeker', label: 'Student or job seeker' },
] as const;

export const ISO_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

const id = z
  .string()
  .regex(/^[a-z0-9_][a-z0-9_.-]*$/i, 'use letters, digits, "_", "-" or "." (no spaces)');

const timezone = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), { message: 'must be an IANA time zone' });

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM (00:00–24:00)');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** A condition on one contact property. Values compare case-insensitively; "Select" and empty are unknown. */
export const conditionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('in'), values: z.array(z.string()).min(1) }).strict(),
  z.object({ op: z.literal('not_in'), values: z.array(z.string()).min(1) }).strict(),
  z
    .object({
      op: z.literal('range'),
      min: z.number().optional().describe('inclusive'),
      max: z.number().optional().describe('exclusive'),
    })
    .strict()
    .refine((range) => range.min !== undefined || range.max !== undefined, {
      message: 'a range needs min or max',
    }),
  z.object({ op: z.literal('contains'), value: z.string().min(1) }).strict(),
  z.object({ op: z.literal('known') }).strict(),
  z.object({ op: z.literal('unknown') }).strict(),
]);
export type Condition = z.infer<typeof conditionSchema>;

export const fitRuleSchema = z
  .object({
    id,
    label: z.string().min(1),
    group: id.default('fit'),
    property: z.string().min(1),
    when: conditionSchema,
    points: z.number().finite(),
  })
  .strict();
export type FitRule = z.infer<typeof fitRuleSchema>;

export const decaySchema = z
  .object({
    everyDays: z.number().positive().describe('length of one decay period'),
    percent: z.number().min(0).max(100).describe('share of the points lost per full period'),
  })
  .strict();
export type Decay = z.infer<typeof decaySchema>;

/**
 * Engagement rules read activity: `count` scales a numeric property (e.g. `num_conversion_events`);
 * `events` gives points per change in the property's history (each conversion, each visit), decayed by age;
 * `recency` gives points for the latest activity time (a date property or its last history entry), decayed.
 */
export const engagementRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('count'),
      id,
      label: z.string().min(1),
      group: id.default('engagement'),
      property: z.string().min(1),
      pointsPerUnit: z.number().finite(),
      maxPoints: z.number().finite().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('events'),
      id,
      label: z.string().min(1),
      group: id.default('engagement'),
      property: z.string().min(1),
      pointsPerEvent: z.number().finite(),
      maxPoints: z.number().finite().optional(),
      decay: decaySchema.optional(),
      withinDays: z.number().positive().optional().describe('ignore older events'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('recency'),
      id,
      label: z.string().min(1),
      group: id.default('engagement'),
      property: z.string().min(1),
      points: z.number().finite(),
      decay: decaySchema.optional(),
      withinDays: z.number().positive().optional().describe('no points for older activity'),
    })
    .strict(),
]);
export type EngagementRule = z.infer<typeof engagementRuleSchema>;

export const scoreGroupSchema = z
  .object({
    id,
    label: z.string().min(1),
    max: z.number().finite().optional().describe('cap on the group total'),
    min: z.number().finite().optional().describe('floor on the group total (for negative rules)'),
  })
  .strict();
export type ScoreGroup = z.infer<typeof scoreGroupSchema>;

export const gradeSchema = z
  .object({ grade: z.string().min(1), min: z.number().finite() })
  .strict();

const scoringSchema = z
  .object({
    groups: z.array(scoreGroupSchema).default([
      { id: 'fit', label: 'Fit', max: 60 },
      { id: 'engagement', label: 'Engagement', max: 40 },
    ]),
    fit: z.array(fitRuleSchema).default([]),
    engagement: z.array(engagementRuleSchema).default([]),
    grades: z
      .array(gradeSchema)
      .min(1)
      .default([
        { grade: 'A', min: 70 },
        { grade: 'B', min: 40 },
      ])
      .describe('highest first; the first whose min the score reaches'),
    otherwiseGrade: z.string().min(1).default('C'),
    model: z
      .object({
        file: z.string().min(1).describe('a model JSON written by `truce score fit`'),
        weight: z
          .number()
          .min(0)
          .max(1)
          .default(1)
          .describe('share of the learned score in the blend; 1 = learned only'),
      })
      .strict()
      .optional(),
  })
  .strict();

const awayPeriodSchema = z
  .object({
    from: isoDate.describe("first away day, in the owner's time zone"),
    to: isoDate.describe('last away day (inclusive)'),
  })
  .strict()
  .refine((period) => period.from <= period.to, { message: 'from must not be after to' });

const workingHoursSchema = z
  .object({ start: clockTime, end: clockTime })
  .strict()
  .refine((hours) => hours.start < hours.end, { message: 'start must be before end' });

export const ownerSchema = z
  .object({
    id: z.string().min(1).describe('HubSpot owner id'),
    weight: z.number().int().min(1).max(1000).default(1),
    timezone: timezone.optional().describe('defaults to sla.timezone'),
    workingHours: workingHoursSchema.optional(),
    away: z.array(awayPeriodSchema).default([]),
    managerId: z.string().min(1).optional().describe('owner who gets the escalation task'),
  })
  .strict();
export type OwnerSettings = z.infer<typeof ownerSchema>;

export const territorySchema = z
  .object({
    id,
    label: z.string().min(1).optional(),
    property: z.string().min(1),
    when: conditionSchema,
    owners: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type Territory = z.infer<typeof territorySchema>;

const routingSchema = z
  .object({
    keepExistingOwner: z.boolean().default(true),
    ownerProperty: z.string().min(1).default('hubspot_owner_id'),
    owners: z.array(ownerSchema).default([]),
    territories: z.array(territorySchema).default([]).describe('first match wins'),
  })
  .strict();

const slaSchema = z
  .object({
    hours: z.number().positive().max(1000).default(4).describe('working hours to the first touch'),
    timezone: timezone.default('UTC').describe('for owners without their own'),
    workingDays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .default([1, 2, 3, 4, 5])
      .describe('ISO weekdays, 1 = Monday'),
    workingHours: workingHoursSchema.default({ start: '09:00', end: '17:00' }),
    holidays: z.array(isoDate).default([]),
    reminderBeforeMinutes: z.number().int().min(0).default(60),
    escalation: z
      .object({
        action: z.enum(['reassign', 'manager_task', 'none']).default('manager_task'),
        managerId: z.string().min(1).optional().describe('fallback when the owner has none'),
      })
      .strict()
      .prefault({}),
    firstTouch: z
      .object({
        leadStatusProperty: z.string().min(1).default('hs_lead_status'),
        newLeadStatus: z.string().min(1).default('NEW'),
        activityProperties: z
          .array(z.string().min(1))
          .default(['notes_last_contacted', 'hs_last_sales_activity_timestamp']),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const decisionsSchema = z
  .object({
    reasonCodes: z
      .array(z.object({ code: id, label: z.string().min(1) }).strict())
      .min(1)
      .default(DEFAULT_REASON_CODES.map((reason) => ({ ...reason }))),
    acceptedLifecycleStage: z.string().min(1).default('salesqualifiedlead'),
    rejectedLifecycleStage: z.string().min(1).default('lead'),
    reasonProperty: z
      .string()
      .min(1)
      .default('truce_reject_reason')
      .describe('HubSpot property a rep may set to reject from HubSpot'),
    unqualifiedLeadStatus: z.string().min(1).default('UNQUALIFIED'),
  })
  .strict();

export const handoffSettingsSchema = z
  .object({
    trigger: z
      .object({
        property: z.string().min(1).default('lifecyclestage'),
        value: z.string().min(1).default('marketingqualifiedlead'),
      })
      .strict()
      .prefault({}),
    scoring: scoringSchema.prefault({}),
    routing: routingSchema.prefault({}),
    sla: slaSchema.prefault({}),
    decisions: decisionsSchema.prefault({}),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const problem = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });

    const groupIds = new Set(settings.scoring.groups.map((group) => group.id));
    reportDuplicates(
      settings.scoring.groups.map((group) => group.id),
      (index) => problem(['scoring', 'groups', index, 'id'], 'duplicate group id'),
    );
    const rules = [
      ...settings.scoring.fit.map((rule, index) => ({ rule, path: ['scoring', 'fit', index] })),
      ...settings.scoring.engagement.map((rule, index) => ({
        rule,
        path: ['scoring', 'engagement', index],
      })),
    ];
    reportDuplicates(
      rules.map(({ rule }) => rule.id),
      (index) => problem([...rules[index]!.path, 'id'], 'duplicate rule id'),
    );
    rules.forEach(({ rule, path }) => {
      if (!groupIds.has(rule.group))
        problem([...path, 'group'], `unknown group "${rule.group}" (not in scoring.groups)`);
    });
    settings.scoring.groups.forEach((group, index) => {
      if (group.min !== undefined && group.max !== undefined && group.min > group.max)
        problem(['scoring', 'groups', index, 'min'], 'min must not exceed max');
    });
    settings.scoring.grades.forEach((grade, index, grades) => {
      if (index > 0 && grade.min >= grades[index - 1]!.min)
        problem(['scoring', 'grades', index, 'min'], 'grades must be listed highest min first');
    });

    const ownerIds = settings.routing.owners.map((owner) => owner.id);
    reportDuplicates(ownerIds, (index) =>
      problem(['routing', 'owners', index, 'id'], 'duplicate owner id'),
    );
    settings.routing.territories.forEach((territory, index) => {
      territory.owners.forEach((ownerId, ownerIndex) => {
        if (!ownerIds.includes(ownerId))
          problem(
            ['routing', 'territories', index, 'owners', ownerIndex],
            `unknown owner "${ownerId}" (not in routing.owners)`,
          );
      });
    });
    reportDuplicates(
      settings.routing.territories.map((territory) => territory.id),
      (index) => problem(['routing', 'territories', index, 'id'], 'duplicate territory id'),
    );
    reportDuplicates(settings.sla.workingDays.map(String), (index) =>
      problem(['sla', 'workingDays', index], 'duplicate weekday'),
    );
    reportDuplicates(
      settings.decisions.reasonCodes.map((reason) => reason.code),
      (index) => problem(['decisions', 'reasonCodes', index, 'code'], 'duplicate reason code'),
    );
  });

export type HandoffSettings = z.infer<typeof handoffSettingsSchema>;
export type ScoringSettings = HandoffSettings['scoring'];
export type RoutingSettings = HandoffSettings['routing'];
export type SlaSettings = HandoffSettings['sla'];
export type DecisionSettings = HandoffSettings['decisions'];

function reportDuplicates(values: readonly string[], report: (index: number) => void): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) report(index);
    seen.add(value);
  });
}
