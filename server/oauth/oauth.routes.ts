import { type Response, Router } from 'express';
import { z } from 'zod';

import { ensureTruceDealProperties } from '../attribution/deal-write-back';
import type { Config, OAuthConfig } from '../config';
import type { DatabaseHandle } from '../db/database';
import { ensureTruceProperties } from '../handoff/handoff-setup';
import type { Logger } from '../logger';
import { saveInstalledPortal } from '../portals/portal-token.repository';
import type { Keyring } from '../security/token-cipher';
import { type HubSpotOAuth, OAuthGrantRefused } from './hubspot-oauth';
import { renderPage } from './oauth-pages';
import { issueState, OAuthStateError, verifyState } from './oauth-state';
import { sealTokens } from './token-sealing';

const OAUTH_INSTALL_PATH = '/oauth/install';
export const OAUTH_CALLBACK_PATH = '/oauth/callback';
const NONCE_COOKIE = 'truce_oauth_nonce';

export interface OAuthRoutesDeps {
  readonly database: DatabaseHandle;
  readonly logger: Logger;
  readonly now: () => number;
  readonly keyring: Keyring;
  readonly oauth: HubSpotOAuth;
  /** Called after a portal was installed (the service wakes its outbox to create the properties). */
  readonly onInstalled?: (portalId: number) => void;
}

const callbackQuerySchema = z.object({
  code: z.string({ error: 'is missing' }).min(1, 'is missing').max(1024, 'is too long'),
  state: z.string({ error: 'is missing' }).min(1, 'is missing').max(2048, 'is too long'),
});

/**
 * The OAuth install flow (HUBSPOT_AUTH=oauth): `/oauth/install` sends the admin to HubSpot with a signed,
 * expiring state; `/oauth/callback` checks it, trades the code for tokens, learns the portal from HubSpot's
 * answers, registers the portal with its tokens sealed, and queues the creation of Truce's HubSpot properties.
 */
export function oauthRoutes(
  config: Config,
  oauthConfig: OAuthConfig,
  deps: OAuthRoutesDeps,
): Router {
  const router = Router();
  const settings = config.settings.oauth;
  const stateKey = deps.keyring.derive('truce-oauth-state');
  const secureCookie = oauthConfig.redirectUri.startsWith('https:');
  const log = deps.logger.child({ component: 'oauth' });

  router.get(OAUTH_INSTALL_PATH, (_req, res) => {
    const issued = issueState(stateKey, deps.now(), settings.stateTtlSeconds * 1000);
    const params: [string, string][] = [
      ['client_id', oauthConfig.clientId],
      ['redirect_uri', oauthConfig.redirectUri],
      ['scope', settings.scopes.join(' ')],
      ...(settings.optionalScopes.length > 0
        ? [['optional_scope', settings.optionalScopes.join(' ')] as [string, string]]
        : []),
      ['state', issued.state],
    ];
    // Spaces as %20, as HubSpot's own install links write them (URLSearchParams would write "+").
    const query = params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
    res.cookie(NONCE_COOKIE, issued.nonce, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookie,
      path: '/oauth',
      maxAge: settings.stateTtlSeconds * 1000,
    });
    res.redirect(302, `${oauthConfig.authorizeUrl}?${query}`);
  });

  router.get(OAUTH_CALLBACK_PATH, async (req, res) => {
    const query = req.query as Record<string, unknown>;
    if (typeof query.error === 'string') {
      const reason =
        typeof query.error_description === 'string' ? query.error_description : query.error;
      fail(res, 400, 'HubSpot did not authorize Truce', `HubSpot answered: ${reason}.`);
      return;
    }
    const parsed = callbackQuerySchema.safeParse(query);
    if (!parsed.success) {
      const reasons = parsed.error.issues.map(
        (issue) => `${issue.path.join('.')} ${issue.message}`,
      );
      fail(
        res,
        400,
        'Install link not valid',
        `The callback is missing its ${reasons.join(', ')}.`,
      );
      return;
    }
    let nonce: string;
    try {
      nonce = verifyState(stateKey, parsed.data.state, deps.now());
    } catch (error) {
      if (!(error instanceof OAuthStateError)) throw error;
      fail(res, 400, 'Install link not valid', `${error.message}.`);
      return;
    }
    if (readCookie(req.headers.cookie, NONCE_COOKIE) !== nonce) {
      fail(
        res,
        400,
        'Install link not valid',
        'This install was started in another browser, or cookies are blocked; start again from /oauth/install.',
      );
      return;
    }

    let portalId: number;
    try {
      const tokens = await deps.oauth.exchangeCode(parsed.data.code);
      // The token answer names the account (hub_id); introspection adds its domain and the installing user,
      // which the token answer lacks, and names the account too when an older answer did not.
      const info = await deps.oauth.describeAccessToken(tokens.accessToken);
      if (tokens.portalId !== null && tokens.portalId !== info.portalId)
        throw new Error(
          `HubSpot issued tokens for account ${tokens.portalId} but describes them as account ${info.portalId}`,
        );
      portalId = tokens.portalId ?? info.portalId;
      const now = deps.now();
      const sealed = sealTokens(deps.keyring, portalId, tokens, now + tokens.expiresIn * 1000);
      await deps.database.db.transaction().execute(async (trx) => {
        await saveInstalledPortal(
          trx,
          {
            ...sealed,
            portalId,
            scopes: info.scopes,
            hubDomain: info.hubDomain,
            installedBy: info.user,
          },
          now,
        );
        await ensureTruceProperties(trx, portalId, config.settings.handoff, now);
        if (config.settings.attribution.writeBack.enabled)
          await ensureTruceDealProperties(trx, portalId, now);
      });
      log.info(
        { portalId, hubDomain: info.hubDomain },
        `portal ${portalId} installed Truce (${info.hubDomain ?? 'unknown domain'})`,
      );
    } catch (error) {
      if (error instanceof OAuthGrantRefused) {
        fail(
          res,
          400,
          'HubSpot refused the install',
          `${error.message}. Start again from /oauth/install.`,
        );
        return;
      }
      log.error({ err: error }, 'OAuth install failed talking to HubSpot');
      fail(
        res,
        502,
        'HubSpot did not answer',
        'Truce could not complete the install with HubSpot. Nothing was stored; try again in a minute.',
      );
      return;
    }
    deps.onInstalled?.(portalId);
    res.clearCookie(NONCE_COOKIE, { path: '/oauth' });
    res
      .status(200)
      .type('html')
      .send(
        renderPage('Truce is installed', [
          `HubSpot account ${portalId} is connected. Truce is creating its properties there now.`,
          'Next: open a contact record in HubSpot, choose "Customize record", and add the Truce cards to the contact and deal record views.',
          'New MQLs will be scored, routed and timed from now on; run `truce backfill` to attribute existing deals.',
        ]),
      );
  });

  return router;
}

function fail(res: Response, status: number, title: string, detail: string): void {
  res
    .status(status)
    .type('html')
    .send(renderPage(title, [detail]));
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}
