/**
 * One measured run of the attribution pipeline in its own process, so peak memory belongs to this run
 * only. `parse` reads and parses the path file (the baseline); `attribute` does what
 * `truce attribute --paths` does: read, fold, solve every model, render the table. Prints one JSON line;
 * `solveCpuMs` is the process's CPU time during the solve (all threads: the engine compiles and collects
 * garbage on helper threads), the figure to compare on a shared machine.
 */
import { creditTable, renderCreditTable } from '../server/attribution/credit-table';
import { readPathFile } from '../server/attribution/path-file';
import { PATH_MODELS, type PathModel } from '../src/attribution/models';
import { PathAggregate } from '../src/attribution/path-aggregate';

async function main(): Promise<void> {
  const [task, file, modelArg = 'all', orderArg = '1'] = process.argv.slice(2);
  if (!file || (task !== 'parse' && task !== 'attribute')) {
    throw new Error('usage: attribution-worker parse|attribute FILE [MODEL|all] [ORDERS,…]');
  }
  const started = performance.now();
  let rows = 0;
  let heapAfterFold = 0;
  let foldMs = 0;
  let solveMs = 0;
  let solveCpuMs = 0;
  let outputBytes = 0;
  if (task === 'parse') {
    let touches = 0;
    await readPathFile(file, {}, (row) => {
      rows += 1;
      touches += row.channels.length;
    });
    if (touches === 0) throw new Error('no touches read');
  } else {
    const models = (modelArg === 'all' ? [...PATH_MODELS] : [modelArg]) as PathModel[];
    const orders = orderArg.split(',').map(Number);
    const aggregate = new PathAggregate({ models, orders });
    await readPathFile(file, {}, (row) => {
      rows += 1;
      aggregate.add(row.channels, row.conversions, row.value, row.nulls);
    });
    foldMs = performance.now() - started;
    heapAfterFold = process.memoryUsage().heapUsed;
    const solving = performance.now();
    const solvingCpu = process.cpuUsage();
    const results = aggregate.results();
    solveMs = performance.now() - solving;
    const cpu = process.cpuUsage(solvingCpu);
    solveCpuMs = (cpu.user + cpu.system) / 1000;
    outputBytes = renderCreditTable(
      creditTable('channel', aggregate.keys, results, 1),
      'csv',
    ).length;
  }
  const totalMs = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify({
      rows,
      totalMs,
      foldMs,
      solveMs,
      solveCpuMs,
      outputBytes,
      heapAfterFoldMb: heapAfterFold / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
