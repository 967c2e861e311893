#!/usr/bin/env node
// Dependency audit for CI: `npm audit --omit=dev --json`, failing on any high or critical advisory of a
// production dependency that is not in audit-allowlist.json (each entry names the advisory and why it is
// accepted, and expires). Exit codes: 0 clean, 1 findings, 3 the audit could not be performed (the advisory
// endpoint did not answer). .ci/run treats 3 as a loud warning unless TRUCE_AUDIT_REQUIRED=1.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BLOCKING = new Set(['high', 'critical']);

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
      process.stderr.write(
        `${`[audit] allow-list entry ${entry.advisory} (${entry.package}) expired on ${entry.expires}`}\n`,
      );
      continue;
    }
    allowed.set(entry.advisory, entry);
  }
  return allowed;
}

function runAudit() {
  try {
    return execFileSync('npm', ['audit', '--omit=dev', '--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    // npm audit exits 1 when it finds anything; the JSON is still on stdout.
    return error.stdout ?? '';
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

/** `--from REPORT.json` reads a saved `npm audit --json` answer (tests); `--allow FILE` another allow-list. */
export function main(args = process.argv.slice(2)) {
  const option = (name) => {
    const index = args.indexOf(name);
    return index === -1 ? undefined : args[index + 1];
  };
  const allowed = readAllowList(option('--allow') ?? path.join(root, 'audit-allowlist.json'));
  const from = option('--from');
  const output = from ? readFileSync(from, 'utf8') : runAudit();
  let report;
  try {
    report = JSON.parse(output);
  } catch {
    report = undefined;
  }
  if (!report || !report.vulnerabilities || report.error || report.statusCode) {
    const reason = report?.message ?? report?.error?.summary ?? 'no JSON answer';
    process.stderr.write(
      `${`[audit] NOT PERFORMED: the advisory endpoint did not answer (${reason})`}\n`,
    );
    return 3;
  }
  const blocking = advisoriesOf(report).filter((advisory) => BLOCKING.has(advisory.severity));
  const refused = blocking.filter((advisory) => !allowed.has(advisory.advisory));
  for (const advisory of blocking.filter((item) => allowed.has(item.advisory))) {
    const entry = allowed.get(advisory.advisory);
    process.stdout.write(
      `${`[audit] allowed ${advisory.advisory} in ${advisory.package}: ${entry.reason}`}\n`,
    );
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  process.stdout.write(`${`[audit] production dependencies: ${JSON.stringify(counts)}`}\n`);
  if (refused.length > 0) {
    for (const advisory of refused) {
      process.stderr.write(
        `${`[audit] ${advisory.severity}: ${advisory.package}: ${advisory.title} (${advisory.url})`}\n`,
      );
    }
    process.stderr.write(
      `${`[audit] ${refused.length} high/critical advisory(ies) not in audit-allowlist.json`}\n`,
    );
    return 1;
  }
  process.stdout.write(`${'[audit] no high or critical advisory outside the allow-list'}\n`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
