import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { seededRandom } from '../../src/handoff/seeded-random';
import { spawnTruce } from '../helpers/process';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'truce-score-'));
  const random = seededRandom(9);
  const lines = ['lead_id,source,visits,won'];
  for (let i = 0; i < 600; i += 1) {
    const referral = random() < 0.4;
    const visits = Math.floor(random() * 20);
    const p = 1 / (1 + Math.exp(-(-1.5 + (referral ? 2 : 0) + 0.1 * visits)));
    lines.push(
      `L${i},${referral ? 'Referral' : 'Google'},${visits},${random() < p ? 'yes' : 'no'}`,
    );
  }
  writeFileSync(path.join(dir, 'leads.csv'), `${lines.join('\n')}\n`);
  writeFileSync(path.join(dir, 'bad-label.csv'), 'source,won\nGoogle,1\nReferral,maybe\n');
  writeFileSync(path.join(dir, 'one-outcome.csv'), 'source,won\nGoogle,1\nReferral,1\n');
  writeFileSync(path.join(dir, 'ragged.csv'), 'source,won\nGoogle,1,extra\n');
  writeFileSync(path.join(dir, 'not-a-model.json'), '{"format":"other"}');
  writeFileSync(path.join(dir, 'bad-config.yaml'), 'handoff:\n  scoring:\n    grades: []\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function truce(args: string[]): Promise<{ code: number | string; output: string }> {
  const run = spawnTruce(args, {});
  const code = await run.exited;
  return { code, output: run.output() };
}

const file = (name: string) => path.join(dir, name);

describe('truce score fit | eval', () => {
  it('fits a model file and measures it', async () => {
    const fit = await truce([
      'score',
      'fit',
      '--csv',
      file('leads.csv'),
      '--label',
      'won',
      '--exclude',
      'lead_id',
      '--seed',
      '3',
      '--out',
      file('model.json'),
    ]);
    expect(fit.code).toBe(0);
    expect(JSON.parse(fit.output)).toMatchObject({
      n: 600,
      columns: ['source', 'visits'],
      converged: true,
    });
    const model = JSON.parse(readFileSync(file('model.json'), 'utf8'));
    expect(model).toMatchObject({ format: 'truce-lead-score', version: 1, label: 'won' });

    const evaluation = await truce([
      'score',
      'eval',
      '--model',
      file('model.json'),
      '--csv',
      file('leads.csv'),
      '--label',
      'won',
    ]);
    expect(evaluation.code).toBe(0);
    const result = JSON.parse(evaluation.output);
    expect(result.n).toBe(600);
    expect(result.auc).toBeGreaterThan(0.7);
    expect(result.logloss).toBeLessThan(0.6);
    expect(result.calibration.reduce((sum: number, bin: { n: number }) => sum + bin.n, 0)).toBe(
      600,
    );
  });

  it.each([
    [
      'a missing file',
      ['score', 'fit', '--csv', '/nonexistent.csv', '--label', 'won', '--out', '/tmp/x.json'],
      /cannot read \/nonexistent\.csv/,
    ],
    [
      'an unknown label column',
      ['score', 'fit', '--csv', 'leads.csv', '--label', 'Converted', '--out', 'm.json'],
      /has no column "Converted" \(columns: lead_id, source, visits, won\)/,
    ],
    [
      'an unknown excluded column',
      [
        'score',
        'fit',
        '--csv',
        'leads.csv',
        '--label',
        'won',
        '--exclude',
        'Tags',
        '--out',
        'm.json',
      ],
      /--exclude names columns .* does not have: Tags/,
    ],
    [
      'a label that is not 0/1',
      ['score', 'fit', '--csv', 'bad-label.csv', '--label', 'won', '--out', 'm.json'],
      /line 3: "won" is "maybe"/,
    ],
    [
      'a label with one outcome',
      ['score', 'fit', '--csv', 'one-outcome.csv', '--label', 'won', '--out', 'm.json'],
      /has only one outcome/,
    ],
    [
      'a ragged CSV',
      ['score', 'fit', '--csv', 'ragged.csv', '--label', 'won', '--out', 'm.json'],
      /not a valid CSV file/,
    ],
    [
      'a missing required option',
      ['score', 'fit', '--csv', 'leads.csv', '--label', 'won'],
      /required option '--out <file>'/,
    ],
    [
      'a bad seed',
      ['score', 'fit', '--csv', 'leads.csv', '--label', 'won', '--seed', 'abc', '--out', 'm.json'],
      /--seed "abc" must be a whole number/,
    ],
    [
      'a file that is not a model',
      ['score', 'eval', '--model', 'not-a-model.json', '--csv', 'leads.csv', '--label', 'won'],
      /not a Truce lead-score model/,
    ],
  ])('exits 2 with a clear message on %s', async (_label, args, message) => {
    const resolved = args.map((arg) =>
      /\.(csv|json|yaml)$/.test(arg) && !arg.startsWith('/') ? file(arg) : arg,
    );
    const result = await truce(resolved);
    expect(result.code).toBe(2);
    expect(result.output).toMatch(message);
  });

  it('exits 2 when the rules file given to eval is invalid', async () => {
    await truce([
      'score',
      'fit',
      '--csv',
      file('leads.csv'),
      '--label',
      'won',
      '--exclude',
      'lead_id',
      '--out',
      file('m2.json'),
    ]);
    const result = await truce([
      'score',
      'eval',
      '--model',
      file('m2.json'),
      '--csv',
      file('leads.csv'),
      '--label',
      'won',
      '--config',
      file('bad-config.yaml'),
    ]);
    expect(result.code).toBe(2);
    expect(result.output).toMatch(/handoff\.scoring\.grades/);
  });
});
