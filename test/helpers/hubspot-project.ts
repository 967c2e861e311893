import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ParsedProject {
  config: { name: string; srcDir: string; platformVersion: string };
  skipped: string[];
  components: { uid: string; componentType: string; metaFilePath: string; config: unknown }[];
}

/** Parses a project with HubSpot's own parsing library (ESM-only, so in a child node process). */
export function parseWithHubSpotLibrary(root: string): ParsedProject {
  const output = execFileSync(
    process.execPath,
    [path.join(__dirname, 'parse-hubspot-project.mjs'), root],
    { encoding: 'utf8' },
  );
  return JSON.parse(output) as ParsedProject;
}

/** Every `*-hsmeta.json` under `dir` (node_modules excluded), as paths relative to `dir`. */
export function findHsMetaFiles(dir: string, relative = ''): string[] {
  return readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' ? [] : findHsMetaFiles(dir, child);
    return entry.name.endsWith('-hsmeta.json') ? [child] : [];
  });
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
