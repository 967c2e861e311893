/**
 * A report view: named, typed columns over a stream of rows. Writers (CSV, JSON, XLSX) render the same view;
 * the column type decides the rendering (money is held in integer cents and shown in major units).
 */

export const COLUMN_TYPES = ['text', 'integer', 'money', 'percent', 'ratio'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export type Cell = string | number | null;
export type ReportRow = Readonly<Record<string, Cell>>;

export interface ReportColumn {
  readonly key: string;
  readonly header: string;
  readonly type: ColumnType;
  /** Width in characters for spreadsheets. */
  readonly width?: number;
}

export interface ReportView {
  /** Also the sheet name in a workbook: at most 31 characters, none of `[]:*?/\`. */
  readonly name: string;
  readonly columns: readonly ReportColumn[];
  readonly rows: Iterable<ReportRow> | AsyncIterable<ReportRow>;
}

/** Integer cents as a decimal string in major units, exactly (no floating point): -1234 → "-12.34". */
export function centsToDecimal(cents: number): string {
  const negative = cents < 0;
  const magnitude = String(Math.abs(cents)).padStart(3, '0');
  return `${negative ? '-' : ''}${magnitude.slice(0, -2)}.${magnitude.slice(-2)}`;
}
