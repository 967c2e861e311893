import {
  decodeV3Uri,
  type SignedRequest,
  verifyHubSpotRequest,
} from '../../../server/hubspot/webhook-signature';

// Vectors computed once with node:crypto directly from the algorithm in HUBSPOT.md §3, not with the module.
const SECRET = 'truce-test-secret-0f3a';
const BODY = Buffer.from(
  '[{"eventId":100,"subscriptionId":7,"portalId":62515,"occurredAt":1764100000000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":501,"propertyName":"lifecyclestage","propertyValue":"marketingqualifiedlead","changeSource":"CRM"}]',
);
const TIMESTAMP = 1764100000123;
const URL_PLAIN = 'https://truce.example.com/webhooks/hubspot';
const V3_PLAIN = 'EeRNb12sruG+9ot4pTY1jpsM3mEgUJXyD4Zeow8zfs4=';
const URL_ENCODED =
  'https://truce.example.com/webhooks/hubspot?source=hub%3Aspot%2Fv3&x=%20a%40b%2a';
const V3_ENCODED = '+Z3d578NY5UWTcG1j2QNAci1dwtdQNy7UTreU+JfSDA=';
const V2 = '82deb28a4bfef02e4fe5e3d4290a92d700f38d2e9ea2f099b393a7ce5a49bbb6';

// HubSpot's own v1 example (developers.hubspot.com, "v1 request validation").
const HUBSPOT_SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const HUBSPOT_V1_BODY = Buffer.from(
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]',
);
const HUBSPOT_V1 = '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de';
// HubSpot's v2 example: a GET without a body.
const HUBSPOT_V2_GET = 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e';

function v3Request(overrides: Partial<SignedRequest> = {}): SignedRequest {
  return {
    method: 'POST',
    url: URL_PLAIN,
    rawBody: BODY,
    clientSecret: SECRET,
    now: TIMESTAMP,
    headers: {
      'x-hubspot-signature-v3': V3_PLAIN,
      'x-hubspot-request-timestamp': String(TIMESTAMP),
    },
    ...overrides,
  };
}

const MINUTE = 60_000;

describe('verifyHubSpotRequest: v3', () => {
  it.each([
    ['a known vector', v3Request()],
    ['the same vector with a lower-case method', v3Request({ method: 'post' })],
    ['a timestamp exactly 5 minutes old', v3Request({ now: TIMESTAMP + 5 * MINUTE })],
    ['a timestamp exactly 5 minutes ahead', v3Request({ now: TIMESTAMP - 5 * MINUTE })],
    [
      'a URL whose listed escapes are decoded and others kept',
      v3Request({
        url: URL_ENCODED,
        headers: {
          'x-hubspot-signature-v3': V3_ENCODED,
          'x-hubspot-request-timestamp': String(TIMESTAMP),
        },
      }),
    ],
  ])('accepts %s', (_label, request) => {
    expect(verifyHubSpotRequest(request)).toEqual({ ok: true, version: 'v3' });
  });

  const headersWith = (extra: Record<string, string | undefined>) => ({
    'x-hubspot-signature-v3': V3_PLAIN,
    'x-hubspot-request-timestamp': String(TIMESTAMP),
    ...extra,
  });

  it.each([
    [
      'a changed body',
      v3Request({ rawBody: Buffer.from(`${BODY.toString()} `) }),
      'signature_mismatch',
    ],
    ['another secret', v3Request({ clientSecret: 'other' }), 'signature_mismatch'],
    ['another URL', v3Request({ url: `${URL_PLAIN}?x=1` }), 'signature_mismatch'],
    ['another method', v3Request({ method: 'PUT' }), 'signature_mismatch'],
    [
      'a timestamp 6 minutes old',
      v3Request({ now: TIMESTAMP + 6 * MINUTE }),
      'timestamp_out_of_range',
    ],
    [
      'a timestamp 6 minutes in the future',
      v3Request({ now: TIMESTAMP - 6 * MINUTE }),
      'timestamp_out_of_range',
    ],
    [
      'a timestamp one millisecond past 5 minutes',
      v3Request({ now: TIMESTAMP + 5 * MINUTE + 1 }),
      'timestamp_out_of_range',
    ],
    [
      'a missing timestamp',
      v3Request({ headers: headersWith({ 'x-hubspot-request-timestamp': undefined }) }),
      'missing_timestamp',
    ],
    [
      'a NaN timestamp',
      v3Request({ headers: headersWith({ 'x-hubspot-request-timestamp': 'NaN' }) }),
      'invalid_timestamp',
    ],
    [
      'a timestamp in seconds with a fraction',
      v3Request({ headers: headersWith({ 'x-hubspot-request-timestamp': '1764100000.123' }) }),
      'invalid_timestamp',
    ],
    [
      'a truncated signature',
      v3Request({ headers: headersWith({ 'x-hubspot-signature-v3': V3_PLAIN.slice(0, 20) }) }),
      'signature_mismatch',
    ],
    [
      'a signature that is not base64',
      v3Request({ headers: headersWith({ 'x-hubspot-signature-v3': 'not base64!' }) }),
      'malformed_signature',
    ],
    ['no signature at all', v3Request({ headers: {} }), 'missing_signature'],
    [
      'a signed URL with every escape decoded (only the listed ones count)',
      v3Request({
        url: 'https://truce.example.com/webhooks/hubspot?source=hub%3Aspot%2Fv3&x= a@b*',
        headers: headersWith({ 'x-hubspot-signature-v3': V3_ENCODED }),
      }),
      'signature_mismatch',
    ],
  ])('refuses %s', (_label, request, reason) => {
    expect(verifyHubSpotRequest(request)).toEqual({ ok: false, reason });
  });

  it('prefers v3 when legacy headers are present too, so a stale v3 is not rescued by v1', () => {
    const request = v3Request({
      now: TIMESTAMP + 6 * MINUTE,
      allowLegacy: true,
      headers: {
        'x-hubspot-signature-v3': V3_PLAIN,
        'x-hubspot-request-timestamp': String(TIMESTAMP),
        'x-hubspot-signature': V2,
        'x-hubspot-signature-version': 'v2',
      },
    });
    expect(verifyHubSpotRequest(request)).toEqual({ ok: false, reason: 'timestamp_out_of_range' });
  });
});

