import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { ReportRow, ReportView } from '../../../src/reports/report-view';
import { jsonCell } from './cell-format';

const CHUNK_CHARS = 64 * 1024;

/** Streams one view as a JSON array of objects keyed by column key. */
export async function writeJson(view: ReportView, output: Writable): Promise<number> {
  let count = 0;
  async function* chunks(): AsyncGenerator<string> {
    yield '[';
    for await (const text of rowTexts(view, () => (count += 1))) yield text;
    yield ']\n';
  }
  await pipeline(Readable.from(chunks()), output);
  return count;
}

/** Streams several views as one JSON object: `{ "<view name>": [rows…], … }`. */
export async function writeJsonViews(
  views: readonly ReportView[],
  output: Writable,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  async function* chunks(): AsyncGenerator<string> {
    yield '{';
    for (const [index, view] of views.entries()) {
      counts[view.name] = 0;
      yield `${index === 0 ? '' : ','}\n${JSON.stringify(view.name)}:[`;
      for await (const text of rowTexts(view, () => (counts[view.name]! += 1))) yield text;
      yield ']';
    }
    yield '\n}\n';
  }
  await pipeline(Readable.from(chunks()), output);
  return counts;
}

/** Rows batched into chunks of about 64 KB: one stream write per row would cost more than the rows. */
async function* rowTexts(view: ReportView, counted: () => void): AsyncGenerator<string> {
  let buffer = '';
  let first = true;
  for await (const row of view.rows) {
    counted();
    buffer += `${first ? '\n' : ',\n'}${JSON.stringify(toObject(view, row))}`;
    first = false;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0 || !first) yield `${buffer}\n`;
}

function toObject(view: ReportView, row: ReportRow): Record<string, string | number | null> {
  const result: Record<string, string | number | null> = {};
  for (const column of view.columns)
    result[column.key] = jsonCell(row[column.key] ?? null, column.type);
  return result;
}
