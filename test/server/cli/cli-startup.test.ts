import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ROOT, spawnScript } from '../../helpers/process';

/*
 * Every command module registers itself when the program is built; what a command needs beyond its options
 * (the service, database drivers, the spreadsheet writer) is imported inside its action. So `--help` and the
 * file-only commands start without them.
 */
const FIXTURE = path.join(ROOT, 'test/fixtures/cli-loaded-packages.ts');
const HEAVY = ['express', 'pg', 'kysely', 'better-sqlite3', 'exceljs', '@hubspot/api-client'];

async function loadedBy(args: string[]): Promise<{ code: number | string; packages: string[] }> {
  const run = spawnScript(FIXTURE, args, { DATABASE_URL: path.join(dir, 'truce.sqlite') });
  const code = await run.exited;
  const line = /loaded-packages: (.*)/.exec(run.output());
  if (!line) throw new Error(`no package list in the output:\n${run.output()}`);
  return { code, packages: JSON.parse(line[1] as string) as string[] };
}

let dir: string;

describe('CLI start-up loads only what the command needs', () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'truce-cli-startup-'));
    writeFileSync(
      path.join(dir, 'paths.csv'),
      'path,total_conversions,total_conversion_value,total_null\nA > B,1,10,0\nB,0,0,2\n',
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help loads none of the service, database or spreadsheet packages', async () => {
    const { code, packages } = await loadedBy(['--help']);
    expect(code).toBe(0);
    expect(packages).toContain('commander');
    expect(packages.filter((name) => HEAVY.includes(name))).toEqual([]);
  }, 60_000);

  it('attribute --paths runs without them', async () => {
    const { code, packages } = await loadedBy([
      'attribute',
      '--paths',
      path.join(dir, 'paths.csv'),
      '--model',
      'first',
    ]);
    expect(code).toBe(0);
    expect(packages).toContain('csv-parse');
    expect(packages.filter((name) => HEAVY.includes(name))).toEqual([]);
  }, 60_000);

  it('a database command still loads its driver, on use', async () => {
    const { code, packages } = await loadedBy(['migrate']);
    expect(code).toBe(0);
    expect(packages).toEqual(expect.arrayContaining(['kysely', 'better-sqlite3']));
    expect(packages).not.toContain('express');
  }, 60_000);
});
