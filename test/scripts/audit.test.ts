import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** scripts/audit.mjs on saved `npm audit --json` answers: which findings fail the build. */
const dir = mkdtempSync(path.join(tmpdir(), 'truce-audit-'));
const script = path.join(__dirname, '..', '..', 'scripts', 'audit.mjs');

function file(name: string, value: unknown): string {
  const target = path.join(dir, name);
  writeFileSync(target, JSON.stringify(value));
  return target;
}

function audit(report: unknown, allowList: unknown[] = []) {
  const result = spawnSync(
    process.execPath,
    [script, '--from', file('report.json', report), '--allow', file('allow.json', allowList)],
    { encoding: 'utf8' },
  );
  return { code: result.status, out: result.stdout + result.stderr };
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

  it('exits 3 when the advisory endpoint did not answer', () => {
    const { code, out } = audit({ message: '405 Method Not Allowed', statusCode: 405 });
    expect(code).toBe(3);
    expect(out).toContain('NOT PERFORMED');
  });
});
