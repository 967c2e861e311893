import path from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { runDemo } from './demo-run';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

const program = new Command('demo')
  .description(
    'Plays a generated quarter from the local HubSpot sandbox into the real service and prints its reports',
  )
  .option('--seed <n>', 'seed of the sandbox portal and the scenario', positiveInteger, 1)
  .option('--contacts <n>', 'contacts arriving during the quarter', positiveInteger, 300)
  .option('--reports <dir>', 'where the CSV/JSON reports go', 'reports')
  .option('--keep-running', 'leave the sandbox and the service up to explore the API')
  .action(
    async (options: { seed: number; contacts: number; reports: string; keepRunning?: boolean }) => {
      const started = Date.now();
      const demo = await runDemo({
        seed: options.seed,
        contacts: options.contacts,
        reportsDir: path.resolve(options.reports),
        out: (line) => process.stdout.write(`${line}\n`),
        progress: (text) => process.stderr.write(text),
      });
      const out = (line: string) => process.stdout.write(`${line}\n`);
      out(
        `Service log and database: ${demo.workDir}. Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      );
      if (!options.keepRunning) {
        await demo.close();
        return;
      }
      out('');
      out(`Truce service:   ${demo.serviceUrl}  (API key "${demo.apiKey}")`);
      out(
        `  curl -H 'Authorization: Bearer ${demo.apiKey}' '${demo.serviceUrl}/api/v1/reports/handoffs?by=owner&from=2026-07-01&to=2026-10-01&period=quarter'`,
      );
      out(
        `HubSpot sandbox: ${demo.sandbox.url}  (token "${demo.sandbox.accessToken}", portal ${demo.sandbox.portalId})`,
      );
      out(`  curl ${demo.sandbox.url}/_sandbox/state`);
      out('Ctrl-C stops both.');
      const stop = () => void demo.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(
    `\nnpm run demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
