import { readFileSync } from 'node:fs';

import { parse } from 'csv-parse/sync';

/** A problem with the user's input: printed as one line, exit code 2. */
export class ScoreInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScoreInputError';
  }
}

export interface LabelledCsv {
  readonly rows: Record<string, string>[];
  readonly labels: number[];
  /** Feature columns: every header except the label, the excluded ones and blank names. */
  readonly columns: string[];
}

const POSITIVE = new Set(['1', 'true', 'yes', 'y']);
const NEGATIVE = new Set(['0', 'false', 'no', 'n']);

export function readLabelledCsv(
  file: string,
  label: string,
  exclude: readonly string[],
): LabelledCsv {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScoreInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new ScoreInputError(`${file} is not a valid CSV file: ${(error as Error).message}`);
  }
  if (rows.length === 0) throw new ScoreInputError(`${file} has a header but no rows`);
  const header = Object.keys(rows[0]!);
  if (!header.includes(label))
    throw new ScoreInputError(
      `${file} has no column "${label}" (columns: ${header.filter(Boolean).join(', ')})`,
    );
  const unknown = exclude.filter((column) => !header.includes(column));
  if (unknown.length > 0)
    throw new ScoreInputError(
      `--exclude names columns ${file} does not have: ${unknown.join(', ')}`,
    );

  const labels = rows.map((row, index) => {
    const value = (row[label] ?? '').toLowerCase();
    if (POSITIVE.has(value)) return 1;
    if (NEGATIVE.has(value)) return 0;
    // +2: the header is line 1 and rows count from 0.
    throw new ScoreInputError(
      `${file} line ${index + 2}: "${label}" is "${row[label]}"; expected 0/1, true/false or yes/no`,
    );
  });
  const columns = header.filter(
    (column) => column.trim() !== '' && column !== label && !exclude.includes(column),
  );
  return { rows, labels, columns };
}

export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
