import type { Command } from 'commander';

import { parsePeriod } from '../../src/reports/report-period';
import type { openDatabase } from '../db/database';
import { AppError } from '../http/app-error';
import type { ExportFormat } from '../reports/export/report-writer';
import { EXIT_USAGE, loadRuntime, loadSettings } from './runtime';

/**
 * `truce close-period 2026-Q3` freezes the period's credits; `truce adjustments 2026-Q3` lists what changed
 * since, per deal, model and campaign, with the reason.
 */
export function registerClosePeriod(program: Command): void {
  program
    .command('close-period')
    .description('freeze a period’s attribution (later changes are reported as adjustments)')
    .argument('<period>', '2026, 2026-Q3, 2026-07 or 2026-07-15')
    .action(async (label: string) => {
      const { closePeriod } = await import('../attribution/period-close.service');
      const { attributePeriod } = await import('../attribution/period-attribution.service');
      await withDatabase(async (db, portalId, zone) => {
        // A quarter's data-driven credits are computed once more and frozen with it.
        if (isQuarter(label, zone)) {
          await attributePeriod(db, portalId, label, {
            settings: loadSettings().attribution,
            now: Date.now(),
          });
        }
        const closed = await closePeriod(db, portalId, label, { zone, now: Date.now() });
        process.stdout.write(
          `closed ${closed.period}: ${closed.deals} deal(s), ${closed.rows} frozen deal/model row(s)\n`,
        );
      });
    });
  program
    .command('adjustments')
    .description('what changed in a closed period since it was closed, deal by deal')
    .argument('<period>', 'a closed period')
    .option('--format <format>', 'csv or json', 'csv')
    .action(async (label: string, options: { format: string }) => {
      const { EXPORT_FORMATS, writeReport } = await import('../reports/export/report-writer');
      const { adjustmentsView, periodAdjustments } =
        await import('../attribution/period-close.service');
      if (
        !['csv', 'json'].includes(options.format) ||
        !EXPORT_FORMATS.includes(options.format as ExportFormat)
      ) {
        process.stderr.write('truce adjustments: --format must be csv or json\n');
        process.exit(EXIT_USAGE);
      }
      await withDatabase(async (db, portalId, zone) => {
        const adjustments = await periodAdjustments(db, portalId, label, zone);
        await writeReport(
          options.format as ExportFormat,
          [adjustmentsView(adjustments)],
          process.stdout,
        );
      });
    });
}

async function withDatabase(
  work: (
    db: ReturnType<typeof openDatabase>['db'],
    portalId: number,
    zone: string,
  ) => Promise<void>,
): Promise<void> {
  const { config } = loadRuntime();
  const portalId = config.hubspot.portalId;
  if (portalId === undefined) {
    process.stderr.write('set HUBSPOT_PORTAL_ID (the portal whose period this is)\n');
    process.exit(EXIT_USAGE);
  }
  // The period service, the writers and the database drivers load on use, so other commands start
  // without them.
  const { openDatabase } = await import('../db/database');
  const { migrateToLatest } = await import('../db/migrate');
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    await work(database.db, portalId, config.settings.attribution.timeZone);
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    throw error;
  } finally {
    await database.close();
  }
}

function isQuarter(label: string, zone: string): boolean {
  try {
    return parsePeriod(label, zone).granularity === 'quarter';
  } catch {
    return false; // closePeriod reports the bad label
  }
}
