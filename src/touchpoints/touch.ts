/**
 * A touchpoint as Truce stores it: one marketing or sales interaction of one contact. Every capture path
 * (contact history, form submissions, email clicks, offline API) produces this shape, so the storage layer and
 * the attribution engine see one kind of record.
 */

export const TOUCH_KINDS = [
  'page_view_session',
  'form_submission',
  'email_click',
  'ad_click',
  'event_attendance',
  'offline',
  'sales_activity',
] as const;

export type TouchKind = (typeof TOUCH_KINDS)[number];

export interface TouchCost {
  readonly cents: number;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
}

export interface Touch {
  readonly contactId: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly kind: TouchKind;
  readonly channel: string;
  readonly campaign: string | null;
  /** The source fields exactly as read, so a touch can be re-classified when the rules change. */
  readonly rawSource: Readonly<Record<string, string>>;
  /** Name of the classifier rule that chose the channel (`explicit` when the caller named the channel). */
  readonly matchedRule: string;
  /** Same interaction → same key, however often it is read; storage is unique on it per portal. */
  readonly idempotencyKey: string;
  readonly cost?: TouchCost;
  readonly note?: string;
}

export function isTouchKind(value: string): value is TouchKind {
  return (TOUCH_KINDS as readonly string[]).includes(value);
}

/** Chronological, then a fixed tie-break, so equal inputs always give equal sequences. */
export function compareTouches(a: Touch, b: Touch): number {
  if (a.at !== b.at) return a.at - b.at;
  const byKind = TOUCH_KINDS.indexOf(a.kind) - TOUCH_KINDS.indexOf(b.kind);
  if (byKind !== 0) return byKind;
  return a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0;
}
