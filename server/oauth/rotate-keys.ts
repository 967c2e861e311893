import type { Kysely } from 'kysely';

import type { Database } from '../db/schema';
import { listSealedTokens, resealTokens } from '../portals/portal-token.repository';
import type { Keyring } from '../security/token-cipher';
import { tokenContext } from './token-sealing';

export interface RotationResult {
  readonly total: number;
  readonly resealed: number;
  readonly alreadyCurrent: number;
  /** Rows that changed while being re-sealed (a refresh won); run the rotation again. */
  readonly raced: number;
}

/**
 * Re-seals every token row that is not under the keyring's current key. Run after putting a new key first in
 * TRUCE_ENCRYPTION_KEY (old keys still listed); once it reports nothing left, the old keys can be removed.
 */
export async function rotateTokenKeys(
  db: Kysely<Database>,
  keyring: Keyring,
): Promise<RotationResult> {
  const rows = await listSealedTokens(db);
  let resealed = 0;
  let raced = 0;
  for (const row of rows) {
    if (row.key_id === keyring.currentKeyId) continue;
    const portalId = Number(row.portal_id);
    const refresh = keyring.open(
      { keyId: row.key_id, ciphertext: row.refresh_token_sealed },
      tokenContext(portalId, 'refresh'),
    );
    const access = keyring.open(
      { keyId: row.key_id, ciphertext: row.access_token_sealed },
      tokenContext(portalId, 'access'),
    );
    const changed = await resealTokens(
      db,
      portalId,
      { refreshTokenSealed: row.refresh_token_sealed, accessTokenSealed: row.access_token_sealed },
      {
        keyId: keyring.currentKeyId,
        refreshTokenSealed: keyring.seal(refresh, tokenContext(portalId, 'refresh')).ciphertext,
        accessTokenSealed: keyring.seal(access, tokenContext(portalId, 'access')).ciphertext,
      },
    );
    if (changed) resealed += 1;
    else raced += 1;
  }
  return {
    total: rows.length,
    resealed,
    alreadyCurrent: rows.length - resealed - raced,
    raced,
  };
}
