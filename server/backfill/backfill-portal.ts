import type { Client } from '@hubspot/api-client';

import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { createHubSpotClient } from '../hubspot/hubspot-client';
import { createRateBudget, type RateBudget } from '../hubspot/rate-budget';
import {
  type BackfillOptions,
  type BackfillReport,
  type BackfillStage,
  runBackfill,
  type StageReport,
} from './backfill.service';
import { clearCursors } from './backfill-state.repository';
import { createHubSpotReader } from './hubspot-reader';

export interface BackfillPortalOptions extends BackfillOptions {
  /** Forget the cursors first: every stage reads from the start again (still idempotent). */
  readonly restart?: boolean;
  readonly budget?: RateBudget;
  /** The portal's HubSpot client (OAuth installs); default: the private-app token from the config. */
  readonly client?: Client;
  readonly now?: () => number;
  readonly onPage?: (stage: BackfillStage, report: StageReport) => void | Promise<void>;
}

/** Wires a backfill run for the configured portal: its HubSpot client, request budget and the database. */
export async function backfillPortal(
  config: Pick<Config, 'hubspot' | 'settings'>,
  database: DatabaseHandle,
  options: BackfillPortalOptions,
): Promise<BackfillReport> {
  const { accessToken, apiBase } = config.hubspot;
  const client =
    options.client ??
    (accessToken ? await createHubSpotClient({ accessToken, apiBase }) : undefined);
  if (!client) throw new Error('set HUBSPOT_ACCESS_TOKEN to read from HubSpot');
  const now = options.now ?? Date.now;
  const budget =
    options.budget ??
    createRateBudget({ requestsPerWindow: config.settings.hubspot.requestsPerTenSeconds });
  let rateLimited = 0;
  const reader = createHubSpotReader({
    client,
    portalId: options.portalId,
    budget,
    now,
    onRateLimited: () => {
      rateLimited += 1;
    },
  });
  if (options.restart && !options.dryRun) await clearCursors(database.db, options.portalId);
  const report = await runBackfill(
    {
      db: database.db,
      reader,
      settings: config.settings,
      now,
      ...(options.onPage ? { onPage: options.onPage } : {}),
    },
    options,
  );
  report.rateLimited = rateLimited;
  return report;
}
