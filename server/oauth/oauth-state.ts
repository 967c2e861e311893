import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The OAuth `state` parameter: a random nonce and an expiry, signed with a key only the service holds. The same
 * nonce goes into a cookie on the installing browser, so a callback only completes in the browser that started
 * the install (a forged, replayed-elsewhere or expired state is refused).
 */
export interface IssuedState {
  readonly state: string;
  readonly nonce: string;
  readonly expiresAt: number;
}

export class OAuthStateError extends Error {
  override name = 'OAuthStateError';
}

export function issueState(key: Buffer, now: number, ttlMs: number): IssuedState {
  const nonce = randomBytes(18).toString('base64url');
  const expiresAt = now + ttlMs;
  const payload = Buffer.from(JSON.stringify({ n: nonce, e: expiresAt })).toString('base64url');
  return { state: `${payload}.${sign(key, payload)}`, nonce, expiresAt };
}

/** The nonce of a genuine, unexpired state; throws OAuthStateError saying why otherwise. */
export function verifyState(key: Buffer, state: string, now: number): string {
  const [payload, signature, extra] = state.split('.');
  if (!payload || !signature || extra !== undefined)
    throw new OAuthStateError('state is malformed');
  const expected = Buffer.from(sign(key, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new OAuthStateError('state signature does not match');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new OAuthStateError('state is malformed');
  }
  const { n, e } = (decoded ?? {}) as { n?: unknown; e?: unknown };
  if (typeof n !== 'string' || typeof e !== 'number')
    throw new OAuthStateError('state is malformed');
  if (e <= now) throw new OAuthStateError('state has expired; start the install again');
  return n;
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(`truce-oauth-state.${payload}`).digest('base64url');
}
