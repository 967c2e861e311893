import { parse } from 'csv-parse/sync';

import { AppError } from '../http/app-error';
import { describeZodError } from '../http/error-handler';
import { resolveSpendEntries } from './attribution.routes';
import type { SpendEntry } from './campaign-spend.repository';
import { spendEntrySchema } from './spend-request.schema';

/**
 * The text of a spend CSV (`campaign,period,currency,amount[,source]`, amount in currency units) to spend
 * entries, or every problem found, one line each. Malformed CSV (an unclosed quote, a ragged row) is a
 * problem like any other, never an exception: the import stores all lines or none.
 */
export function parseSpendCsv(
  text: string,
  timeZone: string,
): { ok: true; entries: SpendEntry[] } | { ok: false; problems: string[] } {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    return { ok: false, problems: [`not readable as CSV: ${(error as Error).message}`] };
  }
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
  if (problems.length > 0) return { ok: false, problems };
  try {
    return { ok: true, entries: resolveSpendEntries(entries, timeZone) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, problems: [error.message] };
    throw error;
  }
}

/** Decimal text to whole cents without floating point; anything else is left for the schema to refuse. */
function amountToCents(amount: string | undefined): number | string | undefined {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount?.trim() ?? '');
  if (!match) return amount;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0') || 0);
  return match[1] === '-' ? -cents : cents;
}
