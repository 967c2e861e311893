import path from 'node:path';

import { CRM_OBJECT_SUBSCRIPTIONS, WEBHOOK_PATH } from '../hubspot/webhook-subscriptions';

/**
 * Builds every URL-dependent file of the HubSpot project (`extensions/`) from the service's public URL, so the
 * committed files and `truce hubspot-project` can never disagree and nobody edits them by hand.
 */

export const APP_UID = 'truce_app';
export const WEBHOOKS_UID = 'truce_webhooks';
export const DEFAULT_PUBLIC_URL = 'https://truce.example.com';
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

/** HUBSPOT.md §1: the least the service needs; nothing for email, files, or other objects. */
export const REQUIRED_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.owners.read',
  // A won deal's list price comes from its line items (price realisation).
  'crm.objects.line_items.read',
  'crm.schemas.contacts.write',
  // Truce's deal properties for the optional attribution write-back.
  'crm.schemas.deals.write',
  'marketing.campaigns.read',
] as const;

export type AuthMode = 'static' | 'oauth';
export type Distribution = 'private' | 'marketplace';

export interface ProjectOptions {
  /** Validated with `parsePublicUrl`. */
  publicUrl: PublicUrl;
  auth: AuthMode;
  distribution: Distribution;
}

export interface PublicUrl {
  /** scheme + host (+ port): what `permittedUrls.fetch` lists. */
  origin: string;
  /** origin + optional path prefix, no trailing slash: where the service's routes start. */
  base: string;
}

export class PublicUrlError extends Error {}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '[::1]', '[::]']);

/** HubSpot calls only public HTTPS origins (HUBSPOT.md §2), so anything else would upload but never work. */
export function parsePublicUrl(raw: string): PublicUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PublicUrlError(
      `--public-url "${raw}" is not a URL; expected e.g. https://truce.example.com`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new PublicUrlError(
      `--public-url must use https (HubSpot refuses ${url.protocol.replace(':', '')} URLs); for local development keep the public URL and map it to localhost in extensions/app/local.json`,
    );
  }
  const host = url.hostname.toLowerCase();
  if (LOCAL_HOSTS.has(host) || host.endsWith('.localhost') || /^127\./.test(host)) {
    throw new PublicUrlError(
      `--public-url must be reachable from HubSpot, not ${host}; for local development map the public URL to localhost in extensions/app/local.json and run hs project dev`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new PublicUrlError('--public-url must not carry a query, fragment or credentials');
  }
  const prefix = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, base: `${url.origin}${prefix}` };
}

export function buildAppMeta(options: ProjectOptions): object {
  const { publicUrl, auth, distribution } = options;
  return {
    uid: APP_UID,
    type: 'app',
    config: {
      name: 'Truce',
      description:
        'Lead handoff (score with reasons, routing, SLA, accept/reject) and closed-loop revenue attribution for HubSpot.',
      distribution: auth === 'static' ? 'private' : distribution,
      auth: {
        type: auth,
        ...(auth === 'oauth' ? { redirectUrls: [`${publicUrl.base}${OAUTH_CALLBACK_PATH}`] } : {}),
        requiredScopes: [...REQUIRED_SCOPES],
        optionalScopes: [],
        conditionallyRequiredScopes: [],
      },
      permittedUrls: { fetch: [publicUrl.origin], iframe: [], img: [] },
      support: {
        supportEmail: 'support@truce.example.com',
        documentationUrl: `${publicUrl.base}/docs`,
        supportUrl: `${publicUrl.base}/support`,
        supportPhone: '',
      },
    },
  };
}

export function buildWebhooksMeta(publicUrl: PublicUrl): object {
  return {
    uid: WEBHOOKS_UID,
    type: 'webhooks',
    config: {
      settings: { targetUrl: `${publicUrl.base}${WEBHOOK_PATH}`, maxConcurrentRequests: 10 },
      subscriptions: {
        crmObjects: CRM_OBJECT_SUBSCRIPTIONS.map((subscription) => ({ ...subscription })),
      },
    },
  };
}

export function buildServiceOriginModule(publicUrl: PublicUrl): string {
  return [
    '// Written by `npm run truce -- hubspot-project --public-url URL`; do not edit by hand.',
    // Single-quoted like the rest of the code base, so Prettier leaves the generated module alone.
    `export const SERVICE_BASE_URL = '${publicUrl.base.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}';`,
    '',
  ].join('\n');
}

/** Project-relative path → file content, for every file `hubspot-project` owns. */
export function buildProjectFiles(options: ProjectOptions): Map<string, string> {
  const json = (value: object): string => `${JSON.stringify(value, null, 2)}\n`;
  return new Map([
    [path.join('extensions', 'app', 'app-hsmeta.json'), json(buildAppMeta(options))],
    [
      path.join('extensions', 'app', 'webhooks', 'webhooks-hsmeta.json'),
      json(buildWebhooksMeta(options.publicUrl)),
    ],
    [
      path.join('extensions', 'app', 'cards', 'generated', 'service-origin.ts'),
      buildServiceOriginModule(options.publicUrl),
    ],
  ]);
}
