import { randomBytes } from 'node:crypto';

import { type ConfigError, loadConfig } from '../../../server/config';
import { issueState, OAuthStateError, verifyState } from '../../../server/oauth/oauth-state';
import { KeyringError, parseKeyring } from '../../../server/security/token-cipher';

const KEY = randomBytes(32).toString('base64');
const OTHER = randomBytes(32).toString('base64');

describe('sealing tokens at rest', () => {
  it('round-trips, binds each value to its context and never shows the plaintext', () => {
    const keyring = parseKeyring(`k1:${KEY}`);
    const sealed = keyring.seal('refresh-token-value', 'portal:1:refresh');
    expect(sealed.keyId).toBe('k1');
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('latin1')).not.toContain(
      'refresh-token',
    );
    expect(keyring.open(sealed, 'portal:1:refresh')).toBe('refresh-token-value');
    expect(() => keyring.open(sealed, 'portal:2:refresh')).toThrow(KeyringError);
    // A fresh IV per seal: the same token never gives the same ciphertext twice.
    expect(keyring.seal('refresh-token-value', 'portal:1:refresh').ciphertext).not.toBe(
      sealed.ciphertext,
    );
    const tampered = Buffer.from(sealed.ciphertext, 'base64');
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    expect(() =>
      keyring.open({ keyId: 'k1', ciphertext: tampered.toString('base64') }, 'portal:1:refresh'),
    ).toThrow(/does not open/);
  });

  it('seals with the first key, opens with any listed key, and names a missing one', () => {
    const old = parseKeyring(`k1:${KEY}`).seal('t', 'c');
    const rotated = parseKeyring(`k2:${OTHER},k1:${KEY}`);
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.open(old, 'c')).toBe('t');
    expect(() => parseKeyring(`k2:${OTHER}`).open(old, 'c')).toThrow(/no longer lists/);
    // A bare key gets a stable fingerprint id.
    expect(parseKeyring(KEY).currentKeyId).toBe(parseKeyring(` ${KEY} `).currentKeyId);
  });

  it('refuses keys that are not 32 bytes of base64, and duplicate ids', () => {
    expect(() => parseKeyring('k1:c2hvcnQ=')).toThrow(/32 random bytes/);
    expect(() => parseKeyring(`k1:${KEY},k1:${OTHER}`)).toThrow(/listed twice/);
    expect(() => parseKeyring('')).toThrow(/no key/);
  });
});

describe('OAuth state', () => {
  const key = randomBytes(32);
  it('verifies its own state and refuses forged, foreign-key, malformed and expired ones', () => {
    const issued = issueState(key, 1000, 600_000);
    expect(verifyState(key, issued.state, 2000)).toBe(issued.nonce);
    expect(() => verifyState(randomBytes(32), issued.state, 2000)).toThrow(OAuthStateError);
    expect(() => verifyState(key, `${issued.state}x`, 2000)).toThrow(/signature/);
    expect(() => verifyState(key, 'no-dot', 2000)).toThrow(/malformed/);
    expect(() => verifyState(key, issued.state, 1000 + 600_000)).toThrow(/expired/);
  });
});

describe('OAuth configuration', () => {
  it('lists everything OAuth mode is missing, without echoing the key', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({
        HUBSPOT_AUTH: 'oauth',
        HUBSPOT_PORTAL_ID: '1',
        TRUCE_ENCRYPTION_KEY: 'k1:secretish',
      });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('TRUCE_ENCRYPTION_KEY: key k1 must be 32 random bytes'),
        'HUBSPOT_CLIENT_ID: required when HUBSPOT_AUTH=oauth',
        'HUBSPOT_CLIENT_SECRET: required when HUBSPOT_AUTH=oauth',
        'PUBLIC_BASE_URL: required when HUBSPOT_AUTH=oauth',
        expect.stringContaining('HUBSPOT_PORTAL_ID: names the one account'),
      ]),
    );
    expect(problems.join('\n')).not.toContain('secretish');
  });

  it('static mode is unchanged and needs none of it', () => {
    const config = loadConfig({ HUBSPOT_PORTAL_ID: '1', HUBSPOT_ACCESS_TOKEN: 'pat' });
    expect(config.hubspot.auth).toBe('static');
    expect(config.hubspot.oauth).toBeUndefined();
  });
});
