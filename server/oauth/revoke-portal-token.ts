import type { Kysely } from 'kysely';

import type { Database } from '../db/schema';
import { findPortalToken } from '../portals/portal-token.repository';
import type { Keyring } from '../security/token-cipher';
import { type HubSpotOAuth, OAuthRequestError } from './hubspot-oauth';
import { tokenContext } from './token-sealing';

export type RevokeOutcome =
  | { readonly outcome: 'revoked' }
  | { readonly outcome: 'no token' }
  | { readonly outcome: 'not revoked'; readonly reason: string };

/**
 * Revokes a portal's refresh token at HubSpot before purge deletes it: once Truce forgets the token nobody can
 * revoke it any more, and it would keep working at HubSpot until the account uninstalls the app. Best effort:
 * a token HubSpot already refuses (the app was uninstalled) or a HubSpot that does not answer leaves the purge
 * to go ahead, and the reason is reported; never throws for HubSpot's sake.
 */
export async function revokePortalToken(
  db: Kysely<Database>,
  keyring: Keyring,
  oauth: HubSpotOAuth,
  portalId: number,
): Promise<RevokeOutcome> {
  const row = await findPortalToken(db, portalId);
  if (!row) return { outcome: 'no token' };
  const refreshToken = keyring.open(
    { keyId: row.key_id, ciphertext: row.refresh_token_sealed },
    tokenContext(portalId, 'refresh'),
  );
  try {
    await oauth.revokeRefreshToken(refreshToken);
    return { outcome: 'revoked' };
  } catch (error) {
    // An OAuthRequestError names only the status and HubSpot's error, never the body that carried the token.
    if (error instanceof OAuthRequestError)
      return { outcome: 'not revoked', reason: error.message };
    return {
      outcome: 'not revoked',
      reason: `HubSpot did not answer (${error instanceof Error ? error.name : 'error'})`,
    };
  }
}
