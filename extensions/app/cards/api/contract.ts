/**
 * The card ↔ service contract: every request and response of `/api/card/...`.
 *
 * This file is the one source of truth. The card folder imports it directly (HubSpot builds the card from
 * `extensions/app/cards` alone, so it cannot live in `server/`); the service mirrors it as zod schemas in
 * `server/card/card-contract.schema.ts`, and `npm run typecheck` fails when the two drift apart.
 *
 * Conventions: times are epoch milliseconds, money is integer cents in `currency`, ids are strings (HubSpot ids
 * exceed 2^31 and the card receives them as numbers or strings), absent values are `null` (never omitted).
 */

export const HANDOFF_STATUSES = [
  'pending',
  'accepted',
  'rejected',
  'breached',
  'converted',
  'recycled',
] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

/** `due`: the clock runs; `breached`: no sales touch before the deadline; `met`: touched in time. */
export const SLA_STATES = ['due', 'breached', 'met'] as const;
export type SlaState = (typeof SLA_STATES)[number];

export const TOUCHPOINT_KINDS = [
  'form_submission',
  'email_click',
  'ad_click',
  'page_view_session',
  'event_attendance',
  'offline',
  'sales_activity',
] as const;
export type TouchpointKind = (typeof TOUCHPOINT_KINDS)[number];

/** First touch, lead creation, opportunity creation, closed won (see PRODUCT.md, attribution models). */
export const MILESTONES = ['FT', 'LC', 'OC', 'CW'] as const;
export type Milestone = (typeof MILESTONES)[number];

export const DEAL_OUTCOMES = ['open', 'won', 'lost'] as const;
export type DealOutcome = (typeof DEAL_OUTCOMES)[number];

export const SCORE_REASON_SOURCES = ['rule', 'feature'] as const;
export type ScoreReasonSource = (typeof SCORE_REASON_SOURCES)[number];