describe('verifyHubSpotRequest: v1 and v2', () => {
  const v1Request = (allowLegacy: boolean): SignedRequest => ({
    method: 'POST',
    url: 'https://www.example.com/webhook_uri',
    rawBody: HUBSPOT_V1_BODY,
    clientSecret: HUBSPOT_SECRET,
    now: 0,
    allowLegacy,
    headers: { 'x-hubspot-signature': HUBSPOT_V1, 'x-hubspot-signature-version': 'v1' },
  });

  it("accepts HubSpot's documented v1 example when legacy signatures are allowed", () => {
    expect(verifyHubSpotRequest(v1Request(true))).toEqual({ ok: true, version: 'v1' });
  });

  it('refuses the same v1 request when legacy signatures are not allowed', () => {
    expect(verifyHubSpotRequest(v1Request(false))).toEqual({
      ok: false,
      reason: 'legacy_not_allowed',
    });
  });

  it("accepts HubSpot's documented v2 GET example", () => {
    expect(
      verifyHubSpotRequest({
        method: 'GET',
        url: 'https://www.example.com/webhook_uri',
        rawBody: Buffer.alloc(0),
        clientSecret: HUBSPOT_SECRET,
        now: 0,
        allowLegacy: true,
        headers: { 'x-hubspot-signature': HUBSPOT_V2_GET, 'x-hubspot-signature-version': 'v2' },
      }),
    ).toEqual({ ok: true, version: 'v2' });
  });

  const v2Request = (headers: Record<string, string>, allowLegacy = true): SignedRequest => ({
    method: 'POST',
    url: URL_PLAIN,
    rawBody: BODY,
    clientSecret: SECRET,
    now: 0,
    allowLegacy,
    headers,
  });

  it('accepts a computed v2 vector, upper-case hex too', () => {
    for (const signature of [V2, V2.toUpperCase()]) {
      expect(
        verifyHubSpotRequest(
          v2Request({ 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v2' }),
        ),
      ).toEqual({ ok: true, version: 'v2' });
    }
  });

  it.each([
    [
      'v2 refused when not allowed',
      { 'x-hubspot-signature-version': 'v2' },
      false,
      'legacy_not_allowed',
    ],
    [
      'a v2 signature presented as v1',
      { 'x-hubspot-signature-version': 'v1' },
      true,
      'signature_mismatch',
    ],
    ['no version header', {}, true, 'unsupported_version'],
    ['an unknown version', { 'x-hubspot-signature-version': 'v9' }, true, 'unsupported_version'],
  ])('refuses %s', (_label, extra, allow, reason) => {
    expect(verifyHubSpotRequest(v2Request({ 'x-hubspot-signature': V2, ...extra }, allow))).toEqual(
      { ok: false, reason },
    );
  });

  it('refuses a legacy signature that is not 64 hex digits', () => {
    expect(
      verifyHubSpotRequest(
        v2Request({ 'x-hubspot-signature': V2.slice(2), 'x-hubspot-signature-version': 'v2' }),
      ),
    ).toEqual({ ok: false, reason: 'malformed_signature' });
  });
});

describe('decodeV3Uri', () => {
  it.each([
    ['%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B', ":/?@!$'()*,;"],
    ['%3a%2f', ':/'],
    ['%20%25%26%3D%2B', '%20%25%26%3D%2B'],
    ['plain', 'plain'],
  ])('decodes only the listed escapes in %s', (input, expected) => {
    expect(decodeV3Uri(input)).toBe(expected);
  });
});
