import type { Command } from 'commander';

import { AppError } from '../http/app-error';
import { EXIT_USAGE, loadRuntime } from './runtime';

/**
 * `truce recompute`: every won deal's credits under the configured journey models and every open quarter's
 * data-driven credits, from stored data (after a change of models, lookback or weights).
 */
export function registerRecompute(program: Command): void {
  program
    .command('recompute')
    .description(
      'recompute all stored attribution (every won deal, every open quarter) from stored data',
    )
    .option('--quiet', 'print only the summary')
    .action(async (options: { quiet?: boolean }) => {
      const { config } = loadRuntime();
      const portalId = config.hubspot.portalId;
      if (portalId === undefined) {
        process.stderr.write('truce recompute: set HUBSPOT_PORTAL_ID\n');
        process.exit(EXIT_USAGE);
      }
      // The drivers and the attribution service load on use, so other commands start without them.
      const { recomputeAttribution } = await import('../attribution/recompute.service');
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const database = openDatabase(config.database);
      const started = Date.now();
      try {
        await migrateToLatest(database.db);
        const summary = await recomputeAttribution(database, portalId, {
          settings: config.settings.attribution,
          now: Date.now(),
          ...(options.quiet ? {} : { progress: (line) => process.stderr.write(`${line}\n`) }),
        });
        const skipped =
          summary.closedPeriods.length > 0
            ? `; closed, left frozen: ${summary.closedPeriods.join(', ')}`
            : '';
        process.stdout.write(
          `recomputed ${summary.deals} won deal(s) into ${summary.credits} credit row(s) and ` +
            `${summary.periods.length} quarter(s) of data-driven credits in ${Date.now() - started} ms${skipped}\n`,
        );
      } catch (error) {
        if (error instanceof AppError) {
          process.stderr.write(`truce recompute: ${error.message}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        throw error;
      } finally {
        await database.close();
      }
    });
}
