import { mkdtempSync, rmSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

import { csvCell, neutraliseFormula } from '../../server/reports/export/cell-format';
import { writeCsv } from '../../server/reports/export/csv-writer';
import { writeJson, writeJsonViews } from '../../server/reports/export/json-writer';
import { writeReport } from '../../server/reports/export/report-writer';
import { writeXlsx } from '../../server/reports/export/xlsx-writer';
import { buildAttributionTable, type CreditRow } from '../../src/reports/attribution-report';
import {
  attributionByModelView,
  attributionTotalsView,
  creditRowsView,
  modelsSideBySideView,
} from '../../src/reports/attribution-views';
import { centsToDecimal, type ReportView } from '../../src/reports/report-view';

class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const credits: CreditRow[] = [
  {
    dealId: '1001',
    model: 'linear',
    touchId: 't-1',
    campaign: '=HYPERLINK("http://evil.example","click")',
    channel: 'email',
    currency: 'EUR',
    grossCents: 123_456,
    discountCents: 23_456,
    netCents: 100_000,
    period: '2026-Q3',
  },
  {
    dealId: '1002',
    model: 'first_touch',
    touchId: null,
    campaign: 'Spring, "big" launch\nline two',
    channel: 'paid_search',
    currency: 'USD',
    grossCents: -5,
    discountCents: -1_005,
    netCents: 1_000,
    period: '2026-Q3',
  },
];

describe('neutraliseFormula', () => {
  it.each<[string, string]>([
    ['=1+1', "'=1+1"],
    ['+49 30 1234', "'+49 30 1234"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', "'\rcmd"],
    ['-5', '-5'],
    ['-12.34', '-12.34'],
    ['-1e3', "'-1e3"],
    ['-', "'-"],
    ['plain text', 'plain text'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%p → %p', (input, output) => {
    expect(neutraliseFormula(input)).toBe(output);
  });

  it('renders numbers by column type without touching negative values', () => {
    expect(csvCell(-1234, 'money')).toBe('-12.34');
    expect(csvCell(-5, 'integer')).toBe('-5');
    expect(csvCell(-1 / 6, 'percent')).toBe('-0.1667');
    expect(csvCell(1.666666, 'ratio')).toBe('1.6667');
    expect(csvCell(null, 'money')).toBe('');
  });

  it.each<[number, string]>([
    [0, '0.00'],
    [5, '0.05'],
    [-5, '-0.05'],
    [123_456, '1234.56'],
    [-100_000, '-1000.00'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('centsToDecimal(%p) = %p', (cents, text) => {
    expect(centsToDecimal(cents)).toBe(text);
  });
});

describe('writeCsv', () => {
  it('writes a header of column keys and neutralised, quoted cells', async () => {
    const out = new Collector();
    const count = await writeCsv(creditRowsView(credits), out);
    expect(count).toBe(2);
    const text = out.text();
    expect(text.split('\n')[0]).toBe(
      'deal_id,model,touch_id,period,currency,campaign,channel,gross,discount,net',
    );
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        deal_id: '1001',
        model: 'linear',
        touch_id: 't-1',
        period: '2026-Q3',
        currency: 'EUR',
        campaign: `'=HYPERLINK("http://evil.example","click")`,
        channel: 'email',
        gross: '1234.56',
        discount: '234.56',
        net: '1000.00',
      },
      {
        deal_id: '1002',
        model: 'first_touch',
        touch_id: '',
        period: '2026-Q3',
        currency: 'USD',
        campaign: 'Spring, "big" launch\nline two',
        channel: 'paid_search',
        gross: '-0.05',
        discount: '-10.05',
        net: '10.00',
      },
    ]);
  });

  it('writes only the header for an empty view', async () => {
    const out = new Collector();
    await writeCsv(creditRowsView([]), out);
    expect(out.text()).toBe(
      'deal_id,model,touch_id,period,currency,campaign,channel,gross,discount,net\n',
    );
  });
});

describe('JSON writers', () => {
  it('streams one view as an array with money in major units', async () => {
    const out = new Collector();
    await writeJson(creditRowsView(credits), out);
    const rows = JSON.parse(out.text()) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ deal_id: '1001', gross: 1234.56, net: 1000, touch_id: 't-1' });
    expect(rows[1]).toMatchObject({ touch_id: null, gross: -0.05 });
  });

  it('writes an empty array for an empty view', async () => {
    const out = new Collector();
    await writeJson(creditRowsView([]), out);
    expect(JSON.parse(out.text())).toEqual([]);
  });

  it('streams several views as an object of arrays', async () => {
    const table = buildAttributionTable(credits, { by: 'channel' });
    const out = new Collector();
    const counts = await writeJsonViews(
      [attributionByModelView(table), attributionTotalsView(table)],
      out,
    );
    expect(counts).toEqual({ 'by model': 4, totals: 4 });
    const parsed = JSON.parse(out.text()) as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(parsed)).toEqual(['by model', 'totals']);
    expect(parsed.totals).toContainEqual({
      currency: 'EUR',
      model: 'linear',
      deals: 1,
      gross: 1234.56,
      discount: 234.56,
      net: 1000,
      spend: null,
      roi: null,
    });
  });
});

