#!/usr/bin/env node
// Dependency audit for CI: `npm audit --omit=dev --json`, failing on any high or critical advisory of a
// production dependency that is not in audit-allowlist.json (each entry names the advisory and why it is
// accepted, and expires). When the advisory endpoint does not answer, the installed production tree is
// checked offline against security/advisories-snapshot.json (scripts/offline-audit.mjs) instead.
// Exit codes: 0 clean, 1 findings (online, or offline against the snapshot), 3 no audit at all (the
// endpoint did not answer and the offline check could not run), 4 the online audit was not performed but
// the offline snapshot check is clean. .ci/run treats 3 and 4 as loud warnings unless
// TRUCE_AUDIT_REQUIRED=1, which demands the online audit.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import {
  findMatches,
  installedVersions,
  readSnapshot,
  snapshotAgeInDays,
} from './offline-audit.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BLOCKING = new Set(['high', 'critical']);
/** A snapshot older than this is still used, with a line asking for a refresh. */
const STALE_AFTER_DAYS = 90;

const out = (line) => process.stdout.write(`${line}\n`);
const err = (line) => process.stderr.write(`${line}\n`);

/** Advisory ids (GHSA-…, or the advisory URL) accepted on purpose, with a reason and an expiry date. */
function readAllowList(file) {
  const entries = JSON.parse(readFileSync(file, 'utf8'));
  const today = new Date().toISOString().slice(0, 10);
  const allowed = new Map();
  for (const entry of entries) {
    if (!entry.advisory || !entry.package || !entry.reason || !entry.expires) {
      throw new Error(
        `audit-allowlist.json: every entry needs advisory, package, reason and expires`,
      );
    }
    if (entry.expires < today) {
      err(
        `[audit] allow-list entry ${entry.advisory} (${entry.package}) expired on ${entry.expires}`,
      );
      continue;
    }
    allowed.set(entry.advisory, entry);
  }
  return allowed;
}

