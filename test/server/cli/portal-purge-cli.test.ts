import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { openDatabase } from '../../../server/db/database';
import { migrateToLatest } from '../../../server/db/migrate';
import { sealTokens } from '../../../server/oauth/token-sealing';
import { deactivatePortal } from '../../../server/portals/portal.repository';
import { saveInstalledPortal } from '../../../server/portals/portal-token.repository';
import { parseKeyring } from '../../../server/security/token-cipher';
import { spawnTruce } from '../../helpers/process';

const PORTAL = 72_001;
const DAY = 24 * 60 * 60 * 1000;

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  form: Record<string, string>;
}

/** A stand-in for HubSpot's API on loopback (the CLI runs as its own process, out of nock's reach). */
async function fakeHubSpot(
  status: number,
): Promise<{ server: Server; base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        form: Object.fromEntries(new URLSearchParams(body)),
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status < 300 ? '' : JSON.stringify({ error: 'invalid_grant' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, received };
}

describe('truce portal purge in OAuth mode', () => {
  it.each([
    [204, /revoked portal 72001's refresh token at HubSpot/],
    [
      400,
      /refresh token was not revoked \(HubSpot answered 400 .*invalid_grant\)\); purging anyway/,
    ],
  ])(
    'revokes the refresh token at /oauth/2026-03/token/revoke, then purges (HubSpot answers %s)',
    async (status, said) => {
      const databaseFile = path.join(mkdtempSync(path.join(tmpdir(), 'truce-purge-')), 'p.sqlite');
      const encryptionKey = `k1:${randomBytes(32).toString('base64')}`;
      const database = openDatabase({ dialect: 'sqlite', filename: databaseFile });
      try {
        await migrateToLatest(database.db);
        const sealed = sealTokens(
          parseKeyring(encryptionKey),
          PORTAL,
          { accessToken: 'access-p', refreshToken: 'refresh-p' },
          Date.now(),
        );
        const installedAt = Date.now() - 40 * DAY;
        await saveInstalledPortal(
          database.db,
          { ...sealed, portalId: PORTAL, scopes: ['oauth'], hubDomain: null, installedBy: null },
          installedAt,
        );
        await deactivatePortal(database.db, PORTAL, 'inactive', 'contract ended', installedAt);
      } finally {
        await database.close();
      }
      const hubspot = await fakeHubSpot(status);
      try {
        const run = spawnTruce(['portal', 'purge', String(PORTAL)], {
          DATABASE_URL: databaseFile,
          HUBSPOT_AUTH: 'oauth',
          HUBSPOT_CLIENT_ID: 'client-purge',
          HUBSPOT_CLIENT_SECRET: 'client-secret-purge',
          PUBLIC_BASE_URL: 'https://truce.example',
          TRUCE_ENCRYPTION_KEY: encryptionKey,
          HUBSPOT_API_BASE: hubspot.base,
        });
        expect(await run.exited).toBe(0);
        const output = run.output();
        expect(output).toMatch(said);
        expect(output).toMatch(/purged portal 72001: \d+ row\(s\) deleted/);
        expect(output).not.toContain('refresh-p');
        expect(hubspot.received).toEqual([
          {
            method: 'POST',
            url: '/oauth/2026-03/token/revoke',
            contentType: 'application/x-www-form-urlencoded',
            form: {
              client_id: 'client-purge',
              client_secret: 'client-secret-purge',
              token: 'refresh-p',
              token_type_hint: 'refresh_token',
            },
          },
        ]);
      } finally {
        await new Promise((resolve) => hubspot.server.close(resolve));
      }
    },
  );
});
