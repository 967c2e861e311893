import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort } from '../helpers/process';

/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl in a temporary directory, its own port), so a test
 * can stop and restart PostgreSQL without touching the shared server on 5432 that other runs use.
 */
export interface PrivatePostgres {
  readonly url: string;
  readonly port: number;
  /** `fast` stops like an administrator's restart (sessions get 57P01); `immediate` like a crash. */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  destroy(): void;
}

export type PrivatePostgresResult =
  | { readonly ok: true; readonly cluster: PrivatePostgres }
  | { readonly ok: false; readonly reason: string };

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function runAs(): { wrap: (argv: string[]) => string[]; chown: (dir: string) => void } {
  if (process.getuid?.() !== 0) return { wrap: (argv) => argv, chown: () => undefined };
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return {
    wrap: (argv) => ['runuser', '-u', 'postgres', '--', ...argv],
    chown: (dir) => chownSync(dir, uid, gid),
  };
}

export async function startPrivatePostgres(): Promise<PrivatePostgresResult> {
  const bin = binDir();
  if (!bin) return { ok: false, reason: 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin' };
  let user: ReturnType<typeof runAs>;
  try {
    user = runAs();
  } catch (error) {
    return { ok: false, reason: `running as root and no postgres user: ${String(error)}` };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'truce-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  const run = (argv: string[]) => {
    const [command, ...args] = user.wrap(argv);
    execFileSync(command!, args, { stdio: 'pipe', timeout: 60_000 });
  };
  const pgCtl = (...args: string[]) => run([path.join(bin, 'pg_ctl'), '-D', data, ...args]);
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () =>
      pgCtl(
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        '-l',
        path.join(dir, 'server.log'),
        '-w',
        'start',
      ),
    stop: (mode = 'fast') => pgCtl('-m', mode, '-w', 'stop'),
    destroy: () => {
      try {
        cluster.stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    user.chown(dir);
    run([path.join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    cluster.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    return { ok: false, reason: `${String(error)} ${stderr}`.trim() };
  }
  return { ok: true, cluster };
}

/** Why a private cluster cannot be tried here (no binaries), or undefined; checked before the tests are declared. */
export function privatePostgresUnavailable(): string | undefined {
  return binDir() ? undefined : 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin';
}
