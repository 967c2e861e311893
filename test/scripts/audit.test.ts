import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** scripts/audit.mjs on saved `npm audit --json` and `npm ls --json` answers: which findings fail the build. */
const dir = mkdtempSync(path.join(tmpdir(), 'truce-audit-'));
const root = path.join(__dirname, '..', '..');
const script = path.join(root, 'scripts', 'audit.mjs');

function file(name: string, value: unknown): string {
  const target = path.join(dir, name);
  writeFileSync(target, JSON.stringify(value));
  return target;
}

function run(args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
  return { code: result.status, out: result.stdout + result.stderr };
}

function audit(report: unknown, allowList: unknown[] = []) {
  return run(['--from', file('report.json', report), '--allow', file('allow.json', allowList)]);
}

const advisory = (severity: string) => ({
  auditReportVersion: 2,
  vulnerabilities: {
    'some-lib': {
      name: 'some-lib',
      severity,
      via: [
        {
          source: 1,
          name: 'some-lib',
          title: 'Prototype pollution',
          url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
          severity,
        },
      ],
    },
    'depends-on-it': { name: 'depends-on-it', severity, via: ['some-lib'] },
  },
  metadata: { vulnerabilities: { [severity]: 2 } },
});

/** What npm answers when the advisory endpoint refuses the request. */
const unreachable = { message: '405 Method Not Allowed', statusCode: 405 };

/** A saved `npm ls --omit=dev --all --json` answer: `some-lib` at the given versions, one of them nested. */
const tree = (direct: string, nested = '2.0.0') => ({
  name: 'truce',
  dependencies: {
    'some-lib': { version: direct },
    'depends-on-it': {
      version: '1.0.0',
      dependencies: { 'some-lib': { version: nested }, 'optional-binary': {} },
    },
  },
});

const snapshotEntry = {
  advisory: 'GHSA-aaaa-bbbb-cccc',
  package: 'some-lib',
  severity: 'high',
  vulnerable: '<1.2.4 || >=2.0.0 <2.0.2',
  patched: '1.2.4, 2.0.2',
  summary: 'Prototype pollution through parsed keys.',
  sources: ['https://github.com/advisories/GHSA-aaaa-bbbb-cccc'],
};

const snapshot = (entries: unknown[] = [snapshotEntry]) => ({
  checkedOn: '2026-11-26',
  method: 'test',
  advisories: entries,
});

function offlineAudit(
  installed: unknown,
  { entries, allowList = [] }: { entries?: unknown[]; allowList?: unknown[] } = {},
) {
  return run([
    '--from',
    file('report.json', unreachable),
    '--tree',
    file('tree.json', installed),
    '--snapshot',
    file('snapshot.json', snapshot(entries)),
    '--allow',
    file('allow.json', allowList),
  ]);
}

describe('scripts/audit.mjs', () => {
  it('passes a clean report', () => {
    expect(audit({ vulnerabilities: {}, metadata: { vulnerabilities: {} } }).code).toBe(0);
  });

  it('fails on a high advisory that is not allowed, naming it', () => {
    const { code, out } = audit(advisory('high'));
    expect(code).toBe(1);
    expect(out).toContain('high: some-lib: Prototype pollution');
  });

  it('passes a moderate advisory (only high and critical block)', () => {
    expect(audit(advisory('moderate')).code).toBe(0);
  });

  it('passes an allowed critical advisory and prints the reason; an expired entry no longer counts', () => {
    const entry = {
      advisory: 'GHSA-aaaa-bbbb-cccc',
      package: 'some-lib',
      reason: 'only reachable from the CLI with a trusted file',
      expires: '2999-01-01',
    };
    const allowed = audit(advisory('critical'), [entry]);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain('only reachable from the CLI');
    expect(audit(advisory('critical'), [{ ...entry, expires: '2000-01-01' }]).code).toBe(1);
  });

  it('exits 3 when the advisory endpoint did not answer and no snapshot can be read', () => {
    const { code, out } = run([
      '--from',
      file('report.json', unreachable),
      '--snapshot',
      path.join(dir, 'no-such-snapshot.json'),
    ]);
    expect(code).toBe(3);
    expect(out).toContain('online audit NOT PERFORMED');
    expect(out).toContain('offline check impossible');
  });
});

