import type { Condition } from './handoff-settings';

/**
 * The slice of a HubSpot contact the handoff reads, in the shape of a batch read with `propertiesWithHistory`:
 * current values as strings, history entries `{ value, timestamp }` (ISO string or epoch milliseconds).
 */
export interface PropertyHistoryEntry {
  readonly value: string | null;
  readonly timestamp: string | number;
}

export interface ContactSnapshot {
  readonly properties: Readonly<Record<string, string | null | undefined>>;
  readonly propertiesWithHistory?: Readonly<Record<string, readonly PropertyHistoryEntry[]>>;
}

/** Form defaults that mean "not answered" (the X Education data and many HubSpot forms use "Select"). */
const UNANSWERED = new Set(['', 'select']);

export function isMissingValue(value: string | null | undefined): value is null | undefined | '' {
  return value === null || value === undefined || UNANSWERED.has(value.trim().toLowerCase());
}

/** The current value, trimmed; undefined when missing or unanswered. */
export function propertyValue(contact: ContactSnapshot, property: string): string | undefined {
  const value = contact.properties[property];
  return isMissingValue(value) ? undefined : value.trim();
}

export function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.replace(/,/g, ''));
  return Number.isFinite(number) ? number : undefined;
}

/** HubSpot sends date-times as ISO strings or epoch milliseconds (as a string or a number). */
export function parseTimestamp(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** History entries with a usable time, newest first (HubSpot's order, but not relied upon). */
export function propertyHistory(
  contact: ContactSnapshot,
  property: string,
): { value: string | undefined; at: number }[] {
  const entries = contact.propertiesWithHistory?.[property] ?? [];
  const result: { value: string | undefined; at: number }[] = [];
  for (const entry of entries) {
    const at = parseTimestamp(entry.timestamp);
    if (at !== undefined)
      result.push({ value: isMissingValue(entry.value) ? undefined : entry.value.trim(), at });
  }
  return result.sort((a, b) => b.at - a.at);
}

/** Whether a (possibly missing) value satisfies a condition; see `conditionSchema`. */
export function matchesCondition(value: string | undefined, condition: Condition): boolean {
  switch (condition.op) {
    case 'known':
      return value !== undefined;
    case 'unknown':
      return value === undefined;
    case 'in':
      return value !== undefined && condition.values.some((option) => sameText(option, value));
    case 'not_in':
      return value !== undefined && !condition.values.some((option) => sameText(option, value));
    case 'contains':
      return value !== undefined && value.toLowerCase().includes(condition.value.toLowerCase());
    case 'range': {
      const number = parseNumber(value);
      if (number === undefined) return false;
      if (condition.min !== undefined && number < condition.min) return false;
      if (condition.max !== undefined && number >= condition.max) return false;
      return true;
    }
  }
}

function sameText(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
