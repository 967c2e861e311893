import type { SealedTokens } from '../portals/portal-token.repository';
import type { Keyring } from '../security/token-cipher';
import type { IssuedTokens } from './hubspot-oauth';

/** What a sealed token is bound to: its portal and its kind, so sealed values cannot be swapped around. */
export function tokenContext(portalId: number, kind: 'access' | 'refresh'): string {
  return `portal:${portalId}:${kind}`;
}

export function sealTokens(
  keyring: Keyring,
  portalId: number,
  tokens: Pick<IssuedTokens, 'accessToken' | 'refreshToken'>,
  accessExpiresAt: number,
): SealedTokens {
  const refresh = keyring.seal(tokens.refreshToken, tokenContext(portalId, 'refresh'));
  const access = keyring.seal(tokens.accessToken, tokenContext(portalId, 'access'));
  return {
    keyId: keyring.currentKeyId,
    refreshTokenSealed: refresh.ciphertext,
    accessTokenSealed: access.ciphertext,
    accessExpiresAt,
  };
}
