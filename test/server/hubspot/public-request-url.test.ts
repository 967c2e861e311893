import { publicRequestUrl } from '../../../server/hubspot/public-request-url';

const proxied = {
  host: '10.0.0.5:3000',
  'x-forwarded-proto': 'https, http',
  'x-forwarded-host': 'truce.example.com, proxy.internal',
};

describe('publicRequestUrl', () => {
  it.each([
    [
      'PUBLIC_BASE_URL wins over every header',
      { publicBaseUrl: 'https://truce.example.com', trustProxyHeaders: true, headers: proxied },
      'https://truce.example.com/webhooks/hubspot?a=%3A',
    ],
    [
      'trusted proxy headers, leftmost value',
      { publicBaseUrl: undefined, trustProxyHeaders: true, headers: proxied },
      'https://truce.example.com/webhooks/hubspot?a=%3A',
    ],
    [
      'untrusted proxy headers are ignored',
      { publicBaseUrl: undefined, trustProxyHeaders: false, headers: proxied },
      'http://10.0.0.5:3000/webhooks/hubspot?a=%3A',
    ],
    [
      'trusted but absent proxy headers fall back to Host',
      { publicBaseUrl: undefined, trustProxyHeaders: true, headers: { host: 'h:1' } },
      'http://h:1/webhooks/hubspot?a=%3A',
    ],
  ])('%s', (_label, source, expected) => {
    expect(
      publicRequestUrl({ ...source, originalUrl: '/webhooks/hubspot?a=%3A', encrypted: false }),
    ).toBe(expected);
  });
});
