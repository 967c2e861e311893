import { createHash, createHmac } from 'node:crypto';

/**
 * Signs a webhook request the way HubSpot does (HUBSPOT.md §3). Written here, independently of the service's
 * verifier, so a test that passes proves two implementations of the documented algorithm agree.
 */
export interface SignedHeaders {
  readonly 'X-HubSpot-Signature-v3': string;
  readonly 'X-HubSpot-Request-Timestamp': string;
  readonly 'X-HubSpot-Signature': string;
  readonly 'X-HubSpot-Signature-Version': 'v1' | 'v2';
}

const DECODED_ESCAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/%3A/gi, ':'],
  [/%2F/gi, '/'],
  [/%3F/gi, '?'],
  [/%40/gi, '@'],
  [/%21/gi, '!'],
  [/%24/gi, '$'],
  [/%27/gi, "'"],
  [/%28/gi, '('],
  [/%29/gi, ')'],
  [/%2A/gi, '*'],
  [/%2C/gi, ','],
  [/%3B/gi, ';'],
];

/** HubSpot decodes only these escapes in the URI before hashing; every other escape stays as sent. */
export function decodeUriForSignature(uri: string): string {
  return DECODED_ESCAPES.reduce((out, [pattern, char]) => out.replace(pattern, char), uri);
}

export function signV3(
  secret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: number,
): string {
  return createHmac('sha256', secret)
    .update(`${method}${decodeUriForSignature(uri)}${body}${timestamp}`, 'utf8')
    .digest('base64');
}

export function signV2(secret: string, method: string, uri: string, body: string): string {
  return createHash('sha256').update(`${secret}${method}${uri}${body}`, 'utf8').digest('hex');
}

export function signV1(secret: string, body: string): string {
  return createHash('sha256').update(`${secret}${body}`, 'utf8').digest('hex');
}

/**
 * The headers of one signed delivery. HubSpot sends v3 on every request and one legacy signature beside it;
 * `legacyVersion` picks which, so both legacy paths of a verifier can be exercised.
 */
export function signWebhookRequest(input: {
  readonly secret: string;
  readonly method: string;
  readonly uri: string;
  readonly body: string;
  readonly timestamp: number;
  readonly legacyVersion: 'v1' | 'v2';
}): SignedHeaders {
  const legacy =
    input.legacyVersion === 'v1'
      ? signV1(input.secret, input.body)
      : signV2(input.secret, input.method, input.uri, input.body);
  return {
    'X-HubSpot-Signature-v3': signV3(
      input.secret,
      input.method,
      input.uri,
      input.body,
      input.timestamp,
    ),
    'X-HubSpot-Request-Timestamp': String(input.timestamp),
    'X-HubSpot-Signature': legacy,
    'X-HubSpot-Signature-Version': input.legacyVersion,
  };
}
