import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export { freePort, waitForOk } from '../../server/http/loopback';

export const ROOT = path.resolve(__dirname, '../..');

export interface SpawnedTruce {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  readonly exited: Promise<number | string>;
}

/** Runs `truce <args>` as a real process, the way `npm run truce` does. */
export function spawnTruce(args: string[], env: Record<string, string | undefined>): SpawnedTruce {
  return spawnScript(path.join(ROOT, 'server/main.ts'), args, env);
}

/** Runs `truce <args>` to the end and returns its exit code with stdout and stderr kept apart. */
export async function runTruce(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const run = spawnTruce(args, env);
  let stdout = '';
  let stderr = '';
  run.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  run.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await run.exited;
  return { code, stdout, stderr };
}

/** Runs a TypeScript entry point (e.g. a test fixture around `startService`) as a real process. */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): SpawnedTruce {
  // node with the tsx loader, not the tsx CLI: the CLI runs the script in a child process, so a SIGKILL sent
  // to it would leave the real server running.
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return { child, output: () => output, exited };
}
