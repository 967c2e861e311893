/**
 * The shapes every attribution model reads. Times are epoch milliseconds and money is integer cents; the
 * core never reads a clock, so "now" and "closed at" always arrive as data.
 */

/** One marketing interaction on the way to a deal. */
export interface Touch {
  readonly at: number;
  readonly channel: string;
  readonly campaign?: string;
  /** e.g. `form_submission`, `email_click`, `ad_click`; custom weights may depend on it. */
  readonly kind?: string;
  readonly id?: string;
}

/** One deal (or one lost/stalled journey) with the touches of its contacts. */
export interface Journey {
  readonly id: string;
  readonly converted: boolean;
  /** Revenue of the deal in cents; 0 for journeys that did not convert. */
  readonly valueCents: number;
  readonly touches: readonly Touch[];
  readonly contactCreatedAt?: number;
  readonly dealCreatedAt?: number;
  readonly closedAt?: number;
}

/**
 * Indices into a journey's ordered, included touches (see `orderTouches`): first touch, lead creation,
 * opportunity creation and closed won. One touch may hold several milestones.
 */
export interface Milestones {
  readonly firstTouch: number;
  readonly leadCreation: number;
  readonly opportunityCreation: number;
  readonly closedWon: number;
}

/** The key credit is reported under: the touch's channel or its campaign. */
export type CreditKey = 'channel' | 'campaign';

export const NO_CAMPAIGN = '(no campaign)';

export function touchKey(touch: Touch, by: CreditKey): string {
  return by === 'channel' ? touch.channel : (touch.campaign ?? NO_CAMPAIGN);
}
