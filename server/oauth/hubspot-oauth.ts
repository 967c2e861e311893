import type { Client } from '@hubspot/api-client';

/**
 * HubSpot's OAuth endpoints through `@hubspot/api-client` (POST /oauth/v1/token,
 * GET /oauth/v1/access-tokens/{token}). Clients here carry no access token: the app's own credentials go in the
 * form body.
 */
export interface OAuthAppCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly apiBase: string;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds the access token lives, as HubSpot says. */
  readonly expiresIn: number;
}

export interface AccessTokenInfo {
  readonly portalId: number;
  readonly scopes: readonly string[];
  readonly hubDomain: string | null;
  readonly user: string | null;
  readonly appId: number;
}

/**
 * HubSpot refused the grant itself (an unknown or revoked refresh token, a used or forged authorization code):
 * retrying cannot help; the portal has to install again.
 */
export class OAuthGrantRefused extends Error {
  override name = 'OAuthGrantRefused';
  constructor(
    message: string,
    readonly status: number,
    readonly hubspotStatus: string | undefined,
  ) {
    super(message);
  }
}

export interface HubSpotOAuth {
  exchangeCode(code: string): Promise<IssuedTokens>;
  refresh(refreshToken: string): Promise<IssuedTokens>;
  describeAccessToken(accessToken: string): Promise<AccessTokenInfo>;
}

export function createHubSpotOAuth(credentials: OAuthAppCredentials): HubSpotOAuth {
  // The SDK loads on the first OAuth call (an install or a token refresh), not when the service starts.
  let sdkClient: Promise<Client> | undefined;
  const oauthApi = async () => {
    sdkClient ??= import('@hubspot/api-client').then(
      ({ Client }) => new Client({ basePath: credentials.apiBase, numberOfApiCallRetries: 0 }),
    );
    return (await sdkClient).oauth;
  };
  const grant = async (run: () => Promise<IssuedTokens>) => {
    try {
      const tokens = await run();
      return {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresIn: tokens.expiresIn,
      };
    } catch (error) {
      throw refusedGrant(error) ?? error;
    }
  };
  return {
    exchangeCode: (code) =>
      grant(async () =>
        (await oauthApi()).tokensApi.create(
          'authorization_code',
          code,
          credentials.redirectUri,
          credentials.clientId,
          credentials.clientSecret,
        ),
      ),
    refresh: (refreshToken) =>
      grant(async () =>
        (await oauthApi()).tokensApi.create(
          'refresh_token',
          undefined,
          undefined,
          credentials.clientId,
          credentials.clientSecret,
          refreshToken,
        ),
      ),
    async describeAccessToken(accessToken) {
      const info = await (await oauthApi()).accessTokensApi.get(accessToken);
      return {
        portalId: info.hubId,
        scopes: info.scopes,
        hubDomain: info.hubDomain ?? null,
        user: info.user ?? null,
        appId: info.appId,
      };
    },
  };
}

/**
 * 400 (BAD_REFRESH_TOKEN, BAD_AUTH_CODE, invalid_grant) and 401 from the token endpoint are refusals; 429 and
 * 5xx are HubSpot having a bad moment and are left for the caller to retry.
 */
function refusedGrant(error: unknown): OAuthGrantRefused | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code !== 400 && code !== 401) return undefined;
  const body = parseBody((error as { body?: unknown }).body);
  const hubspotStatus =
    typeof body.status === 'string'
      ? body.status
      : typeof body.error === 'string'
        ? body.error
        : undefined;
  const message =
    typeof body.message === 'string'
      ? body.message
      : typeof body.error_description === 'string'
        ? body.error_description
        : `HTTP ${code}`;
  return new OAuthGrantRefused(
    `HubSpot refused the grant (${hubspotStatus ?? code}): ${message}`,
    code,
    hubspotStatus,
  );
}

function parseBody(body: unknown): Record<string, unknown> {
  if (typeof body === 'string') {
    try {
      return parseBody(JSON.parse(body));
    } catch {
      return {};
    }
  }
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}
