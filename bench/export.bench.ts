import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Benchmark } from './registry';

const CSV_ROWS = 500_000;
const XLSX_ROWS = 100_000;
const CSV_PEAK_LIMIT_MB = 200;

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

interface WorkerResult {
  readonly mode: string;
  readonly rows: number;
  readonly ms: number;
  readonly cpuMs: number;
  readonly bytes: number;
  readonly maxRssMb: number;
}

/**
 * Each export runs in its own process (bench/export-worker.ts) so its peak RSS is its own. The baseline is the
 * cheapest possible CSV of the same rows: manual `join(',')` into `fs.createWriteStream`, no quoting, no
 * formula neutralisation. A writer's memory must not grow with the row count: the small run shows the floor.
 */
export const exportBenchmark: Benchmark = {
  name: 'export',
  description: `CSV of ${CSV_ROWS.toLocaleString('en-US')} credit rows and XLSX of ${XLSX_ROWS.toLocaleString('en-US')}, against a plain write stream baseline`,
  async run(print) {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-bench-export-'));
    try {
      const results: WorkerResult[] = [];
      for (const [mode, rows] of [
        ['baseline', CSV_ROWS],
        ['csv', 20_000],
        ['csv', CSV_ROWS],
        ['baseline', XLSX_ROWS],
        ['xlsx', 10_000],
        ['xlsx', XLSX_ROWS],
      ] as const) {
        const { stdout } = await run(
          process.execPath,
          [
            '--import',
            'tsx',
            path.join(ROOT, 'bench', 'export-worker.ts'),
            mode,
            String(rows),
            path.join(dir, `${mode}-${rows}.out`),
          ],
          { cwd: ROOT, maxBuffer: 1024 * 1024 },
        );
        const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerResult;
        results.push(result);
        rmSync(path.join(dir, `${mode}-${rows}.out`), { force: true });
      }
      const find = (mode: string, rows: number) =>
        results.find((r) => r.mode === mode && r.rows === rows)!;
      const line = (label: string, result: WorkerResult, baseline?: WorkerResult) => {
        const rate = Math.round((result.rows / result.ms) * 1000);
        const ratio = baseline ? `, ${(baseline.ms / result.ms).toFixed(2)}x of baseline` : '';
        print(
          `${label.padEnd(30)}: ${rate.toLocaleString('en-US').padStart(9)} rows/s (${result.ms.toFixed(0)} ms wall, ${result.cpuMs.toFixed(0)} ms CPU${ratio}), peak RSS ${result.maxRssMb.toFixed(0)} MB, ${(result.bytes / 1e6).toFixed(1)} MB file`,
        );
      };
      const csvBaseline = find('baseline', CSV_ROWS);
      const xlsxBaseline = find('baseline', XLSX_ROWS);
      line(`baseline CSV ${CSV_ROWS}`, csvBaseline);
      line('truce CSV 20000', find('csv', 20_000));
      line(`truce CSV ${CSV_ROWS}`, find('csv', CSV_ROWS), csvBaseline);
      line(`baseline CSV ${XLSX_ROWS}`, xlsxBaseline);
      line('truce XLSX 10000', find('xlsx', 10_000));
      line(`truce XLSX ${XLSX_ROWS}`, find('xlsx', XLSX_ROWS), xlsxBaseline);
      const peak = find('csv', CSV_ROWS).maxRssMb;
      print(
        `CSV ${CSV_ROWS} peak RSS ${peak.toFixed(0)} MB: ${peak < CSV_PEAK_LIMIT_MB ? 'within' : 'OVER'} the ${CSV_PEAK_LIMIT_MB} MB limit`,
      );
      if (peak >= CSV_PEAK_LIMIT_MB) process.exitCode = 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
