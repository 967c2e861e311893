import type { Writable } from 'node:stream';

import type { ReportView } from '../../../src/reports/report-view';
import { AppError } from '../../http/app-error';
import { writeCsv } from './csv-writer';
import { writeJson, writeJsonViews } from './json-writer';

/** The export formats of reports, one writer each; every writer streams and ends the output. */
export const EXPORT_FORMATS = ['csv', 'json', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Writes the views in one format and returns the rows written per view. CSV holds one view; JSON gives an
 * array for one view and an object of arrays (keyed by view name) for several; XLSX a sheet per view.
 */
export async function writeReport(
  format: ExportFormat,
  views: readonly ReportView[],
  output: Writable,
): Promise<Record<string, number>> {
  if (views.length === 0) throw AppError.badRequest('nothing to export', 'empty_export');
  switch (format) {
    case 'csv': {
      if (views.length > 1) {
        throw AppError.badRequest(
          `CSV holds one view, ${views.length} were asked for (${views.map((v) => v.name).join(', ')})`,
          'csv_single_view',
        );
      }
      return { [views[0]!.name]: await writeCsv(views[0]!, output) };
    }
    case 'json':
      return views.length === 1
        ? { [views[0]!.name]: await writeJson(views[0]!, output) }
        : writeJsonViews(views, output);
    case 'xlsx': {
      // exceljs (with its zip and unzip stack, ~150 modules, ~30 MB resident) loads on the first workbook
      // asked for, not with every process that can serve a report: most exports are CSV or JSON.
      const { writeXlsx } = await import('./xlsx-writer');
      return writeXlsx(views, output);
    }
  }
}
