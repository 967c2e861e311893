import { newAppMetrics } from '../../server/app';
import type { DatabaseHandle } from '../../server/db/database';
import { createLogger } from '../../server/logger';
import type { WebhookDispatcher } from '../../server/webhooks/dispatcher';
import { defaultWebhookDispatcher } from '../../server/webhooks/handlers';
import { WebhookWorker } from '../../server/webhooks/webhook-worker';
import { testConfig } from './config';

/**
 * A webhook worker on `database` with a clock stopped at `now`, silent logs, fresh metrics and the test
 * config's webhook settings; the real handlers unless a dispatcher is given.
 */
export function testWebhookWorker(
  database: DatabaseHandle,
  now: number,
  dispatcher: WebhookDispatcher = defaultWebhookDispatcher(),
): WebhookWorker {
  return new WebhookWorker({
    database,
    dispatcher,
    metrics: newAppMetrics({ database, now: () => now }).webhooks,
    logger: createLogger('silent'),
    now: () => now,
    settings: testConfig().settings.webhooks,
  });
}
