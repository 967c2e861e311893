import { Router } from 'express';

import { type DatabaseHandle, ping } from '../db/database';
import { pendingMigrations } from '../db/migrate';

/** `/healthz`: the process answers. `/readyz`: it can do its job (database reachable, schema current). */
export function healthRoutes(database: DatabaseHandle): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (req, res) => {
    try {
      await ping(database.db);
      const pending = await pendingMigrations(database.db);
      if (pending.length > 0) {
        res.status(503).json({
          status: 'not_ready',
          checks: { database: 'ok', migrations: `pending: ${pending.join(', ')}` },
        });
        return;
      }
      res.json({ status: 'ready', checks: { database: 'ok', migrations: 'current' } });
    } catch (error) {
      req.log?.warn({ err: error }, 'readiness check failed: database unreachable');
      res.status(503).json({ status: 'not_ready', checks: { database: 'unreachable' } });
    }
  });

  return router;
}
