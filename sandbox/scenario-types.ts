/** A generated quarter: setup, a timeline of actions to play into the sandbox, and the ground truth. */

export const CHANNELS = [
  'paid_social',
  'paid_search',
  'webinar',
  'email',
  'content',
  'event',
  'referral',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Truce's default reason codes (`decisions.reasonCodes` in the rules file). */
export const REJECTION_REASONS = [
  'bad_fit',
  'no_intent',
  'duplicate',
  'unreachable',
  'competitor',
  'student_or_job_seeker',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type Fit = 'high' | 'mid' | 'low';

export interface OwnerProfile {
  readonly label: 'fast' | 'steady' | 'slow' | 'picky' | 'slow_picky';
  /** Mean hours from assignment to first sales touch. */
  readonly meanFirstTouchHours: number;
  /** Probability an assigned lead is never worked (the SLA breaches). */
  readonly ignoreRate: number;
  /** Base probability of rejecting a worked lead (scaled by fit). */
  readonly rejectRate: number;
}

export interface ScenarioOwner {
  readonly id: string;
  readonly userId: number;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly profile: OwnerProfile;
}

export interface ScenarioCampaign {
  readonly id: string;
  readonly name: string;
  readonly channel: Channel;
  /** The `hs_analytics_source` a touch of this campaign leaves. */
  readonly source: string;
  readonly startDate: string;
  readonly endDate: string;
  readonly budgetCents: number;
  /** Monthly spend items; their sum is the campaign's spend. */
  readonly spendItems: ReadonlyArray<{ readonly name: string; readonly amountCents: number }>;
  readonly spendCents: number;
  /** Ground truth: absolute increase of an accepted lead's win probability when it touched this campaign. */
  readonly trueLift: number;
  readonly formGuid?: string;
  readonly emailCampaignId?: number;
}

export interface ScenarioForm {
  readonly guid: string;
  readonly name: string;
  readonly campaignId: string;
}

export interface ScenarioProduct {
  readonly name: string;
  readonly priceCents: number;
}

export interface ScenarioSetup {
  readonly quarterStart: number;
  readonly quarterEnd: number;
  readonly owners: readonly ScenarioOwner[];
  readonly campaigns: readonly ScenarioCampaign[];
  readonly forms: readonly ScenarioForm[];
  readonly products: readonly ScenarioProduct[];
}

/** `c12`, `d3`, `li7`: references resolved to HubSpot ids when the timeline is played. */
export type ContactRef = `c${number}`;
export type CompanyRef = `co${number}`;
export type DealRef = `d${number}`;
export type LineItemRef = `li${number}`;

export type DealStageRole = 'discovery' | 'proposal' | 'negotiation' | 'won' | 'lost';

interface At {
  /** Scenario time (epoch ms); the player pins the portal clock to it. */
  readonly at: number;
}

export type ScenarioAction =
  | (At & {
      readonly kind: 'contact.create';
      readonly contact: ContactRef;
      /** The contact's company, created by an earlier `company.create`; the player associates them. */
      readonly company: CompanyRef;
      readonly properties: Readonly<Record<string, string>>;
      readonly changeSource: 'FORM' | 'IMPORT' | 'CRM_UI';
    })
  | (At & {
      readonly kind: 'company.create';
      readonly company: CompanyRef;
      readonly properties: Readonly<Record<string, string>>;
    })
  | (At & {
      readonly kind: 'visit';
      readonly contact: ContactRef;
      readonly source: string;
      readonly sourceData1: string;
      readonly url: string;
      readonly campaignId?: string;
      readonly interaction: 'AD_CLICK' | 'PAGE_VIEW' | 'EVENT' | 'OFFLINE';
    })
  | (At & {
      readonly kind: 'form.submit';
      readonly contact: ContactRef;
      readonly formGuid: string;
      readonly pageUrl: string;
    })
  | (At & {
      readonly kind: 'email.event';
      readonly contact: ContactRef;
      readonly type: 'OPEN' | 'CLICK';
      readonly emailCampaignId: number;
      readonly emailName: string;
      readonly campaignId: string;
      readonly url?: string;
    })
  | (At & {
      readonly kind: 'contact.update';
      readonly contact: ContactRef;
      readonly properties: Readonly<Record<string, string>>;
      readonly changeSource: 'AUTOMATION_PLATFORM' | 'CRM_UI';
      /** The owner's user id when a rep made the change. */
      readonly userId?: number;
    })
  | (At & {
      /** A rep's accept or reject; the player hands it to the caller's `onDecision`. */
      readonly kind: 'lead.decision';
      readonly contact: ContactRef;
      readonly ownerId: string;
      readonly decision: 'accepted' | 'rejected';
      readonly reason?: RejectionReason;
      /**
       * `hubspot`: the decision is already in the timeline as HubSpot changes (lifecycle stage to SQL, or the
       * reason property and lead status UNQUALIFIED), so this action is only a marker. `card`: only the card
       * call carries it; the caller must post it to the service.
       */
      readonly via: 'hubspot' | 'card';
    })
  | (At & {
      readonly kind: 'deal.create';
      readonly deal: DealRef;
      readonly contact: ContactRef;
      readonly company: CompanyRef;
      /** Stage ids are portal-specific: the player maps the role to the portal's pipeline. */
      readonly stage: DealStageRole;
      readonly properties: Readonly<Record<string, string>>;
    })
  | (At & {
      readonly kind: 'lineItem.create';
      readonly deal: DealRef;
      readonly lineItem: LineItemRef;
      readonly properties: Readonly<Record<string, string>>;
    })
  | (At & {
      readonly kind: 'deal.update';
      readonly deal: DealRef;
      readonly stage?: DealStageRole;
      readonly properties: Readonly<Record<string, string>>;
      readonly userId?: number;
    });

export type ScenarioActionKind = ScenarioAction['kind'];

export interface TruthTouch {
  readonly at: number;
  readonly campaignId: string | null;
  readonly channel: Channel | 'organic' | 'direct';
}

export interface TruthContact {
  readonly ref: ContactRef;
  readonly fit: Fit;
  readonly touches: readonly TruthTouch[];
  readonly mqlAt?: number;
  readonly ownerId?: string;
  readonly outcome: 'not_mql' | 'ignored' | 'rejected' | 'won' | 'lost';
  readonly reason?: RejectionReason;
  /** Minutes from assignment to the first sales touch, when worked. */
  readonly firstTouchMinutes?: number;
  readonly deal?: DealRef;
  readonly dealAmountCents?: number;
  /** The win probability the generator used: base for the fit plus the lifts of the touched campaigns. */
  readonly winProbability?: number;
}

export interface TruthCampaign {
  readonly id: string;
  readonly name: string;
  readonly channel: Channel;
  readonly trueLift: number;
  readonly spendCents: number;
  readonly touchedContacts: number;
  readonly mqls: number;
  readonly acceptedTouched: number;
  /** Σ over accepted leads this campaign touched of trueLift: wins it caused, in expectation. */
  readonly expectedIncrementalWins: number;
  /** Σ over accepted leads this campaign touched of trueLift × the lead's deal amount. */
  readonly expectedIncrementalRevenueCents: number;
  /** expectedIncrementalRevenueCents over the sum for all campaigns: the share a perfect model would give. */
  readonly trueRevenueShare: number;
  readonly wonDealsTouched: number;
  readonly wonRevenueTouchedCents: number;
}

export interface ScenarioTruth {
  readonly baseWinProbability: Readonly<Record<Fit, number>>;
  readonly campaigns: readonly TruthCampaign[];
  readonly contacts: readonly TruthContact[];
  readonly totals: {
    readonly contacts: number;
    readonly mqls: number;
    readonly accepted: number;
    readonly rejected: number;
    readonly ignored: number;
    readonly won: number;
    readonly lost: number;
    readonly wonRevenueCents: number;
    readonly spendCents: number;
  };
}

export interface Scenario {
  readonly seed: number;
  readonly setup: ScenarioSetup;
  /** Sorted by `at`; ties keep generation order. */
  readonly timeline: readonly ScenarioAction[];
  readonly truth: ScenarioTruth;
}

export interface ScenarioOptions {
  readonly seed: number;
  /** Contacts arriving during the quarter (default 400). */
  readonly contacts?: number;
  /** Start of the quarter (default 2026-07-01T00:00Z). */
  readonly quarterStart?: number;
  /** Length in days (default 91). */
  readonly days?: number;
  /**
   * How reps record decisions (default `hubspot`: lifecycle stage, lead status and the reason property, which
   * Truce reads from webhooks; `card`: in Truce's card only, leaving HubSpot with the activity signals).
   */
  readonly decisionsVia?: 'hubspot' | 'card';
  /** The HubSpot property a rep sets to reject with a reason (default `truce_reject_reason`). */
  readonly reasonProperty?: string;
}
