import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets kept at rest (OAuth refresh and access tokens).
 *
 * `TRUCE_ENCRYPTION_KEY` holds one or more keys, comma-separated, newest first: `id:base64key` or a bare base64
 * key (its id is then a fingerprint of the key). New secrets are sealed with the first key; any listed key
 * opens what it sealed, which is what lets `truce keys rotate` move rows to a new key without downtime.
 * Each sealed value names its key id, and is bound (GCM additional data) to what it belongs to, so a
 * ciphertext copied onto another portal's row does not open.
 */
export interface Keyring {
  readonly currentKeyId: string;
  seal(plaintext: string, context: string): SealedSecret;
  open(sealed: SealedSecret, context: string): string;
  has(keyId: string): boolean;
  /** A key for another purpose (e.g. signing OAuth state), derived from the current key with HKDF. */
  derive(purpose: string): Buffer;
}

export interface SealedSecret {
  readonly keyId: string;
  /** base64 of iv (12 bytes) ‖ tag (16 bytes) ‖ ciphertext. */
  readonly ciphertext: string;
}

export class KeyringError extends Error {
  override name = 'KeyringError';
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;

export function parseKeyring(raw: string): Keyring {
  const keys = new Map<string, Buffer>();
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new KeyringError('no key given');
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : undefined;
    const encoded = colon > 0 ? entry.slice(colon + 1) : entry;
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES || key.toString('base64') !== encoded.replace(/\s/g, '')) {
      throw new KeyringError(
        `key ${id ?? `#${keys.size + 1}`} must be ${KEY_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`)`,
      );
    }
    const keyId = id ?? fingerprint(key);
    if (!KEY_ID.test(keyId))
      throw new KeyringError(`key id "${keyId}" may use letters, digits, _ . - (1–32)`);
    if (keys.has(keyId)) throw new KeyringError(`key id "${keyId}" is listed twice`);
    keys.set(keyId, key);
  }
  const currentKeyId = keys.keys().next().value as string;

  return {
    currentKeyId,
    has: (keyId) => keys.has(keyId),
    derive: (purpose) =>
      Buffer.from(hkdfSync('sha256', keys.get(currentKeyId)!, Buffer.alloc(0), purpose, KEY_BYTES)),
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.get(currentKeyId)!, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        keyId: currentKeyId,
        ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64'),
      };
    },
    open(sealed, context) {
      const key = keys.get(sealed.keyId);
      if (!key)
        throw new KeyringError(
          `secret sealed with key "${sealed.keyId}", which TRUCE_ENCRYPTION_KEY no longer lists`,
        );
      const bytes = Buffer.from(sealed.ciphertext, 'base64');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new KeyringError('sealed secret is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new KeyringError(
          `sealed secret does not open with key "${sealed.keyId}" for ${context}`,
        );
      }
    },
  };
}

function fingerprint(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}
