import { InputError } from './input-error';
import { forEachLine } from './line-reader';

/** One row of an aggregated path file. */
export interface PathRow {
  readonly channels: string[];
  readonly conversions: number;
  readonly value: number;
  readonly nulls: number;
}

export interface PathFileOptions {
  /** Channel separator inside `path`; `>` by default. */
  readonly separator?: string;
}

const REQUIRED = ['path', 'total_conversions'] as const;

/**
 * Streams a path file `path,total_conversions,total_conversion_value,total_null` (comma or semicolon,
 * detected from the header; `total_conversion_value` and `total_null` may be absent and then count as 0).
 * Channels in `path` are split on the separator and trimmed. Every row is checked; the first problem stops
 * the read with an InputError naming the line.
 */
export async function readPathFile(
  file: string,
  options: PathFileOptions,
  onRow: (row: PathRow) => void,
): Promise<void> {
  const separator = options.separator ?? '>';
  let columns: { path: number; conversions: number; value: number; nulls: number } | undefined;
  let delimiter = ',';
  await forEachLine(file, (text, line) => {
    if (columns === undefined) {
      const header = line === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (header.trim() === '') return;
      const detected = detectHeader(header, file, line);
      delimiter = detected.delimiter;
      columns = detected.columns;
      return;
    }
    if (text.trim() === '') return;
    const fields = splitFields(text, delimiter, file, line);
    const pathField = fields[columns.path];
    if (pathField === undefined) {
      throw new InputError(
        file,
        line,
        `expected ${columnCount(columns)} columns, found ${fields.length}`,
      );
    }
    const channels = pathField.split(separator);
    for (let i = 0; i < channels.length; i += 1) {
      const channel = (channels[i] as string).trim();
      if (channel === '') {
        throw new InputError(
          file,
          line,
          pathField.trim() === '' ? 'empty path' : `empty channel name in path "${pathField}"`,
        );
      }
      channels[i] = channel;
    }
    onRow({
      channels,
      conversions: count(fields, columns.conversions, 'total_conversions', file, line),
      value: count(fields, columns.value, 'total_conversion_value', file, line),
      nulls: count(fields, columns.nulls, 'total_null', file, line),
    });
  });
  if (columns === undefined) throw new InputError(file, 1, 'the file is empty (no header line)');
}

function detectHeader(
  header: string,
  file: string,
  line: number,
): {
  delimiter: string;
  columns: { path: number; conversions: number; value: number; nulls: number };
} {
  let best: string[] = [];
  let delimiter = ',';
  for (const candidate of [',', ';']) {
    const names = splitFields(header, candidate, file, line).map((name) =>
      name.trim().toLowerCase(),
    );
    if (names.includes('path')) {
      best = names;
      delimiter = candidate;
      break;
    }
    if (names.length > best.length) best = names;
  }
  for (const name of REQUIRED) {
    if (!best.includes(name)) {
      throw new InputError(file, line, `missing column ${name} (header: ${header.trim()})`);
    }
  }
  return {
    delimiter,
    columns: {
      path: best.indexOf('path'),
      conversions: best.indexOf('total_conversions'),
      value: best.indexOf('total_conversion_value'),
      nulls: best.indexOf('total_null'),
    },
  };
}

function columnCount(columns: Record<string, number>): number {
  return Math.max(...Object.values(columns)) + 1;
}

function count(fields: string[], index: number, name: string, file: string, line: number): number {
  if (index < 0) return 0;
  const field = fields[index];
  if (field === undefined) throw new InputError(file, line, `missing ${name}`);
  const text = field.trim();
  const number = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(number)) {
    throw new InputError(file, line, `${name} is not a number: "${field}"`);
  }
  if (number < 0) throw new InputError(file, line, `${name} is negative: ${text}`);
  return number;
}

/** Splits one CSV line; double-quoted fields may hold the delimiter and doubled quotes. */
function splitFields(text: string, delimiter: string, file: string, line: number): string[] {
  if (!text.includes('"')) return text.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1) throw new InputError(file, line, 'unterminated quoted field');
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (i >= text.length) return fields;
      if (text[i] !== delimiter) throw new InputError(file, line, 'text after a closing quote');
      i += 1;
    } else {
      const next = text.indexOf(delimiter, i);
      if (next === -1) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, next));
      i = next + 1;
    }
  }
}
