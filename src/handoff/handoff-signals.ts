import { isMissingValue, parseTimestamp } from './contact-snapshot';
import type { HandoffSettings } from './handoff-settings';
import type { HandoffEvent } from './handoff-state';

/**
 * Reads HubSpot property changes as handoff events: the trigger that opens an episode, the first sales
 * touch, and decisions made in HubSpot rather than in the card (lifecycle stage moved to SQL, lead status
 * UNQUALIFIED, the reject-reason property set). The service feeds every applied contact change through
 * `handoffSignals` and applies the returned events to the episode with `transitionHandoff`.
 */

export interface PropertyChange {
  readonly property: string;
  readonly value: string | null;
  /** The value before this change, when known (from the stored contact). */
  readonly previousValue?: string | null;
  readonly occurredAt: number;
}

/** Lifecycle stages after SQL: reaching one of them converts the episode. */
export const CONVERTED_LIFECYCLE_STAGES = ['opportunity', 'customer', 'evangelist'] as const;

export function isHandoffTrigger(
  change: PropertyChange,
  trigger: HandoffSettings['trigger'],
): boolean {
  return (
    change.property === trigger.property &&
    sameText(change.value, trigger.value) &&
    !sameText(change.previousValue, trigger.value)
  );
}

export interface HandoffSignal {
  readonly event: Extract<
    HandoffEvent,
    'first_touch' | 'accept' | 'reject' | 'convert' | 'recycle'
  >;
  readonly at: number;
  /** Which property said so, for the log and the episode history. */
  readonly source: string;
  /** For `reject`: a configured reason code, or null when HubSpot gave none that Truce knows. */
  readonly reasonCode?: string | null;
}

export interface SignalContext {
  readonly settings: Pick<HandoffSettings, 'trigger' | 'sla' | 'decisions'>;
  /** Changes before the episode started (e.g. a status set last year) are not touches. */
  readonly episodeStartedAt: number;
  /** The contact's current reject-reason property value, read with the change. */
  readonly reasonPropertyValue?: string | null;
}

export function handoffSignals(change: PropertyChange, context: SignalContext): HandoffSignal[] {
  const { settings, episodeStartedAt } = context;
  if (change.occurredAt < episodeStartedAt) return [];
  const { firstTouch } = settings.sla;
  const { decisions } = settings;
  const at = change.occurredAt;
  const signals: HandoffSignal[] = [];

  if (change.property === firstTouch.leadStatusProperty) {
    const leftNew =
      !isMissingValue(change.value) &&
      !sameText(change.value, firstTouch.newLeadStatus) &&
      (change.previousValue === undefined || !sameText(change.value, change.previousValue));
    if (leftNew) signals.push({ event: 'first_touch', at, source: change.property });
    if (sameText(change.value, decisions.unqualifiedLeadStatus))
      signals.push({
        event: 'reject',
        at,
        source: change.property,
        reasonCode: knownReason(context.reasonPropertyValue, decisions),
      });
  }

  if (firstTouch.activityProperties.includes(change.property) && !isMissingValue(change.value)) {
    const activityAt = parseTimestamp(change.value) ?? at;
    signals.push({
      event: 'first_touch',
      at: Math.max(activityAt, episodeStartedAt),
      source: change.property,
    });
  }

  if (change.property === decisions.reasonProperty && !isMissingValue(change.value))
    signals.push({
      event: 'reject',
      at,
      source: change.property,
      reasonCode: knownReason(change.value, decisions),
    });

  if (change.property === settings.trigger.property && !isMissingValue(change.value)) {
    if (sameText(change.value, decisions.acceptedLifecycleStage))
      signals.push({ event: 'accept', at, source: change.property });
    else if (CONVERTED_LIFECYCLE_STAGES.some((stage) => sameText(change.value, stage)))
      signals.push({ event: 'convert', at, source: change.property });
    else if (!sameText(change.value, settings.trigger.value))
      signals.push({ event: 'recycle', at, source: change.property });
  }
  return signals;
}

export class UnknownReasonCodeError extends Error {
  constructor(
    readonly code: string,
    readonly known: readonly string[],
  ) {
    super(`unknown reason code "${code}"; use one of: ${known.join(', ')}`);
    this.name = 'UnknownReasonCodeError';
  }
}

/** The configured reason for a code (case-insensitive), or an `UnknownReasonCodeError` for a 4xx answer. */
export function requireReasonCode(
  code: string,
  decisions: Pick<HandoffSettings['decisions'], 'reasonCodes'>,
): { code: string; label: string } {
  const reason = decisions.reasonCodes.find((candidate) => sameText(candidate.code, code));
  if (!reason)
    throw new UnknownReasonCodeError(
      code,
      decisions.reasonCodes.map((candidate) => candidate.code),
    );
  return reason;
}

function knownReason(
  value: string | null | undefined,
  decisions: Pick<HandoffSettings['decisions'], 'reasonCodes'>,
): string | null {
  if (isMissingValue(value)) return null;
  return decisions.reasonCodes.find((reason) => sameText(reason.code, value))?.code ?? null;
}

function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
