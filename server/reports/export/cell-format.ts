import { type Cell, centsToDecimal, type ColumnType } from '../../../src/reports/report-view';

/**
 * How each column type is written. Money is held in cents and written in major units with two decimals;
 * ROI is a fraction (0.25 = 25 %); ratios are plain numbers. Both are rounded to 4 decimals in text formats.
 */

const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Spreadsheet programs run a cell that starts with `=`, `+`, `-`, `@`, tab or CR as a formula, so a campaign
 * named `=HYPERLINK(…)` would execute on the reader's machine. Such text gets a leading `'`; a plain negative
 * number is left alone so it stays a number.
 */
export function neutraliseFormula(text: string): string {
  if (text.length === 0 || !FORMULA_TRIGGERS.has(text[0]!)) return text;
  if (PLAIN_NUMBER.test(text)) return text;
  return `'${text}`;
}

export function csvCell(value: Cell, type: ColumnType): string {
  if (value === null) return '';
  if (typeof value === 'string') return neutraliseFormula(value);
  switch (type) {
    case 'money':
      return centsToDecimal(value);
    case 'percent':
    case 'ratio':
      return String(roundTo(value, 4));
    default:
      return String(value);
  }
}

export function jsonCell(value: Cell, type: ColumnType): string | number | null {
  if (value === null || typeof value === 'string') return value;
  if (!Number.isFinite(value)) return null;
  return type === 'money' ? Number(centsToDecimal(value)) : value;
}

/** Spreadsheet cells keep full precision; the number format does the rounding on screen. */
export function spreadsheetCell(value: Cell, type: ColumnType): string | number | null {
  return jsonCell(value, type);
}

export const SPREADSHEET_FORMATS: Readonly<Record<ColumnType, string | undefined>> = {
  text: undefined,
  integer: '#,##0',
  money: '#,##0.00',
  percent: '0.0%',
  ratio: '0.00',
};

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}
