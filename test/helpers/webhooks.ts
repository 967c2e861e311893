import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Kysely } from 'kysely';

import type { Database } from '../../server/db/schema';

export const WEBHOOK_SECRET = 'test-client-secret-7d1c';
export const PORTAL_ID = 62515;
export const PUBLIC_BASE_URL = 'https://truce.example.com';
export const WEBHOOK_PATH = '/webhooks/hubspot';

/** Writes a TRUCE_CONFIG file and returns its path. */
export function settingsFile(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'truce-settings-')), 'truce.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Environment for a service that accepts webhooks for PORTAL_ID behind https://truce.example.com. */
export function webhookEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HUBSPOT_CLIENT_SECRET: WEBHOOK_SECRET,
    HUBSPOT_PORTAL_ID: String(PORTAL_ID),
    PUBLIC_BASE_URL,
    ...extra,
  };
}

/** How many events the webhook inbox holds, whatever their status. */
export async function storedEventCount(db: Kysely<Database>): Promise<number> {
  const { n } = await db
    .selectFrom('webhook_event')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

let nextEventId = 1;

/** A contact property change as HubSpot sends it; override any field. */
export function hubspotEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: nextEventId++,
    subscriptionId: 1001,
    portalId: PORTAL_ID,
    appId: 4242,
    occurredAt: 1_764_000_000_000,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 501,
    propertyName: 'lifecyclestage',
    propertyValue: 'lead',
    changeSource: 'CRM',
    ...overrides,
  };
}

/** HubSpot's v3 signature over the documented string (computed here independently of the server module). */
export function signV3(
  body: string,
  timestamp: number,
  url = `${PUBLIC_BASE_URL}${WEBHOOK_PATH}`,
): string {
  return createHmac('sha256', WEBHOOK_SECRET)
    .update(`POST${url}${body}${timestamp}`)
    .digest('base64');
}

export interface PostOptions {
  readonly timestamp: number;
  readonly headers?: Record<string, string | undefined>;
}

/** POSTs a body signed with v3 at `timestamp`, as HubSpot would. */
export async function postWebhook(
  baseUrl: string,
  body: string | unknown[],
  options: PostOptions,
): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': signV3(text, options.timestamp),
    'x-hubspot-request-timestamp': String(options.timestamp),
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return fetch(`${baseUrl}${WEBHOOK_PATH}`, { method: 'POST', headers, body: text });
}

export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

/** Occurrence times of the generated events: one millisecond apart from here. */
export const STREAM_T0 = 1_764_100_000_000;

/**
 * `count` lifecycle-stage changes over `contacts` contacts with distinct times, in batches of `size`. The
 * newest change of contact c is the largest i with i % contacts === c - 1, so the end state is known.
 */
export function lifecycleStream(
  count: number,
  contacts: number,
  size = 50,
  firstEventId = 1,
): Record<string, unknown>[][] {
  const events = Array.from({ length: count }, (_, i) =>
    hubspotEvent({
      eventId: firstEventId + i,
      objectId: 1 + (i % contacts),
      occurredAt: STREAM_T0 + i,
      propertyValue: `stage-${i}`,
    }),
  );
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size));
  return batches;
}
