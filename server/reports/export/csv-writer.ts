import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { stringify } from 'csv-stringify/sync';

import type { ReportRow, ReportView } from '../../../src/reports/report-view';
import { csvCell } from './cell-format';
import { rowsOf } from './view-rows';

/** Rows turned into text at a time: few enough that the row objects are gone before the next scavenge. */
const BATCH_ROWS = 100;
/** Text written to the output at a time: one stream write per batch of a few rows would cost more than them. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Streams one view as CSV (a header line of column keys, RFC 4180 quoting by csv-stringify). Rows are pulled
 * from the view in batches only as fast as the output accepts the text, so memory stays flat however many rows
 * there are; batching keeps the per-row cost of the stream machinery out of a 500,000-row export.
 *
 * Why small batches of rows and large chunks of text: with 1,000 row objects alive per batch, V8 at times saw
 * most of a batch survive a scavenge and pretenured the site allocating them (allocation-site pretenuring):
 * from then on every row object was allocated in the old space and stayed there, garbage, until the next full
 * collection — the heap grew by ~100 MB over a 500,000-row export (service-export bench, BENCHMARKS.md).
 * Strings carry no allocation site, so holding a chunk as text instead of rows does not trigger it.
 */
export async function writeCsv(view: ReportView, output: Writable): Promise<number> {
  let count = 0;
  const columns = view.columns;
  const keys = columns.map((column) => column.key);
  const toRecord = (row: ReportRow) =>
    columns.map((column) => csvCell(row[column.key] ?? null, column.type));
  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from(stringify([], { header: true, columns: keys }));
    let texts: string[] = [];
    let chars = 0;
    for await (const batch of rowsOf(view, BATCH_ROWS)) {
      count += batch.length;
      const text = stringify(batch.map(toRecord));
      texts.push(text);
      chars += text.length;
      if (chars >= CHUNK_CHARS) {
        // A Buffer is flat and off the JavaScript heap; the joined text is a rope of small strings until then.
        yield Buffer.from(texts.join(''));
        texts = [];
        chars = 0;
      }
    }
    if (texts.length > 0) yield Buffer.from(texts.join(''));
  }
  // Read one chunk ahead of the output, not Readable.from's default sixteen.
  await pipeline(Readable.from(chunks(), { objectMode: true, highWaterMark: 1 }), output);
  return count;
}
