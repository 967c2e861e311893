import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

import type { Command } from 'commander';

import { AppError } from '../http/app-error';
import { EXIT_USAGE, loadRuntime } from './runtime';

/**
 * `truce export`: the attribution report from the stored credits, the same table the API serves, to a file
 * or stdout. CSV streams; XLSX is a workbook with one sheet per view.
 */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'export the attribution report (by campaign or channel, per model or all side by side)',
    )
    .option('--model <name>', 'a model name or all', 'all')
    .option('--from <period>', 'first period: 2026, 2026-Q3, 2026-07 or 2026-07-15')
    .option('--to <period>', 'last period (inclusive)')
    .option('--by <dimension>', 'campaign or channel', 'campaign')
    .option('--format <format>', 'csv, json or xlsx', 'csv')
    .option(
      '--view <view>',
      'table (by campaign or channel) or credits (every per-deal credit row)',
    )
    .option('--out <file>', 'write here instead of stdout')
    .action(
      async (options: {
        model: string;
        from?: string;
        to?: string;
        by: string;
        format: string;
        view?: string;
        out?: string;
      }) => {
        const { config } = loadRuntime();
        // The report service, the writers (exceljs) and the database drivers load on use, so other
        // commands start without them.
        const { attributionReportViews, parseReportQuery } =
          await import('../attribution/attribution-report.service');
        const { openDatabase } = await import('../db/database');
        const { migrateToLatest } = await import('../db/migrate');
        const { writeReport } = await import('../reports/export/report-writer');
        const portalId = config.hubspot.portalId;
        if (portalId === undefined) {
          process.stderr.write('truce export: set HUBSPOT_PORTAL_ID (the portal to report on)\n');
          process.exit(EXIT_USAGE);
        }
        let query;
        try {
          query = parseReportQuery(options, config.settings.attribution);
        } catch (error) {
          if (error instanceof AppError) {
            process.stderr.write(`truce export: ${error.message}\n`);
            process.exit(EXIT_USAGE);
          }
          throw error;
        }
        if (query.format === 'xlsx' && !options.out && process.stdout.isTTY) {
          process.stderr.write('truce export: xlsx is binary; use --out FILE or redirect stdout\n');
          process.exit(EXIT_USAGE);
        }
        const database = openDatabase(config.database);
        try {
          await migrateToLatest(database.db);
          const views = await attributionReportViews(database.db, portalId, query);
          const output = options.out ? createWriteStream(options.out) : process.stdout;
          const written = await writeReport(query.format, views, output);
          if (options.out) {
            await finished(output);
            const rows = Object.entries(written)
              .map(([view, count]) => `${count} ${view}`)
              .join(', ');
            process.stderr.write(`wrote ${options.out}: ${rows} row(s)\n`);
          }
        } finally {
          await database.close();
        }
      },
    );
}
