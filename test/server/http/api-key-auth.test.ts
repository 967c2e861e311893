import express from 'express';

import { ConfigError, loadConfig } from '../../../server/config';
import { requireApiKey } from '../../../server/http/api-key-auth';
import { errorHandler } from '../../../server/http/error-handler';

async function withApp(
  options: Parameters<typeof requireApiKey>[0],
  run: (baseUrl: string) => Promise<void>,
): Promise<void> {
  const app = express();
  app.get('/api/v1/whoami', requireApiKey(options), (_req, res) => {
    res.json({ portalId: res.locals.portalId });
  });
  app.use(errorHandler);
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  try {
    await run(`http://127.0.0.1:${port}`);
  } finally {
    server.close();
  }
}

const KEY = 'k3y-for-tests-0123456789';

describe('bearer key authentication', () => {
  it.each([
    ['no header', undefined],
    ['wrong key', `Bearer ${KEY}x`],
    ['prefix of the key', `Bearer ${KEY.slice(0, 10)}`],
    ['wrong scheme', `Basic ${KEY}`],
    ['empty bearer', 'Bearer '],
  ])('refuses %s with 401', async (_label, authorization) => {
    await withApp({ apiKey: KEY, portalId: 7 }, async (baseUrl) => {
      const response = await fetch(`${baseUrl}/api/v1/whoami`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/Bearer/);
      expect(await response.json()).toEqual({
        error: { code: 'unauthorized', message: 'missing or invalid bearer key' },
      });
    });
  });

  it('lets the right key through, scoped to its portal', async () => {
    await withApp({ apiKey: KEY, portalId: 7 }, async (baseUrl) => {
      const response = await fetch(`${baseUrl}/api/v1/whoami`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ portalId: 7 });
    });
  });

  it('answers 503 when no key is configured, instead of leaving the API open', async () => {
    await withApp({ apiKey: undefined, portalId: 7 }, async (baseUrl) => {
      const response = await fetch(`${baseUrl}/api/v1/whoami`, {
        headers: { authorization: 'Bearer anything' },
      });
      expect(response.status).toBe(503);
    });
  });
});

describe('bearer keys for several portals (TRUCE_API_KEYS)', () => {
  const portalKeys = [
    { portalId: 71001, key: 'portal-a-key-0123456789' },
    { portalId: 71002, key: 'portal-b-key-0123456789' },
  ];

  it('each key sees only its own portal; any other key is 401', async () => {
    await withApp({ apiKey: undefined, portalId: undefined, portalKeys }, async (baseUrl) => {
      const whoami = (key: string) =>
        fetch(`${baseUrl}/api/v1/whoami`, { headers: { authorization: `Bearer ${key}` } });
      expect(await (await whoami(portalKeys[0]!.key)).json()).toEqual({ portalId: 71001 });
      expect(await (await whoami(portalKeys[1]!.key)).json()).toEqual({ portalId: 71002 });
      expect((await whoami(`${portalKeys[0]!.key}x`)).status).toBe(401);
    });
  });

  it('parses from the environment and names a bad entry by position, never by its key', () => {
    expect(
      loadConfig({
        TRUCE_API_KEYS: ' 71001:portal-a-key-0123456789 , 71002:portal-b-key-0123456789',
      }).portalApiKeys,
    ).toEqual(portalKeys);
    expect(() =>
      loadConfig({ TRUCE_API_KEYS: '71001:short-secret,abc:portal-b-key-0123456789' }),
    ).toThrow(/entry 1 must be at least 16 characters[\s\S]*entry 2 must be PORTAL_ID:KEY/);
    // Caught outside the catch block, so the check cannot be skipped by a load that does not throw.
    let caught: unknown;
    try {
      loadConfig({ TRUCE_API_KEYS: '71001:short-secret' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(String(caught)).not.toContain('short-secret');
  });
});
