import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import fc from 'fast-check';

import { creditTable, renderCreditTable } from '../../server/attribution/credit-table';
import { handoffReportCsv, safeCell } from '../../server/handoff/handoff-report.routes';
import { neutraliseFormula } from '../../server/reports/export/cell-format';
import { writeCsv } from '../../server/reports/export/csv-writer';
import { writeXlsx } from '../../server/reports/export/xlsx-writer';
import type { HandoffReportRow } from '../../src/handoff/handoff-report';
import type { CreditRow } from '../../src/reports/attribution-report';
import { creditRowsView } from '../../src/reports/attribution-views';

/**
 * Every CSV Truce writes (report export, handoff report, the `truce attribute` credit table) must not let a
 * spreadsheet run a cell as a formula: text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`.
 * Numbers, negative ones included, stay numbers. XLSX cells are typed, so text there is never a formula.
 */
const params = { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: 20261126 };
const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** Names that start with a formula trigger half of the time. */
const hostileText = fc
  .tuple(fc.constantFrom('', ...TRIGGERS), fc.string({ maxLength: 30 }))
  .map(([lead, rest]) => lead + rest);

/** A cell a spreadsheet would run: text starting with a trigger that is not just a number. */
const runsAsFormula = (cell: string) =>
  cell.length > 0 && TRIGGERS.includes(cell[0]!) && !PLAIN_NUMBER.test(cell);

class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

describe('formula injection', () => {
  it('neutraliseFormula: never leaves a runnable formula and changes nothing else', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const cell = neutraliseFormula(text);
        expect(runsAsFormula(cell)).toBe(false);
        expect(cell === text || cell === `'${text}`).toBe(true);
      }),
      params,
    );
  });

  it('report CSV export: hostile campaign and channel names are quoted, negative money stays a number', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileText,
        hostileText,
        fc.integer({ min: -10_000_000, max: -1 }),
        async (campaign, channel, cents) => {
          const credit: CreditRow = {
            dealId: '1',
            model: 'linear',
            touchId: 't-1',
            campaign,
            channel,
            currency: 'EUR',
            grossCents: cents,
            discountCents: 0,
            netCents: cents,
            period: '2026-Q3',
          };
          const out = new Collector();
          await writeCsv(creditRowsView([credit]), out);
          const [row] = parse(out.text, { columns: true, relax_quotes: true }) as Record<
            string,
            string
          >[];
          for (const value of Object.values(row!)) expect(runsAsFormula(value)).toBe(false);
          expect(row!.campaign).toBe(neutraliseFormula(campaign));
          expect(row!.net).toMatch(/^-\d+\.\d{2}$/);
        },
      ),
      { ...params, numRuns: Math.ceil(params.numRuns / 3) },
    );
  });

  it('handoff report CSV: hostile keys and reason codes are quoted, numbers stay numbers', () => {
    fc.assert(
      fc.property(hostileText, hostileText, (key, reason) => {
        const row: HandoffReportRow = {
          period: '2026-11',
          key,
          mqls: 3,
          assigned: 3,
          accepted: 1,
          rejected: 1,
          rejectedByReason: { [reason]: 1 },
          breached: 0,
          convertedToSql: 1,
          medianSystemDelayMs: 1_000,
          p90SystemDelayMs: 2_000,
          medianRepDelayMs: null,
          p90RepDelayMs: null,
          slaCompliancePct: 50,
        } as HandoffReportRow;
        const records = parse(handoffReportCsv([row], 'campaign', []), {
          relax_quotes: true,
        }) as string[][];
        for (const record of records)
          for (const cell of record) expect(runsAsFormula(cell)).toBe(false);
        expect(records[1]![1]).toBe(safeCell(key));
      }),
      params,
    );
    expect(safeCell(-5)).toBe(-5);
    expect(safeCell('-5')).toBe("'-5");
  });

  it('credit table CSV of `truce attribute`: channel names from the input file are quoted (regression)', () => {
    const table = creditTable(
      'channel',
      ['=HYPERLINK("http://evil.example")', '@SUM(A1)', 'email'],
      [
        {
          label: 'linear',
          credits: [
            { conversions: 1, value: -2 },
            { conversions: 0.5, value: 3 },
            { conversions: 0, value: 0 },
          ],
        },
      ] as never,
      1,
    );
    const records = parse(renderCreditTable(table, 'csv')) as string[][];
    expect(records).toEqual([
      ['channel', 'conversions', 'value'],
      ['\'=HYPERLINK("http://evil.example")', '1', '-2'],
      ["'@SUM(A1)", '0.5', '3'],
      ['email', '0', '0'],
    ]);
    // JSON keeps the names as given: it is data, not a spreadsheet.
    expect(JSON.parse(renderCreditTable(table, 'json'))[0].channel).toBe(
      '=HYPERLINK("http://evil.example")',
    );
  });

  it('XLSX: formula-like text is written as a text cell, never as a formula', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'truce-formula-')), 'credits.xlsx');
    const campaign = '=HYPERLINK("http://evil.example","click")';
    await writeXlsx(
      [
        creditRowsView([
          {
            dealId: '1',
            model: 'linear',
            touchId: 't-1',
            campaign,
            channel: '+cmd',
            currency: 'EUR',
            grossCents: -500,
            discountCents: 0,
            netCents: -500,
            period: '2026-Q3',
          },
        ]),
      ],
      createWriteStream(file),
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.worksheets[0]!;
    const cells = sheet.getRow(2).values as unknown[];
    expect(cells).toContain(campaign);
    sheet.getRow(2).eachCell((cell) => {
      expect(cell.formula).toBeUndefined();
      expect([ExcelJS.ValueType.String, ExcelJS.ValueType.Number]).toContain(cell.type);
    });
    expect(cells).toContain(-5);
  });
});
