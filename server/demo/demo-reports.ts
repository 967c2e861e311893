import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { HandoffReportRow } from '../../src/handoff/handoff-report';

/** The service's report API as a user calls it: HTTP with the bearer key. */
export function reportClient(baseUrl: string, apiKey: string) {
  const get = async (route: string, query: Record<string, string>) => {
    const url = `${baseUrl}${route}?${new URLSearchParams(query).toString()}`;
    return fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  };
  const ok = async (response: Response) => {
    if (!response.ok)
      throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
    return response;
  };
  const post = async (route: string, body: unknown) =>
    ok(
      await fetch(`${baseUrl}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
  return {
    get,
    post,
    async json(route: string, query: Record<string, string>): Promise<unknown> {
      return (await ok(await get(route, query))).json();
    },
    async text(route: string, query: Record<string, string>): Promise<string> {
      return (await ok(await get(route, query))).text();
    },
    async buffer(route: string, query: Record<string, string>): Promise<Buffer> {
      return Buffer.from(await (await ok(await get(route, query))).arrayBuffer());
    },
    async handoffs(query: Record<string, string>): Promise<{ rows: HandoffReportRow[] }> {
      const response = await ok(
        await get('/api/v1/reports/handoffs', { ...query, format: 'json' }),
      );
      return (await response.json()) as { rows: HandoffReportRow[] };
    },
    async handoffsCsv(query: Record<string, string>): Promise<string> {
      return (await ok(await get('/api/v1/reports/handoffs', { ...query, format: 'csv' }))).text();
    },
  };
}

/** Writes each file under `dir` (created if missing) and returns the paths written. */
export async function writeReports(
  dir: string,
  files: Readonly<Record<string, string | Buffer>>,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await writeFile(file, content);
    written.push(file);
  }
  return written;
}
