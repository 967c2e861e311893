import express from 'express';

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