/** npm exits non-zero when it has something to report (audit findings, ls problems); the JSON is on stdout. */
function npmJson(args) {
  try {
    return execFileSync('npm', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    return error.stdout ?? '';
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every advisory behind the report, flattened: { advisory, package, severity, title, url }. */
export function advisoriesOf(report) {
  const found = [];
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via ?? []) {
      if (typeof via !== 'object') continue; // a transitive pointer; the advisory itself is listed too
      const id = /GHSA-[\w-]+/.exec(via.url ?? '')?.[0] ?? via.url ?? String(via.source);
      found.push({
        advisory: id,
        package: name,
        severity: via.severity,
        title: via.title,
        url: via.url,
      });
    }
  }
  return found;
}

function onlineAudit(report, allowed) {
  const blocking = advisoriesOf(report).filter((advisory) => BLOCKING.has(advisory.severity));
  const refused = blocking.filter((advisory) => !allowed.has(advisory.advisory));
  for (const advisory of blocking.filter((item) => allowed.has(item.advisory))) {
    const entry = allowed.get(advisory.advisory);
    out(`[audit] allowed ${advisory.advisory} in ${advisory.package}: ${entry.reason}`);
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  out(`[audit] production dependencies: ${JSON.stringify(counts)}`);
  if (refused.length > 0) {
    for (const advisory of refused) {
      err(`[audit] ${advisory.severity}: ${advisory.package}: ${advisory.title} (${advisory.url})`);
    }
    err(`[audit] ${refused.length} high/critical advisory(ies) not in audit-allowlist.json`);
    return 1;
  }
  out('[audit] no high or critical advisory outside the allow-list');
  return 0;
}

/**
 * The fallback when the endpoint did not answer: exit 1 on a high/critical snapshot match outside the
 * allow-list, 4 when clean, 3 when the snapshot or the installed tree cannot be read.
 */
function offlineAudit({ snapshotFile, treeFile }, allowed) {
  let snapshot;
  try {
    snapshot = readSnapshot(snapshotFile);
  } catch (error) {
    err(`[audit] offline check impossible: ${error.message}`);
    return 3;
  }
  const tree = parseJson(
    treeFile ? readFileSync(treeFile, 'utf8') : npmJson(['ls', '--omit=dev', '--all', '--json']),
  );
  if (!tree?.dependencies) {
    err('[audit] offline check impossible: no installed production tree (npm ls gave no JSON)');
    return 3;
  }
  const { versions, notInstalled } = installedVersions(tree);
  const versionCount = [...versions.values()].reduce((sum, byVersion) => sum + byVersion.size, 0);
  const blockingCount = snapshot.advisories.filter((entry) => BLOCKING.has(entry.severity)).length;
  const age = snapshotAgeInDays(snapshot.checkedOn, new Date().toISOString().slice(0, 10));
  out(
    `[audit] offline check: ${versionCount} installed versions of ${versions.size} production packages` +
      ` against ${snapshot.advisories.length} advisories (${blockingCount} high/critical) of the snapshot` +
      ` checked on ${snapshot.checkedOn} (${age} days old)`,
  );
  if (notInstalled > 0) {
    out(
      `[audit] offline: ${notInstalled} optional or peer dependencies are not installed here (nothing to check)`,
    );
  }
  if (age > STALE_AFTER_DAYS) {
    err(
      `[audit] offline: the snapshot is older than ${STALE_AFTER_DAYS} days; refresh it (SECURITY.md)`,
    );
  }

  const matches = findMatches(versions, snapshot.advisories);
  const describe = (match) =>
    `${match.advisory} in ${match.package}@${match.version} (${match.path}), fixed in ${match.patched}`;
  for (const match of matches.filter((item) => !BLOCKING.has(item.severity))) {
    out(`[audit] offline: ${match.severity} ${describe(match)}: not blocking`);
  }
  const blocking = matches.filter((match) => BLOCKING.has(match.severity));
  for (const match of blocking.filter((item) => allowed.has(item.advisory))) {
    out(`[audit] offline: allowed ${describe(match)}: ${allowed.get(match.advisory).reason}`);
  }
  const refused = blocking.filter((match) => !allowed.has(match.advisory));
  if (refused.length > 0) {
    for (const match of refused) err(`[audit] offline ${match.severity}: ${describe(match)}`);
    err(`[audit] ${refused.length} high/critical snapshot match(es) not in audit-allowlist.json`);
    return 1;
  }
  out(
    '[audit] offline: no installed production version inside a high or critical range of the snapshot;' +
      ` advisories published after ${snapshot.checkedOn} are not covered`,
  );
  return 4;
}

/**
 * `--from REPORT.json` reads a saved `npm audit --json` answer and `--tree TREE.json` a saved
 * `npm ls --omit=dev --all --json` answer (tests); `--allow FILE` another allow-list, `--snapshot FILE`
 * another snapshot; `--offline` skips the online audit and runs the snapshot check alone.
 */
export function main(args = process.argv.slice(2)) {
  const option = (name) => {
    const index = args.indexOf(name);
    return index === -1 ? undefined : args[index + 1];
  };
  const allowed = readAllowList(option('--allow') ?? path.join(root, 'audit-allowlist.json'));
  const offline = {
    snapshotFile: option('--snapshot') ?? path.join(root, 'security', 'advisories-snapshot.json'),
    treeFile: option('--tree'),
  };
  if (args.includes('--offline')) {
    out('[audit] online audit skipped (--offline)');
    return offlineAudit(offline, allowed);
  }
  const from = option('--from');
  const report = parseJson(
    from ? readFileSync(from, 'utf8') : npmJson(['audit', '--omit=dev', '--json']),
  );
  if (!report || !report.vulnerabilities || report.error || report.statusCode) {
    const reason = report?.message ?? report?.error?.summary ?? 'no JSON answer';
    err(`[audit] online audit NOT PERFORMED: the advisory endpoint did not answer (${reason})`);
    return offlineAudit(offline, allowed);
  }
  return onlineAudit(report, allowed);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
