/**
 * `npm run bench`: runs every benchmark (or those named as arguments) and prints figures with the ratio to a
 * baseline measured in the same run. Results are copied into BENCHMARKS.md by hand with the command used.
 */
import { benchmarks } from './registry';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected =
    wanted.length > 0 ? benchmarks.filter((b) => wanted.includes(b.name)) : benchmarks;
  if (selected.length === 0) {
    process.stdout.write(
      `no benchmark matches ${wanted.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`node ${process.version}, ${new Date().toISOString()}\n`);
  for (const benchmark of selected) {
    process.stdout.write(`\n== ${benchmark.name}: ${benchmark.description}\n`);
    await benchmark.run((line) => process.stdout.write(`${line}\n`));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
