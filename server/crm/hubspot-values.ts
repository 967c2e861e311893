/**
 * HubSpot sends every property value as a string. These turn the ones Truce stores into typed values: money
 * as integer cents, dates as epoch milliseconds, '' as "cleared".
 */

export type PropertyValue = string | number | boolean | null | undefined;

export function parseText(value: PropertyValue): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** "1234.565" → 123457 cents (half away from zero), exactly: no binary floating point on the way. */
export function parseAmountCents(value: PropertyValue): number | null {
  const text = parseText(value);
  if (text === null) return null;
  const match = DECIMAL.exec(text.replace(/,/g, ''));
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new Error(`amount "${text}" is not a number`);
  }
  const sign = match[1] === '-' ? -1 : 1;
  const fraction = (match[3] ?? '').padEnd(3, '0');
  let cents = Number(match[2] || '0') * 100 + Number(fraction.slice(0, 2));
  if (Number(fraction[2]) >= 5) cents += 1;
  if (!Number.isSafeInteger(cents)) throw new Error(`amount "${text}" is out of range`);
  return sign * cents;
}

/** Epoch milliseconds as digits (what webhooks send) or an ISO date. */
export function parseTimestamp(value: PropertyValue): number | null {
  const text = parseText(value);
  if (text === null) return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed))
    throw new Error(`date "${text}" is neither epoch milliseconds nor ISO 8601`);
  return parsed;
}
