import { z } from 'zod';

import {
  type AcceptHandoffRequest,
  type CardErrorBody,
  type ContactHandoffView,
  DEAL_OUTCOMES,
  type DealAttributionView,
  DECISION_OUTCOMES,
  HANDOFF_STATUSES,
  MILESTONES,
  type RejectHandoffRequest,
  SCORE_REASON_SOURCES,
  SLA_STATES,
  TOUCHPOINT_KINDS,
} from '../../extensions/app/cards/api/contract';

/**
 * The card API's bodies as zod schemas. The TypeScript contract in `extensions/app/cards/api/contract.ts` is the
 * source of truth; each schema is checked against it in both directions below, so `npm run typecheck` fails the
 * moment either side changes alone. Requests are parsed with these; responses are parsed in tests (and may be
 * in development) so the service can never send a shape the card does not understand.
 */

const epochMs = z.number().int().nonnegative().describe('epoch milliseconds');
const cents = z.number().int().describe('integer cents in the view currency');
const id = z.string().min(1);

const cardUser = z.object({ id, name: z.string().nullable() });
const campaignRef = z.object({ id, name: z.string() });

const scoreReason = z.object({
  label: z.string(),
  points: z.number().describe('signed points this rule or feature contributed'),
  source: z.enum(SCORE_REASON_SOURCES),
});

const handoff = z.object({
  id,
  status: z.enum(HANDOFF_STATUSES),
  score: z.object({ value: z.number(), grade: z.string(), reasons: z.array(scoreReason).max(5) }),
  owner: cardUser.nullable(),
  assignedAt: epochMs,
  sla: z.object({
    state: z.enum(SLA_STATES),
    dueAt: epochMs,
    firstTouchAt: epochMs.nullable(),
    repDelayMs: z.number().int().nonnegative(),
  }),
  decision: z
    .object({
      outcome: z.enum(DECISION_OUTCOMES),
      decidedBy: cardUser,
      decidedAt: epochMs,
      reasonCode: z.string().nullable(),
      reasonLabel: z.string().nullable(),
      note: z.string().nullable(),
    })
    .nullable(),
  canDecide: z.boolean(),
});

const cardTouchpoint = z.object({
  id,
  occurredAt: epochMs,
  kind: z.enum(TOUCHPOINT_KINDS),
  channel: z.string(),
  campaign: campaignRef.nullable(),
  label: z.string(),
});

export const contactHandoffViewSchema = z.object({
  contactId: id,
  handoff: handoff.nullable(),
  touchpoints: z.array(cardTouchpoint).max(50),
  rejectReasons: z.array(z.object({ code: id, label: z.string() })),
  now: epochMs.describe('service clock when the view was built; the card counts the SLA from it'),
}) satisfies z.ZodType<ContactHandoffView>;

const decidingUser = z
  .strictObject({ id, name: z.string().max(200).nullable() })
  .optional()
  .describe("the rep from the card's context.user; signed with the body");

export const acceptHandoffRequestSchema = z.strictObject({
  handoffId: id.describe('the handoff the rep saw; another current handoff answers 409'),
  actor: decidingUser,
}) satisfies z.ZodType<AcceptHandoffRequest>;

export const rejectHandoffRequestSchema = z.strictObject({
  handoffId: id,
  reasonCode: id.describe('one of the configured reason codes'),
  note: z.string().max(1000),
  actor: decidingUser,
}) satisfies z.ZodType<RejectHandoffRequest>;

export const dealAttributionViewSchema = z.object({
  dealId: id,
  dealName: z.string().nullable(),
  amountCents: cents,
  currency: z.string().length(3).describe('ISO 4217 code'),
  outcome: z.enum(DEAL_OUTCOMES),
  closedAt: epochMs.nullable(),
  expected: z.boolean().describe('open deal: credit if it closed won now'),
  models: z.array(z.object({ id, label: z.string() })).min(1),
  model: id,
  credits: z.array(
    z.object({
      campaign: campaignRef.nullable(),
      channel: z.string(),
      creditCents: cents,
      share: z.number().min(0).max(1),
    }),
  ),
  spread: z.array(
    z.object({
      campaign: campaignRef.nullable(),
      minCents: cents,
      minModel: id,
      maxCents: cents,
      maxModel: id,
      ratio: z.number().nonnegative().nullable().describe('max / min; null when min is 0'),
    }),
  ),
  journey: z
    .array(
      z.object({
        touchpointId: id,
        occurredAt: epochMs,
        kind: z.enum(TOUCHPOINT_KINDS),
        channel: z.string(),
        campaign: campaignRef.nullable(),
        contactId: id,
        milestones: z.array(z.enum(MILESTONES)),
      }),
    )
    .max(200),
  journeyOmitted: z.number().int().nonnegative(),
  computedAt: epochMs,
}) satisfies z.ZodType<DealAttributionView>;

export const dealAttributionQuerySchema = z.object({
  model: z.string().min(1).max(64).optional().describe('absent: the configured default model'),
});

export const cardErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
}) satisfies z.ZodType<CardErrorBody>;

// `satisfies` proves schema output ⊆ contract; these prove the contract ⊆ schema output, so a field added to the
// contract and forgotten here (or the reverse) is a type error.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(): T | undefined => undefined;
agree<Same<z.infer<typeof contactHandoffViewSchema>, ContactHandoffView>>();
agree<Same<z.infer<typeof acceptHandoffRequestSchema>, AcceptHandoffRequest>>();
agree<Same<z.infer<typeof rejectHandoffRequestSchema>, RejectHandoffRequest>>();
agree<Same<z.infer<typeof dealAttributionViewSchema>, DealAttributionView>>();
agree<Same<z.infer<typeof cardErrorBodySchema>, CardErrorBody>>();
