// The offline half of the dependency audit: the installed production tree (`npm ls --omit=dev --all
// --json`) matched against security/advisories-snapshot.json, a dated list of published advisories
// researched by hand. It exists because the advisory endpoint cannot always be reached; it can only know
// what was published before the snapshot's `checkedOn` date, which is why scripts/audit.mjs reports it
// with its own exit code instead of as a passed audit.
import { readFileSync } from 'node:fs';

import semver from 'semver';

export const SEVERITIES = ['low', 'moderate', 'high', 'critical'];

/** The snapshot, checked entry by entry: a malformed range would silently match nothing. */
export function readSnapshot(file) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(snapshot.checkedOn ?? '')) {
    throw new Error(`${file}: checkedOn must be a YYYY-MM-DD date`);
  }
  if (!Array.isArray(snapshot.advisories)) throw new Error(`${file}: advisories must be a list`);
  for (const entry of snapshot.advisories) {
    const where = `${file}: ${entry.advisory ?? '(no id)'} (${entry.package ?? 'no package'})`;
    if (!entry.advisory || !entry.package || !entry.patched || !entry.sources?.length) {
      throw new Error(`${where}: every entry needs advisory, package, patched and sources`);
    }
    if (!SEVERITIES.includes(entry.severity)) {
      throw new Error(`${where}: severity must be one of ${SEVERITIES.join(', ')}`);
    }
    if (!semver.validRange(entry.vulnerable)) {
      throw new Error(`${where}: vulnerable is not a semver range: ${entry.vulnerable}`);
    }
  }
  return snapshot;
}

/**
 * Every installed package version in an `npm ls --json` tree, with one dependency path each (the first
 * met), so a finding says where the version comes from. A node without a version is an optional or peer
 * dependency that is not installed here (esbuild's binaries for other platforms, pg-native): counted apart,
 * as there is nothing on disk to check.
 */
export function installedVersions(tree) {
  const versions = new Map(); // name -> Map(version -> path)
  let notInstalled = 0;
  const walk = (node, trail) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      const path = [...trail, name];
      if (!child.version) {
        notInstalled += 1;
        continue;
      }
      const byVersion = versions.get(name) ?? new Map();
      if (!byVersion.has(child.version)) byVersion.set(child.version, path.join(' > '));
      versions.set(name, byVersion);
      walk(child, path);
    }
  };
  walk(tree, []);
  return { versions, notInstalled };
}

/** Each (advisory, installed version) pair whose version lies inside the advisory's range. */
export function findMatches(versions, advisories) {
  const matches = [];
  for (const entry of advisories) {
    for (const [version, path] of versions.get(entry.package) ?? []) {
      // Prereleases count as affected too: a conservative match, never a silent skip.
      if (semver.satisfies(version, entry.vulnerable, { includePrerelease: true })) {
        matches.push({ ...entry, version, path });
      }
    }
  }
  return matches;
}

/** Whole days between the snapshot's date and `today` (both YYYY-MM-DD). */
export function snapshotAgeInDays(checkedOn, today) {
  return Math.round((Date.parse(today) - Date.parse(checkedOn)) / 86_400_000);
}
