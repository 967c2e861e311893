import type { ReportRow, ReportView } from '../../../src/reports/report-view';

/**
 * A view's rows in batches. Synchronous sources are read without a promise per row (that alone costs more
 * than writing a CSV line); asynchronous ones (database cursors) are awaited row by row.
 */
export async function* rowsOf(view: ReportView, batchSize: number): AsyncGenerator<ReportRow[]> {
  let batch: ReportRow[] = [];
  if (Symbol.iterator in view.rows) {
    for (const row of view.rows) {
      batch.push(row);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } else {
    for await (const row of view.rows) {
      batch.push(row);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
