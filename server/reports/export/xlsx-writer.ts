import { EventEmitter, once } from 'node:events';
import type { Writable } from 'node:stream';

import ExcelJS from 'exceljs';

import type { ReportView } from '../../../src/reports/report-view';
import { SPREADSHEET_FORMATS, spreadsheetCell } from './cell-format';
import { rowsOf } from './view-rows';

const BATCH_ROWS = 1_000;

/**
 * Streams views into one workbook, a sheet per view: a frozen, bold header row of the columns' headers,
 * column widths, and number formats for money, percentages and ratios. Rows are committed as they are written
 * (exceljs's streaming writer), so a sheet of any length needs little memory.
 */
export async function writeXlsx(
  views: readonly ReportView[],
  output: Writable,
): Promise<Record<string, number>> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: output,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Truce';
  const counts: Record<string, number> = {};
  for (const view of views) {
    const sheet = workbook.addWorksheet(view.name, {
      views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }],
    });
    sheet.columns = view.columns.map((column) => {
      const numFmt = SPREADSHEET_FORMATS[column.type];
      return {
        header: column.header,
        key: column.key,
        width: column.width ?? Math.max(10, column.header.length + 2),
        ...(numFmt ? { style: { numFmt } } : {}),
      };
    });
    sheet.getRow(1).font = { bold: true };
    // One style object per column, shared by its cells: exceljs caches style ids by object identity, and a
    // fresh merged style per cell would cost a style lookup (XML render) per cell, half the writing time.
    const cellStyles = view.columns.map((column) => {
      const numFmt = SPREADSHEET_FORMATS[column.type];
      return numFmt ? { numFmt } : {};
    });
    let count = 0;
    for await (const batch of rowsOf(view, BATCH_ROWS)) {
      for (const row of batch) {
        const values = view.columns.map((column) =>
          spreadsheetCell(row[column.key] ?? null, column.type),
        );
        const written = sheet.addRow(values);
        cellStyles.forEach((style, index) => {
          written.getCell(index + 1).style = style;
        });
        written.commit();
      }
      count += batch.length;
      await zipCaughtUp(sheet, output);
    }
    sheet.commit();
    counts[view.name] = count;
  }
  await workbook.commit();
  return counts;
}

/**
 * exceljs's sheet buffer writes into the zip without heeding backpressure, and the zip reads a sheet only when
 * its turn in the archive comes; on its own a long sheet piles up in memory meanwhile. Between batches we
 * wait until the zip entry stream has taken what it was given (its `drain`), and until the output drains.
 * The entry stream is reached through exceljs internals (`stream.pipes`, readable-stream state); if a future
 * version hides them this degrades to waiting for the output only, and the export still completes.
 */
async function zipCaughtUp(sheet: ExcelJS.Worksheet, output: Writable): Promise<void> {
  const internal = sheet as unknown as { stream?: { pipes?: unknown } };
  const pipes = Array.isArray(internal.stream?.pipes) ? (internal.stream.pipes as unknown[]) : [];
  for (const pipe of pipes) {
    if (needsDrain(pipe)) await drainOrFail(pipe, output);
  }
  if (output.writableNeedDrain) await once(output, 'drain');
}

/** Waits for `stream` to drain, but gives up with the output's error: a dead output never drains the zip. */
async function drainOrFail(stream: EventEmitter, output: Writable): Promise<void> {
  const controller = new AbortController();
  try {
    await Promise.race([
      once(stream, 'drain', { signal: controller.signal }),
      once(output, 'error', { signal: controller.signal }).then(([error]: unknown[]) => {
        throw error instanceof Error ? error : new Error('export output failed');
      }),
      once(output, 'close', { signal: controller.signal }).then(() => {
        throw new Error('export output closed before the workbook was written');
      }),
    ]);
  } finally {
    controller.abort();
  }
}

interface LegacyWritable extends EventEmitter {
  readonly _writableState?: { readonly needDrain?: boolean };
}

function needsDrain(value: unknown): value is LegacyWritable {
  if (!(value instanceof EventEmitter)) return false;
  return (value as LegacyWritable)._writableState?.needDrain === true;
}
