import type { Kysely } from 'kysely';

import { effectiveChannelRules } from '../../src/touchpoints/channel-classifier';
import type { Settings } from '../config';
import type { Database } from '../db/schema';
import type { StageContext, StageReader } from './backfill-stage';
import { readCursor, saveCursor, type StageCursor } from './backfill-state.repository';
import { readCampaignsPage } from './campaigns.stage';
import { readContactsPage, readDealsPage } from './crm.stage';
import type { HubSpotReader } from './hubspot-reader';
import { readEmailClicksPage, readFormSubmissionsPage } from './marketing-events.stage';

const BACKFILL_STAGES = [
  'campaigns',
  'contacts',
  'deals',
  'form_submissions',
  'email_clicks',
] as const;
export type BackfillStage = (typeof BACKFILL_STAGES)[number];

/** What one stage read and wrote in this run. */
export interface StageReport {
  readonly stage: BackfillStage;
  /** Already complete before this run (nothing was read). */
  readonly skipped: boolean;
  pages: number;
  items: number;
  touchesWritten: number;
}

export interface BackfillReport {
  readonly portalId: number;
  readonly dryRun: boolean;
  readonly stages: StageReport[];
  spendFigures: number;
  rateLimited: number;
}

export interface BackfillOptions {
  readonly portalId: number;
  /** Form submissions and email events before this time (epoch ms) are not read. */
  readonly since?: number;
  /** Read everything, write nothing (no touches, spend, cursors). */
  readonly dryRun?: boolean;
  /** Only these stages (default all, in order); `truce spend sync` runs `campaigns`. */
  readonly stages?: readonly BackfillStage[];
}

export interface BackfillDeps {
  readonly db: Kysely<Database>;
  readonly reader: HubSpotReader;
  readonly settings: Pick<Settings, 'attribution' | 'touchpoints'>;
  readonly now: () => number;
  /** Called after every page is stored (progress on stderr from the CLI). */
  readonly onPage?: (stage: BackfillStage, report: StageReport) => void | Promise<void>;
}

const READERS: Record<BackfillStage, StageReader> = {
  campaigns: readCampaignsPage,
  contacts: readContactsPage,
  deals: readDealsPage,
  form_submissions: readFormSubmissionsPage,
  email_clicks: readEmailClicksPage,
};

/**
 * `truce backfill`: reads what a portal already holds — campaigns with their forms, emails and budget, every
 * contact's source and conversion history, every deal with its contacts, form submissions and marketing email
 * clicks — and stores it the way the webhook path would. Each stage walks HubSpot's pages and stores each page
 * together with its cursor in one transaction, so a crash loses at most the page in flight and the next run
 * continues from the cursor. Every write is idempotent (touch keys, newer-wins CRM slice, spend keyed by
 * campaign/period/source), so reading a page twice changes nothing.
 */
export async function runBackfill(
  deps: BackfillDeps,
  options: BackfillOptions,
): Promise<BackfillReport> {
  const report: BackfillReport = {
    portalId: options.portalId,
    dryRun: options.dryRun === true,
    stages: [],
    spendFigures: 0,
    rateLimited: 0,
  };
  const context: StageContext = {
    db: deps.db,
    reader: deps.reader,
    settings: deps.settings,
    now: deps.now,
    portalId: options.portalId,
    since: options.since,
    dryRun: options.dryRun === true,
    rules: effectiveChannelRules(deps.settings.touchpoints.channels),
    dryAssets: [],
  };
  for (const stage of options.stages ?? BACKFILL_STAGES) {
    await runStage(context, stage, report, deps.onPage);
  }
  return report;
}

/** One stage from its cursor to its end, each page stored with the next cursor in one transaction. */
async function runStage(
  context: StageContext,
  stage: BackfillStage,
  report: BackfillReport,
  onPage: BackfillDeps['onPage'],
): Promise<void> {
  const start = context.dryRun
    ? { cursor: null, done: false, pages: 0, items: 0 }
    : await readCursor(context.db, context.portalId, stage);
  const line: StageReport = { stage, skipped: start.done, pages: 0, items: 0, touchesWritten: 0 };
  report.stages.push(line);
  if (start.done) return;
  const read = READERS[stage];
  let cursor: StageCursor = start;
  for (;;) {
    const page = await read(context, cursor.cursor);
    const next: StageCursor = {
      cursor: page.next,
      done: page.next === null,
      pages: cursor.pages + 1,
      items: cursor.items + page.items,
    };
    const at = context.now();
    if (context.dryRun) {
      line.touchesWritten += page.touches.length;
    } else {
      line.touchesWritten += await context.db.transaction().execute(async (trx) => {
        const written = await page.write(trx, at);
        await saveCursor(trx, context.portalId, stage, next, at);
        return written;
      });
    }
    line.pages += 1;
    line.items += page.items;
    report.spendFigures += page.spendFigures ?? 0;
    cursor = next;
    await onPage?.(stage, line);
    if (next.done) return;
  }
}
