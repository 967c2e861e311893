/**
 * One export run in its own process, so its peak RSS is its own: `node --import tsx bench/export-worker.ts
 * <csv|xlsx|baseline> <rows> <file>`. Prints one JSON line with the figures.
 */
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';

import { writeCsv } from '../server/reports/export/csv-writer';
import { writeXlsx } from '../server/reports/export/xlsx-writer';
import { creditRowsView } from '../src/reports/attribution-views';
import { centsToDecimal } from '../src/reports/report-view';
import { generateCredits } from './export-rows';

async function baseline(rows: number, file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('deal_id,model,touch_id,period,currency,campaign,channel,gross,discount,net\n');
  let buffer = '';
  for (const c of generateCredits(rows)) {
    buffer += `${[c.dealId, c.model, c.touchId ?? '', c.period, c.currency, c.campaign ?? '', c.channel, centsToDecimal(c.grossCents), centsToDecimal(c.discountCents), centsToDecimal(c.netCents)].join(',')}\n`;
    if (buffer.length >= 65_536) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const [mode, rowsText, file] = process.argv.slice(2);
  const rows = Number(rowsText);
  if (!file || !Number.isInteger(rows))
    throw new Error('usage: export-worker <mode> <rows> <file>');
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  if (mode === 'baseline') await baseline(rows, file);
  else if (mode === 'csv')
    await writeCsv(creditRowsView(generateCredits(rows)), createWriteStream(file));
  else if (mode === 'xlsx')
    await writeXlsx([creditRowsView(generateCredits(rows))], createWriteStream(file));
  else throw new Error(`unknown mode ${mode}`);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(
    `${JSON.stringify({ mode, rows, ms, cpuMs, bytes: statSync(file).size, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
