import { randomUUID } from 'node:crypto';

import type { Client } from '@hubspot/api-client';

import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import {
  createHubSpotClient,
  type HubSpotClients,
  PortalUnavailableError,
} from '../hubspot/hubspot-client';
import type { Logger } from '../logger';
import { deactivatePortal } from '../portals/portal.repository';
import {
  completeRefresh,
  expireAccessToken,
  findPortalToken,
  type PortalTokenRow,
  releaseRefreshLease,
  tryLeaseRefresh,
} from '../portals/portal-token.repository';
import { type Keyring, parseKeyring } from '../security/token-cipher';
import { createHubSpotOAuth, type HubSpotOAuth, OAuthGrantRefused } from './hubspot-oauth';
import { sealTokens, tokenContext } from './token-sealing';

export interface OAuthClientsDeps {
  readonly database: DatabaseHandle;
  readonly keyring: Keyring;
  readonly oauth: HubSpotOAuth;
  readonly apiBase: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** Refresh this long before HubSpot's expiry, so no call goes out with a token about to lapse. */
  readonly refreshMarginMs: number;
  /** How long a replica may hold the refresh lease before another may take over. */
  readonly refreshLeaseMs: number;
  /** How often a replica that lost the race looks for the winner's token. */
  readonly waitPollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface CachedClient {
  readonly client: Client;
  readonly expiresAt: number;
}

/**
 * HubSpot clients for OAuth-installed portals: one client per portal, all built with the same settings (see
 * createHubSpotClient), each with a current access token. A token near expiry is refreshed once per portal:
 * in-process callers share one promise, and replicas share a lease row, so a burst of requests after expiry
 * costs HubSpot one refresh. A refused refresh marks the portal `needs_reinstall`.
 */
export function createOAuthHubSpotClients(deps: OAuthClientsDeps): HubSpotClients {
  const owner = randomUUID();
  const cache = new Map<number, CachedClient>();
  const inflight = new Map<number, Promise<Client>>();
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const waitPollMs = deps.waitPollMs ?? 100;
  const log = deps.logger.child({ component: 'oauth-clients' });

  async function remember(
    portalId: number,
    accessToken: string,
    expiresAt: number,
  ): Promise<Client> {
    const client = await createHubSpotClient({ accessToken, apiBase: deps.apiBase });
    cache.set(portalId, { client, expiresAt });
    return client;
  }

  const fresh = (expiresAt: number) => expiresAt - deps.refreshMarginMs > deps.now();

  async function obtain(portalId: number): Promise<Client> {
    const { db } = deps.database;
    // A replica that lost the race waits at most one lease for the winner, then may take the lease itself.
    const giveUpAt = deps.now() + deps.refreshLeaseMs * 2;
    for (;;) {
      const row = await findPortalToken(db, portalId);
      if (!row) throw new PortalUnavailableError(portalId, 'not installed');
      if (row.status !== 'active') throw new PortalUnavailableError(portalId, row.status);
      const expiresAt = Number(row.access_expires_at);
      if (fresh(expiresAt)) {
        const accessToken = deps.keyring.open(
          { keyId: row.key_id, ciphertext: row.access_token_sealed },
          tokenContext(portalId, 'access'),
        );
        return remember(portalId, accessToken, expiresAt);
      }
      if (await tryLeaseRefresh(db, portalId, owner, deps.now(), deps.refreshLeaseMs, expiresAt)) {
        return refreshUnderLease(portalId, row);
      }
      if (deps.now() > giveUpAt)
        throw new Error(`timed out waiting for another replica to refresh portal ${portalId}`);
      await sleep(waitPollMs);
    }
  }

  async function refreshUnderLease(portalId: number, row: PortalTokenRow): Promise<Client> {
    const { db } = deps.database;
    const refreshToken = deps.keyring.open(
      { keyId: row.key_id, ciphertext: row.refresh_token_sealed },
      tokenContext(portalId, 'refresh'),
    );
    let issued;
    try {
      issued = await deps.oauth.refresh(refreshToken);
    } catch (error) {
      if (error instanceof OAuthGrantRefused) {
        await deactivatePortal(db, portalId, 'needs_reinstall', error.message, deps.now());
        log.error(
          { portalId, hubspotStatus: error.hubspotStatus },
          `HubSpot refused portal ${portalId}'s refresh token; the portal needs to install Truce again`,
        );
      }
      await releaseRefreshLease(db, portalId, owner);
      if (error instanceof OAuthGrantRefused)
        throw new PortalUnavailableError(portalId, 'needs_reinstall');
      throw error;
    }
    const now = deps.now();
    const expiresAt = now + issued.expiresIn * 1000;
    const sealed = sealTokens(deps.keyring, portalId, issued, expiresAt);
    const stored = await completeRefresh(db, portalId, owner, sealed, now);
    if (!stored)
      log.warn(
        { portalId },
        `refresh lease for portal ${portalId} expired before the new token was stored; using it in this process`,
      );
    log.info({ portalId }, `refreshed the HubSpot access token of portal ${portalId}`);
    return remember(portalId, issued.accessToken, expiresAt);
  }

  return {
    forPortal(portalId) {
      const cached = cache.get(portalId);
      if (cached && fresh(cached.expiresAt)) return Promise.resolve(cached.client);
      const running = inflight.get(portalId);
      if (running) return running;
      const next = obtain(portalId).finally(() => inflight.delete(portalId));
      inflight.set(portalId, next);
      return next;
    },
    async invalidate(portalId) {
      const cached = cache.get(portalId);
      cache.delete(portalId);
      if (!cached) return;
      await expireAccessToken(deps.database.db, portalId, cached.expiresAt);
    },
  };
}

/** The OAuth clients the config describes (HUBSPOT_AUTH=oauth), for the service and for CLI commands. */
export function oauthClientsFromConfig(
  config: Pick<Config, 'hubspot' | 'settings'>,
  deps: { database: DatabaseHandle; logger: Logger; now: () => number; oauth?: HubSpotOAuth },
): { clients: HubSpotClients; keyring: Keyring; oauth: HubSpotOAuth } | undefined {
  const settings = config.hubspot.oauth;
  if (!settings) return undefined;
  const keyring = parseKeyring(settings.encryptionKey);
  const oauth =
    deps.oauth ??
    createHubSpotOAuth({
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      redirectUri: settings.redirectUri,
      apiBase: config.hubspot.apiBase,
    });
  const clients = createOAuthHubSpotClients({
    database: deps.database,
    keyring,
    oauth,
    apiBase: config.hubspot.apiBase,
    logger: deps.logger,
    now: deps.now,
    refreshMarginMs: config.settings.oauth.refreshMarginSeconds * 1000,
    refreshLeaseMs: config.settings.oauth.refreshLeaseMs,
  });
  return { clients, keyring, oauth };
}
