import type { Client } from '@hubspot/api-client';
import { z } from 'zod';

/**
 * HubSpot's date-versioned OAuth API (2026-03), called through `@hubspot/api-client`'s generic `apiRequest`:
 * the SDK (13 and 14) only wraps the v1 endpoints, which HubSpot retires on 16 February 2027 and which carry
 * tokens in the URL path. Here every secret (client secret, code, tokens) travels in a form-urlencoded body,
 * and neither the body nor the token answer is ever logged. Clients here carry no access token: the app's own
 * credentials go in the body.
 */
const OAUTH_TOKEN_PATH = '/oauth/2026-03/token';
const OAUTH_INTROSPECT_PATH = '/oauth/2026-03/token/introspect';
const OAUTH_REVOKE_PATH = '/oauth/2026-03/token/revoke';

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
  /** The account the tokens belong to, when HubSpot says so in the token answer (it has since August 2025). */
  readonly portalId: number | null;
}

export interface AccessTokenInfo {
  readonly portalId: number;
  readonly scopes: readonly string[];
  readonly hubDomain: string | null;
  readonly user: string | null;
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

/** HubSpot's OAuth error fields: RFC 6749's `error`/`error_description`, and its older `status`/`message`. */
const oauthErrorSchema = z.object({
  error: z.string().optional(),
  error_description: z.string().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  category: z.string().optional(),
  correlationId: z.string().optional(),
});
export type OAuthErrorFields = z.output<typeof oauthErrorSchema>;

/**
 * Any other non-2xx answer of an OAuth endpoint. Carries only HubSpot's error fields, never the request body,
 * so logging it cannot leak a secret.
 */
export class OAuthRequestError extends Error {
  override name = 'OAuthRequestError';
  constructor(
    readonly path: string,
    readonly code: number,
    readonly error: OAuthErrorFields,
  ) {
    const reason = error.error ?? error.status ?? error.category;
    super(`HubSpot answered ${code} to POST ${path}${reason ? ` (${reason})` : ''}`);
  }
}

export interface HubSpotOAuth {
  exchangeCode(code: string): Promise<IssuedTokens>;
  refresh(refreshToken: string): Promise<IssuedTokens>;
  describeAccessToken(accessToken: string): Promise<AccessTokenInfo>;
  /** Tells HubSpot the refresh token is no longer wanted: it stops issuing access tokens for it. */
  revokeRefreshToken(refreshToken: string): Promise<void>;
}

const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  hub_id: z.number().int().positive().optional().describe('in token answers since August 2025'),
  scopes: z.array(z.string()).optional(),
});

const introspectionSchema = z.object({
  active: z.boolean(),
  hub_id: z.number().int().positive().optional(),
  scopes: z.array(z.string()).optional(),
  hub_domain: z.string().optional(),
  user: z.string().optional().describe("the installing user's e-mail"),
});

export function createHubSpotOAuth(credentials: OAuthAppCredentials): HubSpotOAuth {
  // The SDK loads on the first OAuth call (an install or a token refresh), not when the service starts.
  let sdkClient: Promise<Client> | undefined;
  const client = () =>
    (sdkClient ??= import('@hubspot/api-client').then(
      ({ Client }) => new Client({ basePath: credentials.apiBase, numberOfApiCallRetries: 0 }),
    ));

  async function postForm(path: string, fields: Record<string, string>): Promise<unknown> {
    const response = await (
      await client()
    ).apiRequest({
      method: 'POST',
      path,
      // defaultJson would JSON-encode the body and set a JSON content type; these endpoints take a form.
      defaultJson: false,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const body = parseJson(await response.text());
    if (!response.ok) {
      const errorFields = oauthErrorSchema.safeParse(body);
      throw new OAuthRequestError(
        path,
        response.status,
        errorFields.success ? errorFields.data : {},
      );
    }
    return body;
  }

  async function grant(fields: Record<string, string>): Promise<IssuedTokens> {
    let body;
    try {
      body = await postForm(OAUTH_TOKEN_PATH, {
        ...fields,
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      });
    } catch (error) {
      throw refusedGrant(error) ?? error;
    }
    const parsed = tokenAnswerSchema.safeParse(body);
    if (!parsed.success) throw unexpectedAnswer(OAUTH_TOKEN_PATH, parsed.error);
    return {
      accessToken: parsed.data.access_token,
      refreshToken: parsed.data.refresh_token,
      expiresIn: parsed.data.expires_in,
      portalId: parsed.data.hub_id ?? null,
    };
  }

  return {
    exchangeCode: (code) =>
      grant({ grant_type: 'authorization_code', code, redirect_uri: credentials.redirectUri }),
    refresh: (refreshToken) => grant({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    async describeAccessToken(accessToken) {
      const body = await postForm(OAUTH_INTROSPECT_PATH, {
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        token: accessToken,
        token_type_hint: 'access_token',
      });
      const parsed = introspectionSchema.safeParse(body);
      if (!parsed.success) throw unexpectedAnswer(OAUTH_INTROSPECT_PATH, parsed.error);
      const info = parsed.data;
      if (!info.active || info.hub_id === undefined)
        throw new Error('HubSpot reports the access token it just issued as not active');
      return {
        portalId: info.hub_id,
        scopes: info.scopes ?? [],
        hubDomain: info.hub_domain ?? null,
        user: info.user ?? null,
      };
    },
    async revokeRefreshToken(refreshToken) {
      await postForm(OAUTH_REVOKE_PATH, {
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        token: refreshToken,
        token_type_hint: 'refresh_token',
      });
    },
  };
}

/** HubSpot's older names for a refused grant, still sent beside RFC 6749's `invalid_grant`. */
const REFUSED_GRANT_STATUSES = new Set(['BAD_REFRESH_TOKEN', 'BAD_AUTH_CODE']);

/**
 * A 400 or 401 saying the grant itself is bad (`invalid_grant`, or the older BAD_REFRESH_TOKEN / BAD_AUTH_CODE)
 * is a refusal; so is a 400 or 401 without any error name, as before. A named error about Truce's own request
 * (`invalid_client`, `invalid_request`, …) is a configuration problem, not the portal's, and 429 and 5xx are
 * HubSpot having a bad moment: those are left to the caller, so a wrong client secret cannot flag every portal.
 */
export function isGrantRefusal(code: number, error: OAuthErrorFields): boolean {
  if (code !== 400 && code !== 401) return false;
  if (error.error === 'invalid_grant') return true;
  if (error.status !== undefined && REFUSED_GRANT_STATUSES.has(error.status)) return true;
  return error.error === undefined && error.status === undefined;
}

function refusedGrant(error: unknown): OAuthGrantRefused | undefined {
  if (!(error instanceof OAuthRequestError) || !isGrantRefusal(error.code, error.error))
    return undefined;
  const fields = error.error;
  const message = fields.error_description ?? fields.message ?? `HTTP ${error.code}`;
  // The older name too, when HubSpot still sends it: it says whether the code or the refresh token was refused.
  const label = [fields.error, fields.status].filter(Boolean).join(', ') || String(error.code);
  return new OAuthGrantRefused(
    `HubSpot refused the grant (${label}): ${message}`,
    error.code,
    fields.error ?? fields.status,
  );
}

function unexpectedAnswer(path: string, error: z.ZodError): Error {
  const issue = error.issues[0];
  // Names the field only: the answer holds tokens and is not quoted.
  return new Error(
    `unexpected HubSpot answer to POST ${path}: ${issue?.path.join('.') || '(body)'} ${issue?.message ?? ''}`,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
