import type { Command } from 'commander';

import { AppError } from '../http/app-error';
import { EXIT_USAGE, loadRuntime } from './runtime';

/**
 * `truce attribute-period 2026-Q3`: recomputes the quarter's Markov and Shapley credits over its stored
 * journeys (won deals; lost, stale and never-a-deal journeys as non-conversions) and replaces the stored ones.
 */
export function registerAttributePeriod(program: Command): void {
  program
    .command('attribute-period')
    .description(
      'recompute a quarter’s data-driven attribution (Markov, Shapley) from stored journeys',
    )
    .argument('<quarter>', 'e.g. 2026-Q3')
    .action(async (label: string) => {
      const { config } = loadRuntime();
      const portalId = config.hubspot.portalId;
      if (portalId === undefined) {
        process.stderr.write('truce attribute-period: set HUBSPOT_PORTAL_ID\n');
        process.exit(EXIT_USAGE);
      }
      // The drivers and the attribution service load on use, so other commands start without them.
      const { attributePeriod } = await import('../attribution/period-attribution.service');
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const database = openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        const result = await attributePeriod(database.db, portalId, label, {
          settings: config.settings.attribution,
          now: Date.now(),
        });
        process.stdout.write(
          `${result.period}: ${result.won} won, ${result.lost} lost, ${result.stale} stale deal journey(s), ` +
            `${result.contacts} contact journey(s) without a deal; ${result.rows} credit row(s) stored\n`,
        );
      } catch (error) {
        if (error instanceof AppError) {
          process.stderr.write(`truce attribute-period: ${error.message}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        throw error;
      } finally {
        await database.close();
      }
    });
}
