import type { Client } from '@hubspot/api-client';

export interface HubSpotClientOptions {
  readonly accessToken: string;
  readonly apiBase: string;
}

/**
 * Builds an `@hubspot/api-client` Client for one portal.
 *
 * The SDK keeps its retry and rate-limit decorators in a process-global singleton that the last constructed
 * Client overwrites. Every Truce client is therefore built with the same settings — no SDK retries, no SDK
 * limiter — and Truce does retries (the outbox) and rate budgeting (per portal) itself, where it can see the
 * portal, persist the schedule and honour `policyName`.
 *
 * The SDK (its generated API classes, bottleneck, ~15 MB resident) loads on the first client built, not with
 * every process that imports this module: a service without HubSpot credentials, or one whose workers have not
 * needed HubSpot yet, never pays for it.
 */
export async function createHubSpotClient(options: HubSpotClientOptions): Promise<Client> {
  const { Client } = await import('@hubspot/api-client');
  return new Client({
    accessToken: options.accessToken,
    basePath: options.apiBase,
    numberOfApiCallRetries: 0,
  });
}

/** Gives the HubSpot client for a portal; static mode has one, OAuth (later) one per installed portal. */
export interface HubSpotClients {
  forPortal(portalId: number): Promise<Client>;
  /** HubSpot answered 401 with the portal's token: drop it so the next call refreshes (OAuth only). */
  invalidate?(portalId: number): Promise<void>;
}

/** Static (private app) mode: one access token serves the single configured portal. */
export function staticHubSpotClients(
  options: HubSpotClientOptions & { portalId: number },
): HubSpotClients {
  // Built on the first call: that is when the SDK loads.
  let client: Promise<Client> | undefined;
  return {
    forPortal: (portalId) =>
      portalId === options.portalId
        ? (client ??= createHubSpotClient(options))
        : Promise.reject(new Error(`no HubSpot credentials for portal ${portalId}`)),
  };
}

/**
 * The portal cannot be called: not installed, uninstalled, or its refresh token was refused. Callers keep the
 * work (it is not the work's fault) and the portal's queues stop until it is installed again.
 */
export class PortalUnavailableError extends Error {
  override name = 'PortalUnavailableError';
  constructor(
    readonly portalId: number,
    readonly reason: string,
  ) {
    super(`HubSpot portal ${portalId} is unavailable: ${reason}`);
  }
}
