import { once } from 'node:events';
import type { Writable } from 'node:stream';

import ExcelJS from 'exceljs';

import type { ReportView } from '../../../src/reports/report-view';
import { SPREADSHEET_FORMATS, spreadsheetCell } from './cell-format';

const YIELD_EVERY_ROWS = 1_000;

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
    let count = 0;
    for await (const row of view.rows) {
      const values = view.columns.map((column) =>
        spreadsheetCell(row[column.key] ?? null, column.type),
      );
      sheet.addRow(values).commit();
      count += 1;
      // The zip stream has no backpressure towards row commits: let it drain so rows do not pile up.
      if (count % YIELD_EVERY_ROWS === 0) {
        if (output.writableNeedDrain) await once(output, 'drain');
        else await new Promise((resolve) => setImmediate(resolve));
      }
    }
    sheet.commit();
    counts[view.name] = count;
  }
  await workbook.commit();
  return counts;
}
