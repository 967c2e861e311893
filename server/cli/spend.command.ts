import { readFileSync } from 'node:fs';

import type { Command } from 'commander';

import { EXIT_USAGE, loadRuntime } from './runtime';

/**
 * `truce spend import FILE.csv`: campaign spend with a header `campaign,period,currency,amount` (amount in
 * the currency's units, e.g. 1250.50) and an optional `source` column. Every line is checked first; one bad
 * line stores nothing.
 */
export function registerSpend(program: Command): void {
  const spend = program.command('spend').description('campaign spend for ROI and cost per SQL');
  spend
    .command('import')
    .argument('<file>', 'CSV with campaign,period,currency,amount[,source]')
    .action(async (file: string) => {
      const { config } = loadRuntime();
      // The routes module (Express) and the database drivers load on use, so other commands start without them.
      const { parseSpendCsv } = await import('../attribution/spend-csv');
      const { upsertSpend } = await import('../attribution/campaign-spend.repository');
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const portalId = config.hubspot.portalId;
      if (portalId === undefined) {
        process.stderr.write('truce spend import: set HUBSPOT_PORTAL_ID\n');
        process.exit(EXIT_USAGE);
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        process.stderr.write(
          `truce spend import: cannot read ${file}: ${(error as Error).message}\n`,
        );
        process.exit(EXIT_USAGE);
      }
      const parsed = parseSpendCsv(text, config.settings.attribution.timeZone);
      if (!parsed.ok) {
        process.stderr.write(`${parsed.problems.join('\n')}\nnothing stored\n`);
        process.exit(EXIT_USAGE);
      }
      const resolved = parsed.entries;
      const database = openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        await database.db
          .transaction()
          .execute((trx) => upsertSpend(trx, portalId, resolved, Date.now()));
      } finally {
        await database.close();
      }
      process.stdout.write(`stored ${resolved.length} spend figure(s)\n`);
    });
  spend
    .command('sync')
    .description(
      "campaign spend from HubSpot's campaign budgets (source hubspot), and campaign assets",
    )
    .option('--dry-run', 'read the budgets and report; store nothing')
    .action(async (options: { dryRun?: boolean }) => {
      const { backfillCommand } = await import('./backfill.command');
      const report = await backfillCommand(options, { sync: true });
      if (report) {
        const verb = report.dryRun ? 'would store' : 'stored';
        process.stdout.write(`${verb} ${report.spendFigures} spend figure(s) from HubSpot\n`);
      }
    });
}
