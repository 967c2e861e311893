import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies that a request was signed by HubSpot with the app's client secret (HUBSPOT.md §3). Written for
 * Truce instead of `Signature.isValid`, which compares with `===`, accepts future and NaN timestamps and does
 * not decode the URI. Independent of any route: webhooks and the card API's `hubspot.fetch` calls both use it.
 */

export type SignatureVersion = 'v1' | 'v2' | 'v3';

export type SignatureFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'invalid_timestamp'
  | 'timestamp_out_of_range'
  | 'legacy_not_allowed'
  | 'unsupported_version'
  | 'malformed_signature'
  | 'signature_mismatch';

export type SignatureResult =
  | { readonly ok: true; readonly version: SignatureVersion }
  | { readonly ok: false; readonly reason: SignatureFailure };

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface SignedRequest {
  readonly method: string;
  /** The full public URL HubSpot called: scheme, host, path and query. */
  readonly url: string;
  readonly rawBody: Buffer;
  /** Header names in lower case, as Node delivers them. */
  readonly headers: HeaderBag;
  readonly clientSecret: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** v1 and v2 carry no timestamp, so they cannot refuse a replayed request; off unless configured. */
  readonly allowLegacy?: boolean;
  readonly maxSkewMs?: number;
}

export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

// HubSpot decodes exactly these escapes before signing; decoding anything else would change the signed string.
const V3_URI_DECODINGS: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function verifyHubSpotRequest(request: SignedRequest): SignatureResult {
  const v3 = header(request.headers, 'x-hubspot-signature-v3');
  if (v3 !== undefined) return verifyV3(request, v3);

  const legacy = header(request.headers, 'x-hubspot-signature');
  if (legacy === undefined) return failure('missing_signature');
  if (!request.allowLegacy) return failure('legacy_not_allowed');

  const version = header(request.headers, 'x-hubspot-signature-version')?.toLowerCase();
  if (version !== 'v1' && version !== 'v2') return failure('unsupported_version');
  if (!SHA256_HEX.test(legacy)) return failure('malformed_signature');
  const expected = legacySignature(version, request);
  return equalDigests(Buffer.from(legacy, 'hex'), expected)
    ? { ok: true, version }
    : failure('signature_mismatch');
}

function verifyV3(request: SignedRequest, signature: string): SignatureResult {
  const timestamp = header(request.headers, 'x-hubspot-request-timestamp');
  if (timestamp === undefined) return failure('missing_timestamp');
  if (!/^\d{1,16}$/.test(timestamp)) return failure('invalid_timestamp');
  const skew = Math.abs(request.now - Number(timestamp));
  if (!(skew <= (request.maxSkewMs ?? DEFAULT_MAX_SKEW_MS)))
    return failure('timestamp_out_of_range');
  if (!BASE64.test(signature)) return failure('malformed_signature');
  const expected = v3Signature(request, timestamp);
  return equalDigests(Buffer.from(signature, 'base64'), expected)
    ? { ok: true, version: 'v3' }
    : failure('signature_mismatch');
}

/** The v3 signature HubSpot would send for this request: HMAC-SHA256 over method + uri + body + timestamp. */
export function v3Signature(
  request: Pick<SignedRequest, 'method' | 'url' | 'rawBody' | 'clientSecret'>,
  timestamp: string,
): Buffer {
  return createHmac('sha256', request.clientSecret)
    .update(request.method.toUpperCase(), 'utf8')
    .update(decodeV3Uri(request.url), 'utf8')
    .update(request.rawBody)
    .update(timestamp, 'utf8')
    .digest();
}

/** v1: SHA-256 of secret + body; v2: SHA-256 of secret + method + uri + body. Neither decodes the URI. */
export function legacySignature(
  version: 'v1' | 'v2',
  request: Pick<SignedRequest, 'method' | 'url' | 'rawBody' | 'clientSecret'>,
): Buffer {
  const hash = createHash('sha256').update(request.clientSecret, 'utf8');
  if (version === 'v2')
    hash.update(request.method.toUpperCase(), 'utf8').update(request.url, 'utf8');
  return hash.update(request.rawBody).digest();
}

export function decodeV3Uri(uri: string): string {
  return uri.replace(
    /%[0-9A-Fa-f]{2}/g,
    (escape) => V3_URI_DECODINGS[escape.toUpperCase()] ?? escape,
  );
}

function equalDigests(received: Buffer, expected: Buffer): boolean {
  // timingSafeEqual throws on different lengths; a wrong length is simply a mismatch.
  return received.length === expected.length && timingSafeEqual(received, expected);
}

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

function failure(reason: SignatureFailure): SignatureResult {
  return { ok: false, reason };
}
