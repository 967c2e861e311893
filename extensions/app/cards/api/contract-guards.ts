import {
  type ContactHandoffView,
  DEAL_OUTCOMES,
  type DealAttributionView,
  HANDOFF_STATUSES,
  SLA_STATES,
} from './contract';

// The card cannot afford a validation library in its bundle; these guards check what the components
// dereference, so a body from a different service version fails as "invalid body", not as a render crash.

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);

function isHandoff(value: unknown): boolean {
  if (value === null) return true;
  if (!isRecord(value) || !isRecord(value.score) || !isRecord(value.sla)) return false;
  return (
    typeof value.id === 'string' &&
    isOneOf(HANDOFF_STATUSES, value.status) &&
    typeof value.score.value === 'number' &&
    Array.isArray(value.score.reasons) &&
    isOneOf(SLA_STATES, value.sla.state) &&
    typeof value.sla.dueAt === 'number' &&
    typeof value.canDecide === 'boolean'
  );
}

export function isContactHandoffView(body: unknown): body is ContactHandoffView {
  return (
    isRecord(body) &&
    typeof body.contactId === 'string' &&
    isHandoff(body.handoff) &&
    Array.isArray(body.touchpoints) &&
    Array.isArray(body.rejectReasons) &&
    typeof body.now === 'number'
  );
}

export function isDealAttributionView(body: unknown): body is DealAttributionView {
  return (
    isRecord(body) &&
    typeof body.dealId === 'string' &&
    typeof body.amountCents === 'number' &&
    typeof body.currency === 'string' &&
    isOneOf(DEAL_OUTCOMES, body.outcome) &&
    Array.isArray(body.models) &&
    typeof body.model === 'string' &&
    Array.isArray(body.credits) &&
    Array.isArray(body.spread) &&
    Array.isArray(body.journey) &&
    typeof body.journeyOmitted === 'number'
  );
}
