import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createPostgresSchema, dialects } from '../helpers/database';
import { freePort, spawnTruce, waitForOk } from '../helpers/process';

describe('the truce process', () => {
  it('refuses to start on an invalid PORT, naming the variable', async () => {
    const run = spawnTruce(['serve'], { PORT: 'http' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/PORT: must be a number/);
  });

  it('refuses an unknown DATABASE_URL scheme, naming the variable', async () => {
    const run = spawnTruce(['serve'], { DATABASE_URL: 'mysql://root@127.0.0.1/test' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/DATABASE_URL/);
  });

  it('serves /healthz on a SQLite file and shuts down cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-proc-'));
    const file = path.join(dir, 'data', 'truce.sqlite');
    const port = await freePort();
    const run = spawnTruce(['serve'], { PORT: String(port), DATABASE_URL: file });
    await waitForOk(`http://127.0.0.1:${port}/healthz`);
    expect(existsSync(file)).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('migrates with `truce migrate` and reports an up-to-date database the second time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'truce-migrate-'));
    const env = { DATABASE_URL: path.join(dir, 'm.sqlite') };
    const first = spawnTruce(['migrate'], env);
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/applied \d+ migration/);
    const second = spawnTruce(['migrate'], env);
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/up to date/);
  });

  (dialects.includes('postgres') ? it : it.skip)('serves /readyz on PostgreSQL', async () => {
    const schema = await createPostgresSchema();
    const port = await freePort();
    const run = spawnTruce(['serve'], { PORT: String(port), DATABASE_URL: schema.url });
    try {
      await waitForOk(`http://127.0.0.1:${port}/readyz`);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      await schema.drop();
    }
  });
});
