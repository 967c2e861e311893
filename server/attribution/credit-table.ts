import { stringify } from 'csv-stringify/sync';

import type { ModelCredits } from '../../src/attribution/path-aggregate';
import { neutraliseFormula } from '../reports/export/cell-format';

export type CreditFormat = 'csv' | 'json';

/**
 * The credit table: one row per key (channel or campaign), sorted by name, with `conversions,value` (plus
 * the removal effects for Markov) per model. One model gives bare column names; several give one group per
 * model, prefixed with its label (`markov_2_conversions`).
 */
export function creditTable(
  keyColumn: string,
  keys: readonly string[],
  results: readonly ModelCredits[],
  /** Divides values (cents → currency units for journeys; 1 for path files). */
  valueDivisor: number,
): { columns: string[]; rows: Array<Array<string | number>> } {
  const prefixed = results.length > 1;
  const columns = [keyColumn];
  for (const result of results) {
    const prefix = prefixed ? `${result.label}_` : '';
    columns.push(`${prefix}conversions`, `${prefix}value`);
    if (result.removalEffects) {
      columns.push(`${prefix}removal_effect_conversions`, `${prefix}removal_effect_value`);
    }
  }
  const order = keys
    .map((_, id) => id)
    .sort((a, b) => compare(keys[a] as string, keys[b] as string));
  const rows = order.map((id) => {
    const row: Array<string | number> = [keys[id] as string];
    for (const result of results) {
      const credit = result.credits[id] ?? { conversions: 0, value: 0 };
      row.push(credit.conversions, credit.value / valueDivisor);
      if (result.removalEffects) {
        row.push(credit.removalEffectConversions ?? 0, credit.removalEffectValue ?? 0);
      }
    }
    return row;
  });
  return { columns, rows };
}

/**
 * CSV rounds to 9 decimals (enough for cents and removal effects) and neutralises formula-like names; JSON
 * keeps full precision and the names as given.
 */
export function renderCreditTable(
  table: { columns: string[]; rows: Array<Array<string | number>> },
  format: CreditFormat,
): string {
  if (format === 'json') {
    const objects = table.rows.map((row) =>
      Object.fromEntries(table.columns.map((column, index) => [column, row[index]])),
    );
    return `${JSON.stringify(objects, null, 2)}\n`;
  }
  const rounded = table.rows.map((row) =>
    // Channel and campaign names come from the input file; one named `=cmd|…` must not run in a spreadsheet.
    row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : neutraliseFormula(cell))),
  );
  return stringify([table.columns, ...rounded]);
}

function formatNumber(value: number): string {
  const text = value.toFixed(9).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
