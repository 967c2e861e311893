import { type ChannelRules, classifyChannel, type RawSourceFields } from './channel-classifier';
import { compareTouches, type Touch, type TouchKind } from './touch';
import { parseHubSpotTime, touchKey } from './touch-key';

/**
 * Turns a HubSpot contact read with `propertiesWithHistory` into touches.
 *
 * - The original source (`hs_analytics_source`) is one touch at `hs_analytics_first_timestamp`: its history is
 *   HubSpot correcting the same first session, so only its current value counts, under one key per contact.
 * - Every value in the history of `hs_latest_source` is a session touch; the one that is the original session
 *   again (same source within `sessionWindowMs` of the first visit) is not counted twice.
 * - Every conversion (`recent_conversion_date` history, plus `recent_conversion_event_name` changes without a
 *   date entry, plus `first_conversion_date` when the history no longer reaches back to it) is a
 *   form-submission touch carrying the converting campaign; the first-touch converting campaign belongs to
 *   the first conversion.
 *
 * Companion properties (`*_data_1/2`, the event name, the converting campaign) are written by HubSpot a moment
 * apart from their main property; a value belongs to a touch when it was in effect `alignWindowMs` after it.
 */

export const CONTACT_HISTORY_PROPERTIES = [
  'hs_analytics_source',
  'hs_analytics_source_data_1',
  'hs_analytics_source_data_2',
  'hs_latest_source',
  'hs_latest_source_data_1',
  'hs_latest_source_data_2',
  'recent_conversion_event_name',
  'recent_conversion_date',
  'hs_analytics_first_touch_converting_campaign',
  'hs_analytics_last_touch_converting_campaign',
  'hs_analytics_first_url',
  'hs_analytics_first_timestamp',
  'first_conversion_date',
  'first_conversion_event_name',
] as const;

export interface PropertyHistoryEntry {
  readonly value: string | null;
  readonly timestamp: string | number;
  readonly sourceType?: string;
  readonly sourceId?: string | null;
}

export interface ContactWithHistory {
  readonly id: string;
  readonly properties?: Readonly<Record<string, string | null | undefined>>;
  readonly propertiesWithHistory?: Readonly<
    Record<string, readonly PropertyHistoryEntry[] | undefined>
  >;
}

export interface HistoryOptions {
  readonly rules: ChannelRules;
  readonly alignWindowMs?: number;
  readonly sessionWindowMs?: number;
}

export interface SkippedHistoryEntry {
  readonly property: string;
  readonly timestamp: string | number;
  readonly reason: string;
}

export interface HistoryTouches {
  readonly touches: Touch[];
  readonly skipped: SkippedHistoryEntry[];
}

export const DEFAULT_ALIGN_WINDOW_MS = 5_000;
export const DEFAULT_SESSION_WINDOW_MS = 30 * 60_000;

interface TimedValue {
  readonly at: number;
  readonly value: string;
}

export function touchesFromContactHistory(
  contact: ContactWithHistory,
  options: HistoryOptions,
): HistoryTouches {
  const align = options.alignWindowMs ?? DEFAULT_ALIGN_WINDOW_MS;
  const sessionWindow = options.sessionWindowMs ?? DEFAULT_SESSION_WINDOW_MS;
  const skipped: SkippedHistoryEntry[] = [];
  const cache = new Map<string, TimedValue[]>();
  const history = (property: string): TimedValue[] => {
    let values = cache.get(property);
    if (!values) {
      values = readHistory(contact, property, skipped);
      cache.set(property, values);
    }
    return values;
  };
  const current = (property: string): string | undefined => {
    const values = history(property);
    if (values.length > 0) return values.at(-1)!.value || undefined;
    return clean(contact.properties?.[property]);
  };

  const touches: Touch[] = [];
  const original = originalSourceTouch(contact, history, current, options.rules);
  if (original) touches.push(original);

  for (const entry of history('hs_latest_source')) {
    if (entry.value === '') continue;
    if (
      original &&
      entry.value === original.rawSource.hs_analytics_source &&
      entry.at >= original.at - align &&
      entry.at <= original.at + sessionWindow
    ) {
      continue;
    }
    const fields: Record<string, string> = { hs_latest_source: entry.value };
    addIfPresent(
      fields,
      'hs_latest_source_data_1',
      valueAt(history('hs_latest_source_data_1'), entry.at + align),
    );
    addIfPresent(
      fields,
      'hs_latest_source_data_2',
      valueAt(history('hs_latest_source_data_2'), entry.at + align),
    );
    const kind: TouchKind = entry.value === 'OFFLINE' ? 'offline' : 'page_view_session';
    const classified = classifyChannel(
      {
        kind,
        hubspotSource: entry.value,
        sourceData1: fields.hs_latest_source_data_1 ?? null,
        sourceData2: fields.hs_latest_source_data_2 ?? null,
      },
      options.rules,
    );
    touches.push({
      contactId: contact.id,
      at: entry.at,
      kind,
      channel: classified.channel,
      campaign: classified.utm.campaign ?? null,
      rawSource: fields,
      matchedRule: classified.matchedRule,
      idempotencyKey: sessionKey(contact.id, entry.at),
    });
  }

  touches.push(...conversionTouches(contact, history, current, original, options.rules, align));
  return { touches: dedupeAndSort(touches), skipped };
}

