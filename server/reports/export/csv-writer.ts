import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { stringify } from 'csv-stringify';

import type { ReportView } from '../../../src/reports/report-view';
import { csvCell } from './cell-format';

/**
 * Streams one view as CSV (header line of column keys, RFC 4180 quoting). Rows are pulled from the view only as
 * fast as the output accepts them, so memory stays flat however many rows there are.
 */
export async function writeCsv(view: ReportView, output: Writable): Promise<number> {
  let count = 0;
  const columns = view.columns;
  async function* records(): AsyncGenerator<string[]> {
    for await (const row of view.rows) {
      count += 1;
      yield columns.map((column) => csvCell(row[column.key] ?? null, column.type));
    }
  }
  await pipeline(
    Readable.from(records()),
    stringify({ header: true, columns: columns.map((column) => column.key), eof: true }),
    output,
  );
  return count;
}
