import { buildProgram } from './cli/program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`truce: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
