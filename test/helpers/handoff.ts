import { createHmac } from 'node:crypto';

import { PUBLIC_BASE_URL, WEBHOOK_SECRET } from './webhooks';

/** A rules file for the handoff tests: two owners in rotation, 4 working hours, manager task on breach. */
export const HANDOFF_SETTINGS_YAML = `
handoff:
  scoring:
    fit:
      - id: vp
        label: Job title contains VP
        property: jobtitle
        when: { op: contains, value: VP }
        points: 30
    engagement:
      - kind: count
        id: conversions
        label: Conversions
        property: num_conversion_events
        pointsPerUnit: 5
        maxPoints: 20
      - kind: recency
        id: recent
        label: Converted in the last 30 days
        property: recent_conversion_date
        points: 10
        withinDays: 30
  routing:
    keepExistingOwner: false
    owners:
      - { id: '9', managerId: '900' }
      - { id: '10', managerId: '900' }
  sla:
    hours: 4
    timezone: UTC
    workingHours: { start: '09:00', end: '17:00' }
    reminderBeforeMinutes: 60
    escalation: { action: manager_task }
`;

/**
 * A card request signed as HubSpot's `hubspot.fetch` would sign it (v3, computed independently here).
 * `signedUri` turns the URL into the string HubSpot signs; a test sending percent-encoded segments passes the
 * decoding HubSpot applies first, the rest sign the URL as sent.
 */
export async function cardRequest(
  baseUrl: string,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  options: {
    timestamp: number;
    body?: unknown;
    secret?: string;
    signedUri?: (url: string) => string;
  },
): Promise<Response> {
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  const url = `${PUBLIC_BASE_URL}${pathAndQuery}`;
  const signature = createHmac('sha256', options.secret ?? WEBHOOK_SECRET)
    .update(
      `${method}${options.signedUri ? options.signedUri(url) : url}${body}${options.timestamp}`,
    )
    .digest('base64');
  return fetch(`${baseUrl}${pathAndQuery}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': String(options.timestamp),
    },
    ...(method === 'POST' ? { body } : {}),
  });
}