function originalSourceTouch(
  contact: ContactWithHistory,
  history: (property: string) => TimedValue[],
  current: (property: string) => string | undefined,
  rules: ChannelRules,
): Touch | undefined {
  const source = current('hs_analytics_source');
  if (!source) return undefined;
  const firstSeen =
    parseHubSpotTime(current('hs_analytics_first_timestamp')) ??
    history('hs_analytics_source')[0]?.at;
  if (firstSeen === undefined) return undefined;
  const fields: Record<string, string> = { hs_analytics_source: source };
  addIfPresent(fields, 'hs_analytics_source_data_1', current('hs_analytics_source_data_1'));
  addIfPresent(fields, 'hs_analytics_source_data_2', current('hs_analytics_source_data_2'));
  addIfPresent(fields, 'hs_analytics_first_url', current('hs_analytics_first_url'));
  const kind: TouchKind = source === 'OFFLINE' ? 'offline' : 'page_view_session';
  const raw: RawSourceFields = {
    kind,
    hubspotSource: source,
    sourceData1: fields.hs_analytics_source_data_1 ?? null,
    sourceData2: fields.hs_analytics_source_data_2 ?? null,
    url: fields.hs_analytics_first_url ?? null,
    // HubSpot puts the referring site in data_1 for referrals.
    referrer: source === 'REFERRALS' ? (fields.hs_analytics_source_data_1 ?? null) : null,
  };
  const classified = classifyChannel(raw, rules);
  return {
    contactId: contact.id,
    at: firstSeen,
    kind,
    channel: classified.channel,
    campaign: classified.utm.campaign ?? null,
    rawSource: fields,
    matchedRule: classified.matchedRule,
    idempotencyKey: originalSourceKey(contact.id),
  };
}