describe('writeXlsx', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'truce-xlsx-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a sheet per view with a frozen header, number formats and widths, readable back', async () => {
    const table = buildAttributionTable(credits, {
      by: 'campaign',
      models: ['first_touch', 'linear'],
      spend: [{ key: 'Spring, "big" launch\nline two', currency: 'USD', spendCents: 400 }],
      sqlCounts: [{ key: 'Spring, "big" launch\nline two', sqls: 3 }],
    });
    const file = path.join(dir, 'report.xlsx');
    const counts = await writeXlsx(
      [modelsSideBySideView(table), attributionByModelView(table), creditRowsView(credits)],
      createWriteStream(file),
    );
    expect(counts).toEqual({ 'models side by side': 2, 'by model': 4, credits: 2 });

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'models side by side',
      'by model',
      'credits',
    ]);
    for (const sheet of workbook.worksheets) {
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet.getRow(1).font?.bold).toBe(true);
    }

    const wide = workbook.getWorksheet('models side by side')!;
    expect(wide.getRow(1).values).toEqual([
      undefined,
      'currency',
      'campaign',
      'first_touch net',
      'linear net',
      'min',
      'max',
      'max/min',
      'spend',
      'SQLs',
      'cost per SQL',
    ]);
    expect(wide.rowCount).toBe(3);
    const eur = wide.getRow(2);
    expect(eur.getCell(2).value).toBe('=HYPERLINK("http://evil.example","click")');
    expect(eur.getCell(2).type).toBe(ExcelJS.ValueType.String);
    expect(eur.getCell(4).value).toBe(1000);
    expect(eur.getCell(4).numFmt).toBe('#,##0.00');
    expect(eur.getCell(7).value).toBeNull();
    expect(wide.getColumn(2).width).toBe(32);
    const usd = wide.getRow(3);
    expect(usd.getCell(3).value).toBe(10);
    expect(usd.getCell(4).value).toBe(0);
    expect(usd.getCell(8).value).toBe(4);
    expect(usd.getCell(9).value).toBe(3);
    expect(usd.getCell(9).numFmt).toBe('#,##0');
    expect(usd.getCell(10).value).toBe(1.33);

    const byModel = workbook.getWorksheet('by model')!;
    const roiRow = byModel.getRow(4);
    expect(roiRow.getCell(3).value).toBe('first_touch');
    expect(roiRow.getCell(9).value).toBe(1.5);
    expect(roiRow.getCell(9).numFmt).toBe('0.0%');
  });
});

describe('streaming from an asynchronous source', () => {
  async function* slowCredits(count: number): AsyncGenerator<CreditRow> {
    for (let i = 0; i < count; i += 1) {
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      yield { ...credits[0]!, dealId: String(i), campaign: `c${i % 7}` };
    }
  }

  it('writes every row of a cursor-like source in order', async () => {
    const out = new Collector();
    expect(await writeCsv(creditRowsView(slowCredits(2_345)), out)).toBe(2_345);
    const rows = parse(out.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2_345);
    expect(rows.map((r) => r.deal_id)).toEqual(Array.from({ length: 2_345 }, (_, i) => String(i)));
  });

  it('fails instead of hanging when the workbook output dies', async () => {
    let written = 0;
    const dying = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        // Never completes the write once 4 KB are in: the zip backs up, then the output fails.
        if (written > 4_096) {
          setImmediate(() => dying.destroy(new Error('client went away')));
          return;
        }
        done();
      },
    });
    await expect(writeXlsx([creditRowsView(slowCredits(20_000))], dying)).rejects.toThrow(
      /client went away|closed before/,
    );
  });
});

describe('writeReport', () => {
  const view = (): ReportView => creditRowsView(credits);

  it('refuses CSV of several views and an empty list', async () => {
    await expect(writeReport('csv', [view(), view()], new Collector())).rejects.toMatchObject({
      status: 400,
      code: 'csv_single_view',
    });
    await expect(writeReport('json', [], new Collector())).rejects.toMatchObject({ status: 400 });
  });

  it('writes one JSON view as an array and CSV as text', async () => {
    const json = new Collector();
    expect(await writeReport('json', [view()], json)).toEqual({ credits: 2 });
    expect(Array.isArray(JSON.parse(json.text()))).toBe(true);
    const csv = new Collector();
    expect(await writeReport('csv', [view()], csv)).toEqual({ credits: 2 });
    expect(csv.text().split('\n')).toHaveLength(5);
  });
});
