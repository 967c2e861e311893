import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { buildProjectFiles, type ProjectOptions } from './project-files';

export interface WrittenFile {
  path: string;
  changed: boolean;
}

/** Writes the URL-dependent project files under `root`; files whose content is already right are left alone. */
export async function writeProjectFiles(
  root: string,
  options: ProjectOptions,
): Promise<WrittenFile[]> {
  const written: WrittenFile[] = [];
  for (const [relative, content] of buildProjectFiles(options)) {
    const target = path.join(root, relative);
    const current = await readFile(target, 'utf8').catch(() => null);
    if (current !== content) {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    written.push({ path: relative, changed: current !== content });
  }
  return written;
}

/** The auth type already in the project, if any: HubSpot refuses to change it after the first upload. */
export async function currentAuthMode(root: string): Promise<string | null> {
  try {
    const meta = JSON.parse(
      await readFile(path.join(root, 'extensions', 'app', 'app-hsmeta.json'), 'utf8'),
    ) as { config?: { auth?: { type?: unknown } } };
    return typeof meta.config?.auth?.type === 'string' ? meta.config.auth.type : null;
  } catch {
    return null;
  }
}