function conversionTouches(
  contact: ContactWithHistory,
  history: (property: string) => TimedValue[],
  current: (property: string) => string | undefined,
  original: Touch | undefined,
  rules: ChannelRules,
  align: number,
): Touch[] {
  const dates = history('recent_conversion_date');
  const names = history('recent_conversion_event_name');
  // Each conversion: when HubSpot recorded it (history time) and when it happened (the date's value).
  const recorded: { recordedAt: number; at: number }[] = [];
  for (const entry of dates) {
    if (entry.value === '') continue;
    const at = parseHubSpotTime(entry.value);
    if (at === undefined) continue;
    recorded.push({ recordedAt: entry.at, at });
  }
  // A name change with no date entry near it is still a conversion (an older portal, or a partial history).
  for (const entry of names) {
    if (entry.value === '') continue;
    if (!dates.some((date) => Math.abs(date.at - entry.at) <= align)) {
      recorded.push({ recordedAt: entry.at, at: entry.at });
    }
  }
  // Histories can be cut short; the first conversion's own property still says when it was.
  const firstConversionAt = parseHubSpotTime(current('first_conversion_date'));
  if (
    firstConversionAt !== undefined &&
    !recorded.some(({ at }) => Math.abs(at - firstConversionAt) <= align)
  ) {
    recorded.push({ recordedAt: firstConversionAt, at: firstConversionAt });
  }
  if (recorded.length === 0) return [];
  recorded.sort((a, b) => a.at - b.at || a.recordedAt - b.recordedAt);
  const firstIndex =
    firstConversionAt === undefined
      ? 0
      : recorded.findIndex(({ at }) => Math.abs(at - firstConversionAt) <= align);

  const firstCampaign = current('hs_analytics_first_touch_converting_campaign');
  const latestSources = history('hs_latest_source');
  return recorded.map(({ recordedAt, at }, index) => {
    const isFirst = index === firstIndex;
    const fields: Record<string, string> = {
      recent_conversion_date: String(at),
    };
    addIfPresent(
      fields,
      'recent_conversion_event_name',
      valueAt(names, recordedAt + align) ??
        (isFirst ? current('first_conversion_event_name') : undefined),
    );
    const lastCampaign = valueAt(
      history('hs_analytics_last_touch_converting_campaign'),
      recordedAt + align,
    );
    const campaign = isFirst && firstCampaign ? firstCampaign : lastCampaign;
    if (isFirst && firstCampaign) {
      fields.hs_analytics_first_touch_converting_campaign = firstCampaign;
    } else {
      addIfPresent(fields, 'hs_analytics_last_touch_converting_campaign', lastCampaign);
    }

    // The conversion happened in the session whose source was in effect then.
    const sessionSource = valueAt(latestSources, recordedAt + align);
    const hubspotSource = sessionSource ?? original?.rawSource.hs_analytics_source;
    addIfPresent(fields, 'hs_latest_source', sessionSource);
    const sourceData1 = sessionSource
      ? valueAt(history('hs_latest_source_data_1'), recordedAt + align)
      : original?.rawSource.hs_analytics_source_data_1;
    const classified = classifyChannel(
      {
        kind: 'form_submission',
        hubspotSource: hubspotSource ?? null,
        sourceData1: sourceData1 ?? null,
      },
      rules,
    );
    return {
      contactId: contact.id,
      at,
      kind: 'form_submission' as const,
      channel: classified.channel,
      campaign: campaign ?? null,
      rawSource: fields,
      matchedRule: classified.matchedRule,
      idempotencyKey: conversionKey(contact.id, at),
    };
  });
}

/**
 * A contact has one original source, whatever HubSpot later corrects (its value, its first timestamp): one
 * key per contact, so a re-read with a correction updates that touch instead of adding a second one.
 */
export function originalSourceKey(contactId: string): string {
  return touchKey('original-source', [contactId]);
}

/** A session seen in `hs_latest_source`'s history: the contact and the moment HubSpot recorded it. */
export function sessionKey(contactId: string, at: number): string {
  return touchKey('session', [contactId, at]);
}

/**
 * A conversion is identified by contact and time, whether it was read from the contact's history or from the
 * form's submissions, so both capture paths store it once.
 */
export function conversionKey(contactId: string, at: number): string {
  return touchKey('conversion', [contactId, at]);
}

function readHistory(
  contact: ContactWithHistory,
  property: string,
  skipped: SkippedHistoryEntry[],
): TimedValue[] {
  const entries = contact.propertiesWithHistory?.[property] ?? [];
  const values: TimedValue[] = [];
  for (const entry of entries) {
    const at = parseHubSpotTime(entry.timestamp);
    const value = clean(entry.value);
    if (at === undefined) {
      skipped.push({ property, timestamp: entry.timestamp, reason: 'unreadable timestamp' });
      continue;
    }
    // A cleared value is kept as '' : it ends the previous value but is never a touch itself.
    values.push({ at, value: value ?? '' });
  }
  values.sort((a, b) => a.at - b.at || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return values.filter(
    (entry, index) =>
      index === 0 || entry.at !== values[index - 1]!.at || entry.value !== values[index - 1]!.value,
  );
}

/** The value in effect at `at`: the latest entry written at or before it. */
function valueAt(entries: readonly TimedValue[], at: number): string | undefined {
  let found: string | undefined;
  for (const entry of entries) {
    if (entry.at > at) break;
    found = entry.value;
  }
  return found === '' ? undefined : found;
}

function dedupeAndSort(touches: Touch[]): Touch[] {
  const byKey = new Map<string, Touch>();
  for (const touch of [...touches].sort(compareTouches)) {
    if (!byKey.has(touch.idempotencyKey)) byKey.set(touch.idempotencyKey, touch);
  }
  return [...byKey.values()];
}

function addIfPresent(
  target: Record<string, string>,
  key: string,
  value: string | undefined,
): void {
  if (value !== undefined && value !== '') target[key] = value;
}

function clean(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
