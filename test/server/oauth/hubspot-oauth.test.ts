import nock from 'nock';

import {
  createHubSpotOAuth,
  isGrantRefusal,
  type OAuthErrorFields,
  OAuthGrantRefused,
  OAuthRequestError,
} from '../../../server/oauth/hubspot-oauth';

const API = 'https://api.hubspot.test';
const credentials = {
  clientId: 'client-id-9',
  clientSecret: 'client-secret-9',
  redirectUri: 'https://truce.example/oauth/callback',
  apiBase: API,
};

describe('which OAuth error answers mean the grant is refused (the portal must install again)', () => {
  const rows: [label: string, code: number, error: OAuthErrorFields, refused: boolean][] = [
    ['RFC 6749 invalid_grant alone', 400, { error: 'invalid_grant' }, true],
    [
      'invalid_grant with the older fields beside',
      400,
      { error: 'invalid_grant', status: 'BAD_REFRESH_TOKEN', message: 'revoked' },
      true,
    ],
    ['older BAD_REFRESH_TOKEN alone', 400, { status: 'BAD_REFRESH_TOKEN' }, true],
    ['older BAD_AUTH_CODE alone', 400, { status: 'BAD_AUTH_CODE' }, true],
    ['invalid_grant as 401', 401, { error: 'invalid_grant' }, true],
    ['a 400 without any error name, as before', 400, {}, true],
    [
      "invalid_client: Truce's own credentials, not the portal",
      401,
      { error: 'invalid_client' },
      false,
    ],
    ['invalid_request: a bad request from Truce', 400, { error: 'invalid_request' }, false],
    ['an older status that is not about the grant', 400, { status: 'BAD_CLIENT_ID' }, false],
    ['429: HubSpot busy', 429, { error: 'invalid_grant' }, false],
    ['500: HubSpot down', 500, {}, false],
  ];
  it.each(rows)('%s', (_label, code, error, refused) => {
    expect(isGrantRefusal(code, error)).toBe(refused);
  });
});

describe('HubSpot OAuth 2026-03 through the SDK', () => {
  beforeEach(() => nock.cleanAll());

  it('refresh sends a form body with no secret in the URL and reads the token answer', async () => {
    let sent = '';
    nock(API, { reqheaders: { 'content-type': 'application/x-www-form-urlencoded' } })
      .post('/oauth/2026-03/token', (body: Record<string, string>) => {
        sent = new URLSearchParams(body).toString();
        return true;
      })
      .reply(200, { access_token: 'a2', refresh_token: 'r1', expires_in: 1800, hub_id: 62515 });
    const issued = await createHubSpotOAuth(credentials).refresh('r1');
    expect(issued).toEqual({
      accessToken: 'a2',
      refreshToken: 'r1',
      expiresIn: 1800,
      portalId: 62515,
    });
    expect(Object.fromEntries(new URLSearchParams(sent))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r1',
      client_id: 'client-id-9',
      client_secret: 'client-secret-9',
    });
  });

  it('a refused refresh is OAuthGrantRefused; invalid_client and 5xx are OAuthRequestError without the body', async () => {
    const oauth = createHubSpotOAuth(credentials);
    nock(API)
      .post('/oauth/2026-03/token')
      .reply(400, { error: 'invalid_grant', error_description: 'refresh token is revoked' });
    const refused = await oauth.refresh('r-revoked').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OAuthGrantRefused);
    expect(refused).toMatchObject({ status: 400, hubspotStatus: 'invalid_grant' });
    expect((refused as Error).message).toBe(
      'HubSpot refused the grant (invalid_grant): refresh token is revoked',
    );

    nock(API).post('/oauth/2026-03/token').reply(401, { error: 'invalid_client' });
    nock(API).post('/oauth/2026-03/token').reply(503, 'upstream unavailable');
    for (const code of [401, 503]) {
      const failed = await oauth.refresh('r-secret-value').catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(OAuthRequestError);
      expect(failed).toMatchObject({ code });
      expect(
        JSON.stringify({ ...(failed as object), message: (failed as Error).message }),
      ).not.toMatch(/r-secret-value|client-secret-9/);
    }
  });

  it('introspection of an access token that is not active is an error, not an install', async () => {
    nock(API)
      .post(
        '/oauth/2026-03/token/introspect',
        (body: Record<string, string>) => body.token === 'a-x',
      )
      .reply(200, { active: false });
    await expect(createHubSpotOAuth(credentials).describeAccessToken('a-x')).rejects.toThrow(
      'not active',
    );
  });

  it('a token answer without a refresh token is refused by its schema, naming the field only', async () => {
    nock(API).post('/oauth/2026-03/token').reply(200, { access_token: 'a-leak', expires_in: 1800 });
    const failed = await createHubSpotOAuth(credentials)
      .exchangeCode('code-1')
      .catch((error: unknown) => error as Error);
    expect((failed as Error).message).toContain('refresh_token');
    expect((failed as Error).message).not.toContain('a-leak');
  });
});
