import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ROOT, spawnScript } from '../helpers/process';

/*
 * The service's idle memory is most of its peak while it streams a large export (BENCHMARKS.md,
 * service-export), so packages used rarely load on first use: the spreadsheet writer with the first XLSX
 * export, the HubSpot SDK with the first HubSpot call, the PostgreSQL driver with the first PostgreSQL query.
 */
const FIXTURE = path.join(ROOT, 'test/fixtures/service-loaded-packages.ts');
const ON_FIRST_USE = ['exceljs', '@hubspot/api-client', 'pg'];

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'truce-service-startup-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a SQLite service without HubSpot calls loads exceljs only for an XLSX export, never the SDK or pg', async () => {
  const run = spawnScript(FIXTURE, [], {
    DATABASE_URL: path.join(dir, 'truce.sqlite'),
    TRUCE_API_KEY: 'startup-test-key-0123456789',
    HUBSPOT_PORTAL_ID: '1',
  });
  expect(await run.exited).toBe(0);
  const output = run.output();
  const loaded = (step: string): string[] => {
    const line = new RegExp(`loaded-packages ${step}: (.*)`).exec(output);
    if (!line) throw new Error(`no package list for ${step} in the output:\n${output}`);
    return JSON.parse(line[1] as string) as string[];
  };

  expect(output).toMatch(/view=credits&format=csv: 200 /);
  expect(output).toMatch(/format=xlsx: 200 /);
  expect(loaded('started')).toEqual(
    expect.arrayContaining(['express', 'kysely', 'better-sqlite3']),
  );
  expect(loaded('started').filter((name) => ON_FIRST_USE.includes(name))).toEqual([]);
  expect(loaded('csv').filter((name) => ON_FIRST_USE.includes(name))).toEqual([]);
  expect(loaded('xlsx').filter((name) => ON_FIRST_USE.includes(name))).toEqual(['exceljs']);
}, 60_000);
