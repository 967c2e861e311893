import type { Client } from '@hubspot/api-client';
import { type Command, InvalidArgumentError } from 'commander';

import type { BackfillReport, StageReport } from '../backfill/backfill.service';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { EXIT_USAGE, loadRuntime } from './runtime';

interface BackfillCliOptions {
  portal?: number;
  since?: number;
  dryRun?: boolean;
  restart?: boolean;
}

function portalId(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a portal id');
  return n;
}

function sinceDate(value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expected a date like 2026-07-01');
  return ms;
}

/**
 * `truce backfill`: imports a portal's existing contacts, deals, form submissions, email clicks, campaign
 * assets and campaign spend. Progress goes to stderr, the summary to stdout. Resumable: run it again after a
 * crash and it continues from each stage's cursor; after a complete run it reads nothing (`--restart` reads
 * everything again, idempotently).
 */
export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description(
      "import a portal's existing HubSpot data: touches, deals, campaign assets and spend",
    )
    .option('--portal <id>', 'HubSpot portal (default HUBSPOT_PORTAL_ID)', portalId)
    .option('--since <date>', 'skip form submissions and email events before this date', sinceDate)
    .option('--dry-run', 'read everything and report what would be stored; store nothing')
    .option('--restart', 'forget the stage cursors and read every stage from the start')
    .action(async (options: BackfillCliOptions) => {
      const report = await backfillCommand(options, { sync: false });
      if (report) process.stdout.write(formatReport(report));
    });
}

/** Shared with `truce spend sync`, which runs the campaigns stage (assets and budget) on its own. */
export async function backfillCommand(
  options: BackfillCliOptions,
  mode: { sync: boolean },
): Promise<BackfillReport | undefined> {
  const { config } = loadRuntime();
  const portal = options.portal ?? config.hubspot.portalId;
  const name = mode.sync ? 'truce spend sync' : 'truce backfill';
  if (portal === undefined) {
    process.stderr.write(`${name}: pass --portal or set HUBSPOT_PORTAL_ID\n`);
    process.exitCode = EXIT_USAGE;
    return undefined;
  }
  if (config.hubspot.auth === 'oauth') return oauthBackfill(name, portal, options, mode);
  if (config.hubspot.portalId !== undefined && portal !== config.hubspot.portalId) {
    process.stderr.write(`${name}: no HubSpot credentials for portal ${portal}\n`);
    process.exitCode = EXIT_USAGE;
    return undefined;
  }
  if (!config.hubspot.accessToken) {
    process.stderr.write(`${name}: set HUBSPOT_ACCESS_TOKEN\n`);
    process.exitCode = EXIT_USAGE;
    return undefined;
  }
  return runBackfillCommand(config, name, portal, options, mode);
}

/** OAuth installs: the portal's own client, with its token refreshed like the service's. */
async function oauthBackfill(
  name: string,
  portal: number,
  options: BackfillCliOptions,
  mode: { sync: boolean },
): Promise<BackfillReport | undefined> {
  const { config, logger } = loadRuntime();
  const { oauthClientsFromConfig } = await import('../oauth/oauth-clients');
  return runBackfillCommand(config, name, portal, options, mode, async (database) => {
    const oauth = oauthClientsFromConfig(config, { database, logger, now: Date.now });
    return oauth!.clients.forPortal(portal);
  });
}

async function runBackfillCommand(
  config: Config,
  name: string,
  portal: number,
  options: BackfillCliOptions,
  mode: { sync: boolean },
  clientFor?: (database: DatabaseHandle) => Promise<Client>,
): Promise<BackfillReport | undefined> {
  // The drivers and the HubSpot client load on use, so `truce --help` and other commands start without them.
  const { backfillPortal } = await import('../backfill/backfill-portal');
  const { openDatabase } = await import('../db/database');
  const { migrateToLatest } = await import('../db/migrate');
  const { PortalUnavailableError } = await import('../hubspot/hubspot-client');
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    let client: Client | undefined;
    if (clientFor) {
      try {
        client = await clientFor(database);
      } catch (error) {
        if (!(error instanceof PortalUnavailableError)) throw error;
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exitCode = EXIT_USAGE;
        return undefined;
      }
    }
    return await backfillPortal(config, database, {
      ...(client ? { client } : {}),
      portalId: portal,
      ...(options.since !== undefined ? { since: options.since } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      // A sync always reads the campaigns again: budgets change, and the writes are idempotent.
      restart: mode.sync || options.restart === true,
      ...(mode.sync ? { stages: ['campaigns'] as const } : {}),
      onPage: (stage, line) => {
        process.stderr.write(
          `${name}: ${stage} page ${line.pages}, ${line.items} read, ${line.touchesWritten} touches stored\n`,
        );
      },
    });
  } finally {
    await database.close();
  }
}

function formatReport(report: BackfillReport): string {
  const verb = report.dryRun ? 'would store' : 'stored';
  const lines = report.stages.map((line: StageReport) =>
    line.skipped
      ? `${line.stage}: already complete`
      : `${line.stage}: ${line.pages} page(s), ${line.items} read, ${verb} ${line.touchesWritten} touch(es)`,
  );
  lines.push(
    `campaign spend: ${verb} ${report.spendFigures} figure(s) from HubSpot budgets`,
    `rate limited: ${report.rateLimited} time(s)`,
  );
  return `${lines.join('\n')}\n`;
}
