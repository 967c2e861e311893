import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { seededRandom } from '../src/handoff/seeded-random';
import type { Benchmark } from './registry';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const WORKER = path.join(ROOT, 'bench/attribution-worker.ts');
const DEMO = path.resolve(ROOT, '../shared/data/channel-paths/paths-demo.csv');

const GENERATED_PATHS = 1_000_000;
const CHANNELS = 16;

interface Run {
  rows: number;
  totalMs: number;
  foldMs: number;
  solveMs: number;
  solveCpuMs: number;
  heapAfterFoldMb: number;
  peakRssMb: number;
  processMs: number;
}

async function measure(args: string[]): Promise<Run> {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(TSX, [WORKER, ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
  });
  const processMs = performance.now() - started;
  return { ...(JSON.parse(stdout) as Omit<Run, 'processMs'>), processMs };
}

/**
 * One journey per row (conversions 0/1, non-conversions the other): 16 channels of unequal popularity,
 * 1 + geometric touches (mean 4.5), and a conversion chance that depends on the channels touched so the
 * data-driven models have something to find (about 10 % overall).
 */
export async function generatePaths(
  file: string,
): Promise<{ touches: number; conversions: number }> {
  const random = seededRandom(20261126);
  const names = Array.from(
    { length: CHANNELS },
    (_, i) => `channel_${String(i + 1).padStart(2, '0')}`,
  );
  const popularity = names.map((_, i) => 1 / (i + 1));
  const totalPopularity = popularity.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  popularity.reduce((sum, p) => (cumulative.push((sum + p) / totalPopularity), sum + p), 0);
  const lift = names.map((_, i) => 0.008 + 0.005 * ((i * 7) % CHANNELS));
  const out = createWriteStream(file);
  out.write('path,total_conversions,total_conversion_value,total_null\n');
  let touches = 0;
  let conversions = 0;
  let buffer = '';
  for (let row = 0; row < GENERATED_PATHS; row += 1) {
    let length = 1;
    while (random() < 3.5 / 4.5) length += 1;
    const path: string[] = [];
    let chance = 0;
    for (let i = 0; i < length; i += 1) {
      const u = random();
      let channel = 0;
      while ((cumulative[channel] as number) < u && channel < CHANNELS - 1) channel += 1;
      path.push(names[channel] as string);
      chance += lift[channel] as number;
    }
    touches += length;
    const converted = random() < Math.min(0.9, chance / (1 + 0.1 * length));
    if (converted) conversions += 1;
    const value = converted ? (50 + Math.floor(random() * 95_000) / 100).toFixed(2) : '0';
    buffer += `${path.join(' > ')},${converted ? 1 : 0},${value},${converted ? 0 : 1}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise<void>((resolve, reject) =>
    out.on('finish', () => resolve()).on('error', reject),
  );
  return { touches, conversions };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (value: number) => `${value.toFixed(0)} MB`;

function line(label: string, run: Run, baseline?: Run): string {
  const ratio = baseline ? `, ${(run.totalMs / baseline.totalMs).toFixed(2)}x the read` : '';
  // The solve in milliseconds, with the CPU time it took on all threads (a steadier figure when shared).
  const solve =
    run.solveMs > 0
      ? ` (read+fold ${seconds(run.foldMs)}, solve ${run.solveMs.toFixed(0)} ms, CPU ${run.solveCpuMs.toFixed(0)} ms)`
      : '';
  return `${label.padEnd(40)} ${seconds(run.totalMs)}${solve}${ratio}; peak RSS ${mb(run.peakRssMb)}, heap after fold ${mb(run.heapAfterFoldMb)}; process incl. startup ${seconds(run.processMs)}`;
}

/**
 * `truce attribute` on the ChannelAttribution demo data (every model, Markov orders 1–3, and each Markov
 * order 1–4 alone) and Markov order 1 with value on a generated million-path file, each in its own process
 * for an honest peak memory, against the time to only read and parse the same file (the baseline).
 */
export const attributionBenchmark: Benchmark = {
  name: 'attribution',
  description: `truce attribute on paths-demo.csv (all models) and Markov order 1 on ${GENERATED_PATHS.toLocaleString('en-US')} generated paths`,
  async run(print) {
    if (existsSync(DEMO)) {
      const read = await measure(['parse', DEMO]);
      print(line('demo: read + parse only (baseline)', read));
      print(
        line(
          'demo: --model all (Markov 1–3)',
          await measure(['attribute', DEMO, 'all', '1,2,3']),
          read,
        ),
      );
      for (const order of [1, 2, 3, 4]) {
        print(
          line(
            `demo: --model markov --order ${order}`,
            await measure(['attribute', DEMO, 'markov', String(order)]),
            read,
          ),
        );
      }
    } else {
      print(`demo: SKIPPED (${DEMO} is absent)`);
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-bench-paths-'));
    try {
      const file = path.join(dir, 'paths-1m.csv');
      const generated = await generatePaths(file);
      print(
        `generated ${GENERATED_PATHS.toLocaleString('en-US')} paths: ${CHANNELS} channels, mean ${(generated.touches / GENERATED_PATHS).toFixed(2)} touches, ${((100 * generated.conversions) / GENERATED_PATHS).toFixed(1)} % converted`,
      );
      const read = await measure(['parse', file]);
      print(line('1M: read + parse only (baseline)', read));
      print(
        line(
          '1M: --model markov --order 1 (value too)',
          await measure(['attribute', file, 'markov', '1']),
          read,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