describe('scripts/audit.mjs offline fallback (advisory endpoint unreachable)', () => {
  it('fails on an installed version inside a high range, naming the advisory, the path and the fix', () => {
    const { code, out } = offlineAudit(tree('1.2.3'));
    expect(code).toBe(1);
    expect(out).toContain('online audit NOT PERFORMED');
    expect(out).toContain(
      'offline high: GHSA-aaaa-bbbb-cccc in some-lib@1.2.3 (some-lib), fixed in 1.2.4, 2.0.2',
    );
  });

  it('finds a vulnerable version nested deeper in the tree', () => {
    const { code, out } = offlineAudit(tree('1.2.4', '2.0.1'));
    expect(code).toBe(1);
    expect(out).toContain('some-lib@2.0.1 (depends-on-it > some-lib)');
  });

  it('exits 4 when every installed version lies outside the ranges, saying what was checked', () => {
    const { code, out } = offlineAudit(tree('1.2.4', '2.0.2'));
    expect(code).toBe(4);
    expect(out).toContain(
      'offline check: 3 installed versions of 2 production packages against 1 advisories (1 high/critical)' +
        ' of the snapshot checked on 2026-11-26',
    );
    expect(out).toContain('1 optional or peer dependencies are not installed here');
    expect(out).toContain('advisories published after 2026-11-26 are not covered');
  });

  it('names a moderate match but does not block on it', () => {
    const { code, out } = offlineAudit(tree('1.2.3'), {
      entries: [{ ...snapshotEntry, severity: 'moderate' }],
    });
    expect(code).toBe(4);
    expect(out).toContain('offline: moderate GHSA-aaaa-bbbb-cccc in some-lib@1.2.3');
  });

  it('honours the allow-list for a critical match, printing the reason', () => {
    const { code, out } = offlineAudit(tree('1.2.3'), {
      entries: [{ ...snapshotEntry, severity: 'critical' }],
      allowList: [
        {
          advisory: 'GHSA-aaaa-bbbb-cccc',
          package: 'some-lib',
          reason: 'only parses our own config file',
          expires: '2999-01-01',
        },
      ],
    });
    expect(code).toBe(4);
    expect(out).toContain('offline: allowed GHSA-aaaa-bbbb-cccc in some-lib@1.2.3');
    expect(out).toContain('only parses our own config file');
  });

  it('refuses a snapshot entry whose range is not a semver range (it would match nothing)', () => {
    const { code, out } = offlineAudit(tree('1.2.3'), {
      entries: [{ ...snapshotEntry, vulnerable: 'before 1.2.4' }],
    });
    expect(code).toBe(3);
    expect(out).toContain('vulnerable is not a semver range');
  });
});

describe('the committed advisory snapshot', () => {
  const committed = JSON.parse(
    readFileSync(path.join(root, 'security', 'advisories-snapshot.json'), 'utf8'),
  ) as {
    checkedOn: string;
    advisories: { severity: string; sources: string[] }[];
  };

  // The script itself refuses an entry whose range semver cannot parse (exit 3, checked below).
  it('is dated and every entry has a severity and says where it was read', () => {
    expect(committed.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const entry of committed.advisories) {
      expect(['low', 'moderate', 'high', 'critical']).toContain(entry.severity);
      expect(entry.sources.length).toBeGreaterThan(0);
      expect(entry.sources.every((source) => source.startsWith('https://'))).toBe(true);
    }
  });

  // A genuine check of this checkout: `npm ls` of the installed production tree against the snapshot.
  // It fails (exit 1) the day a production dependency resolves to a version inside a high/critical range.
  it('has no high or critical match in the installed production tree', () => {
    const { code, out } = run(['--offline']);
    expect(out).toContain('offline check:');
    expect(code).toBe(4);
  });
});