export const DECISION_OUTCOMES = ['accepted', 'rejected'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

// ---------------------------------------------------------------------------------------------- errors

/** Codes the card treats specially; the service may send others (shown with their message). */
export const CARD_ERROR_CODES = {
  notFound: 'not_found',
  alreadyDecided: 'handoff_already_decided',
  handoffChanged: 'handoff_changed',
  invalidRequest: 'invalid_request',
  unknownModel: 'unknown_model',
  unauthorized: 'invalid_signature',
} as const;

/** Every non-2xx answer of the card API. */
export interface CardErrorBody {
  error: { code: string; message: string };
}

// ---------------------------------------------------------------------------------------------- contact

export interface CardUser {
  /** HubSpot user or owner id. */
  id: string;
  /** Display name; null when HubSpot has none. */
  name: string | null;
}

export interface ScoreReason {
  /** What the rep reads, e.g. "Job title contains VP" or "Visited pricing page 3×". */
  label: string;
  /** Signed points this rule or feature contributed (features: the scaled log-odds contribution). */
  points: number;
  source: ScoreReasonSource;
}

export interface HandoffScore {
  value: number;
  /** Letter grade from the configured thresholds, e.g. "A". */
  grade: string;
  /** The largest contributions by absolute points, at most 5, largest first. */
  reasons: ScoreReason[];
}

export interface HandoffSla {
  state: SlaState;
  dueAt: number;
  /** First sales touch (call, email, task done, accept or reject); null while none. */
  firstTouchAt: number | null;
  /** Assignment to first touch, or to `now` while untouched (the rep delay so far). */
  repDelayMs: number;
}

export interface HandoffDecision {
  outcome: DecisionOutcome;
  decidedBy: CardUser;
  decidedAt: number;
  /** Rejections only. */
  reasonCode: string | null;
  reasonLabel: string | null;
  note: string | null;
}

export interface CardHandoff {
  id: string;
  status: HandoffStatus;
  score: HandoffScore;
  owner: CardUser | null;
  assignedAt: number;
  sla: HandoffSla;
  decision: HandoffDecision | null;
  /** True while the acting user may still accept or reject this handoff. */
  canDecide: boolean;
}

export interface CampaignRef {
  id: string;
  name: string;
}

export interface CardTouchpoint {
  id: string;
  occurredAt: number;
  kind: TouchpointKind;
  /** Channel as classified by Truce, e.g. "Paid search". */
  channel: string;
  campaign: CampaignRef | null;
  /** One line for the timeline, e.g. "Submitted Demo request form". */
  label: string;
}

export interface RejectReason {
  code: string;
  label: string;
}

/** GET /api/card/contacts/:contactId/handoff, and the answer of accept and reject. */
export interface ContactHandoffView {
  contactId: string;
  /** The contact's current (latest) handoff; null when the contact never became an MQL. */
  handoff: CardHandoff | null;
  /** Newest first, at most 50. */
  touchpoints: CardTouchpoint[];
  /** The configured reason codes, in the order the Select shows them. */
  rejectReasons: RejectReason[];
  /** Service clock when the view was built: the card counts the SLA down from it, not from its own clock. */
  now: number;
}

/** POST /api/card/contacts/:contactId/handoff/accept. */
export interface AcceptHandoffRequest {
  /** The handoff the rep saw; a different current handoff answers 409 `handoff_changed`. */
  handoffId: string;
  /**
   * The rep deciding, from the card's `context.user`. The body is covered by HubSpot's signature; the service
   * prefers the `userId`/`userEmail` query parameters when HubSpot's proxy adds them (not confirmed to happen).
   */
  actor?: CardUser;
}

/** POST /api/card/contacts/:contactId/handoff/reject. */
export interface RejectHandoffRequest {
  handoffId: string;
  /** One of `rejectReasons[].code`; another answers 400 `invalid_request`. */
  reasonCode: string;
  /** Free text for marketing, at most 1000 characters; may be empty. */
  note: string;
  /** As in `AcceptHandoffRequest`. */
  actor?: CardUser;
}

// ---------------------------------------------------------------------------------------------- deal

export interface AttributionModelOption {
  /** The value of `?model=`, e.g. "linear", "w_shaped", "markov", "shapley". */
  id: string;
  label: string;
}

export interface CampaignChannelCredit {
  /** null for touches with no campaign (direct traffic, organic). */
  campaign: CampaignRef | null;
  channel: string;
  creditCents: number;
  /** Share of the deal amount, 0..1. */
  share: number;
}

export interface ModelSpread {
  campaign: CampaignRef | null;
  minCents: number;
  minModel: string;
  maxCents: number;
  maxModel: string;
  /** max / min; null when min is 0 (the campaign gets nothing under some model). */
  ratio: number | null;
}

export interface JourneyStep {
  touchpointId: string;
  occurredAt: number;
  kind: TouchpointKind;
  channel: string;
  campaign: CampaignRef | null;
  contactId: string;
  milestones: Milestone[];
}

/** GET /api/card/deals/:dealId/attribution?model=ID (model omitted: the configured default). */
export interface DealAttributionView {
  dealId: string;
  dealName: string | null;
  amountCents: number;
  currency: string;
  outcome: DealOutcome;
  closedAt: number | null;
  /** True for open deals: the credits are what each campaign would get if the deal closed won now. */
  expected: boolean;
  /** Every model the service computes, in display order. */
  models: AttributionModelOption[];
  /** The model of `credits`. */
  model: string;
  /** Per campaign and channel under `model`, largest first; sums to `amountCents` (empty for lost deals). */
  credits: CampaignChannelCredit[];
  /** Per campaign across all models. */
  spread: ModelSpread[];
  /**
   * The touches of the deal's contacts up to close (or now), oldest first, at most 200 so the answer stays far
   * under HubSpot's 1 MB limit: when there are more, the milestone touches are kept and the oldest others left out.
   */
  journey: JourneyStep[];
  /** How many touches were left out of `journey` (0 when it is complete). */
  journeyOmitted: number;
  computedAt: number;
}

// ---------------------------------------------------------------------------------------------- paths

/** Express route patterns, for the service. */
export const CARD_ROUTES = {
  contactHandoff: '/api/card/contacts/:contactId/handoff',
  acceptHandoff: '/api/card/contacts/:contactId/handoff/accept',
  rejectHandoff: '/api/card/contacts/:contactId/handoff/reject',
  dealAttribution: '/api/card/deals/:dealId/attribution',
} as const;

type RecordId = string | number;
const segment = (id: RecordId): string => encodeURIComponent(String(id));

/** Concrete paths, for the card. */
export const cardPaths = {
  contactHandoff: (contactId: RecordId): string =>
    `/api/card/contacts/${segment(contactId)}/handoff`,
  acceptHandoff: (contactId: RecordId): string =>
    `/api/card/contacts/${segment(contactId)}/handoff/accept`,
  rejectHandoff: (contactId: RecordId): string =>
    `/api/card/contacts/${segment(contactId)}/handoff/reject`,
  dealAttribution: (dealId: RecordId, model?: string | null): string =>
    `/api/card/deals/${segment(dealId)}/attribution` +
    (model ? `?model=${encodeURIComponent(model)}` : ''),
};
