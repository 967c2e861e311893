import crypto from 'node:crypto';

import express from 'express';

import { requireApiKey } from '../../../server/http/api-key-auth';
import { errorHandler } from '../../../server/http/error-handler';

/**
 * The bearer key is compared in constant time: whatever the presented key's length, the comparison is one
 * `timingSafeEqual` over two SHA-256 digests (32 bytes each), so neither the length nor a matching prefix of
 * the key changes the work done. The key itself is hashed once when the middleware is built.
 */
describe('bearer key comparison', () => {
  const KEY = 'the-real-api-key-0123456789';

  it('hashes the key once and compares 32-byte digests with timingSafeEqual, for any presented key', async () => {
    const hashes = jest.spyOn(crypto, 'createHash');
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    const app = express();
    app.get('/x', requireApiKey({ apiKey: KEY, portalId: 1 }), (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler);
    expect(hashes).toHaveBeenCalledTimes(1);
    const server = app.listen(0);
    const port = (server.address() as { port: number }).port;
    try {
      const presented = [
        KEY,
        `${KEY}x`,
        KEY.slice(0, -1),
        'a',
        'x'.repeat(4000),
        `${KEY.slice(0, 20)}zzzzzzz`,
      ];
      const statuses: number[] = [];
      for (const key of presented) {
        const response = await fetch(`http://127.0.0.1:${port}/x`, {
          headers: { authorization: `Bearer ${key}` },
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 401, 401, 401, 401, 401]);
      expect(compare).toHaveBeenCalledTimes(presented.length);
      for (const [received, expected] of compare.mock.calls) {
        expect([(received as Buffer).length, (expected as Buffer).length]).toEqual([32, 32]);
      }
      // The expected digest is the same object every time: the key was hashed once, not per request.
      const expectedDigests = new Set(compare.mock.calls.map(([, expected]) => expected));
      expect(expectedDigests.size).toBe(1);
    } finally {
      server.close();
      hashes.mockRestore();
      compare.mockRestore();
    }
  });
});
