import { readFileSync } from 'node:fs';

import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';

import { spendEntrySchema } from '../attribution/spend-request.schema';
import { AppError } from '../http/app-error';
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
      const { resolveSpendEntries } = await import('../attribution/attribution.routes');
      const { upsertSpend } = await import('../attribution/campaign-spend.repository');
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const { describeZodError } = await import('../http/error-handler');
      const portalId = config.hubspot.portalId;
      if (portalId === undefined) {
        process.stderr.write('truce spend import: set HUBSPOT_PORTAL_ID\n');
        process.exit(EXIT_USAGE);
      }
      const records = parse(readFileSync(file, 'utf8'), {
        columns: true,
        skip_empty_lines: true,
        trim: true,
      }) as Record<string, string>[];
      const problems: string[] = [];
      const entries = records.flatMap((record, index) => {
        const parsed = spendEntrySchema.safeParse({
          campaign: record.campaign,
          period: record.period,
          currency: record.currency,
          cents: amountToCents(record.amount),
          source: record.source || 'csv',
        });
        if (parsed.success) return [parsed.data];
        problems.push(`line ${index + 2}: ${describeZodError(parsed.error)}`);
        return [];
      });
      let resolved;
      try {
        resolved = resolveSpendEntries(entries, config.settings.attribution.timeZone);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        problems.push(error.message);
      }
      if (problems.length > 0 || !resolved) {
        process.stderr.write(`${problems.join('\n')}\nnothing stored\n`);
        process.exit(EXIT_USAGE);
      }
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
}

/** Decimal text to whole cents without floating point; anything else is left for the schema to refuse. */
function amountToCents(amount: string | undefined): number | string | undefined {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount?.trim() ?? '');
  if (!match) return amount;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0') || 0);
  return match[1] === '-' ? -cents : cents;
}
