import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { stringify } from 'csv-stringify/sync';

import type { ReportRow, ReportView } from '../../../src/reports/report-view';
import { csvCell } from './cell-format';
import { rowsOf } from './view-rows';

const BATCH_ROWS = 1_000;

/**
 * Streams one view as CSV (a header line of column keys, RFC 4180 quoting by csv-stringify). Rows are pulled
 * from the view in batches only as fast as the output accepts the text, so memory stays flat however many rows
 * there are; batching keeps the per-row cost of the stream machinery out of a 500,000-row export.
 */
export async function writeCsv(view: ReportView, output: Writable): Promise<number> {
  let count = 0;
  const columns = view.columns;
  const keys = columns.map((column) => column.key);
  const toRecord = (row: ReportRow) =>
    columns.map((column) => csvCell(row[column.key] ?? null, column.type));
  async function* chunks(): AsyncGenerator<string> {
    yield stringify([], { header: true, columns: keys });
    for await (const batch of rowsOf(view, BATCH_ROWS)) {
      count += batch.length;
      yield stringify(batch.map(toRecord));
    }
  }
  await pipeline(Readable.from(chunks()), output);
  return count;
}
