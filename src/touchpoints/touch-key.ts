import { createHash } from 'node:crypto';

/**
 * Deterministic idempotency keys: the same interaction read twice (a webhook redelivered, a backfill re-run)
 * gives the same key, so storage can refuse the second copy. The namespace stays readable; the identifying
 * parts are hashed to keep keys short whatever the inputs.
 */
export function touchKey(namespace: string, parts: readonly (string | number)[]): string {
  const digest = createHash('sha256')
    .update(parts.map((part) => String(part)).join('\u001f'))
    .digest('hex')
    .slice(0, 32);
  return `${namespace}:${digest}`;
}

/** Epoch ms from a HubSpot timestamp: a number, a string of digits, or an ISO 8601 date-time. */
export function parseHubSpotTime(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^-?\d+$/.test(text)) {
    const ms = Number(text);
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  // A bare date would be read as UTC midnight by Date.parse, which is what HubSpot date properties mean.
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
