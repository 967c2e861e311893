import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parse } from 'csv-parse/sync';

import { runTruce } from '../helpers/process';

const dir = mkdtempSync(path.join(tmpdir(), 'truce-attribute-'));

function fixture(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Runs `truce attribute …` with a service environment that would not start (the command must not care). */
function attribute(args: string[], env: Record<string, string> = {}) {
  return runTruce(['attribute', ...args], {
    PORT: 'not-a-port',
    DATABASE_URL: 'mysql://nope',
    ...env,
  });
}

const TOY = fixture(
  'toy.csv',
  'path,total_conversions,total_conversion_value,total_null\nA > B,1,10,0\nA,0,0,1\n"B > A",1,4,1\nC,1,6,0\n',
);

describe('truce attribute --paths', () => {
  it('prints Markov credits and removal effects of the hand-checked toy, with no service environment', async () => {
    const { code, stdout, stderr } = await attribute(['--paths', TOY, '--model', 'markov']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = parse(stdout, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'channel',
      'conversions',
      'value',
      'removal_effect_conversions',
      'removal_effect_value',
    ]);
    const a = rows.find((row) => row.channel === 'A') as Record<string, string>;
    expect(Number(a.conversions)).toBeCloseTo(24 / 23, 9);
    expect(Number(a.value)).toBeCloseTo(110 / 19, 8);
    expect(Number(a.removal_effect_conversions)).toBeCloseTo(4 / 9, 9);
    expect(Number(a.removal_effect_value)).toBeCloseTo(11 / 30, 9);
  });

  it('auto-detects semicolons, honours --sep and prints JSON', async () => {
    const file = fixture(
      'semi.csv',
      'path;total_conversions;total_conversion_value;total_null\nA|B;2;20;1\nB;1;5;0\n',
    );
    const { code, stdout } = await attribute([
      '--paths',
      file,
      '--sep',
      '|',
      '--model',
      'first',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { channel: 'A', conversions: 2, value: 20 },
      { channel: 'B', conversions: 1, value: 5 },
    ]);
  });

  it('gives one column group per model with --model all (Markov orders 1–3 by default)', async () => {
    const { code, stdout } = await attribute(['--paths', TOY]);
    expect(code).toBe(0);
    const header = stdout.split('\n')[0]?.split(',') ?? [];
    expect(header).toEqual(
      expect.arrayContaining([
        'first_conversions',
        'last_value',
        'linear_conversions',
        'markov_1_removal_effect_conversions',
        'markov_3_value',
        'shapley_conversions',
        'shapley_rate_value',
      ]),
    );
    expect(header).not.toContain('markov_4_value');
    const rows = parse(stdout, { columns: true }) as Array<Record<string, string>>;
    const total = rows.reduce((sum, row) => sum + Number(row.markov_2_conversions), 0);
    expect(total).toBeCloseTo(3, 8);
  });

  it.each([
    ['missing column', 'path,total_null\nA,1\n', /:1: missing column total_conversions/],
    [
      'non-numeric count',
      'path,total_conversions,total_conversion_value,total_null\nA,1,1,0\nB,lots,1,0\n',
      /:3: total_conversions is not a number: "lots"/,
    ],
    [
      'negative value',
      'path,total_conversions,total_conversion_value,total_null\nA,1,-4,0\n',
      /:2: total_conversion_value is negative: -4/,
    ],
    [
      'empty path',
      'path,total_conversions,total_conversion_value,total_null\nA,1,1,0\n  ,1,1,0\n',
      /:3: empty path/,
    ],
    [
      'empty channel',
      'path,total_conversions,total_conversion_value,total_null\nA > > B,1,1,0\n',
      /:2: empty channel name/,
    ],
  ])(
    'refuses a %s with file, line and problem, exit code 2 and no output',
    async (name, text, message) => {
      const file = fixture(`${name.replace(/ /g, '-')}.csv`, text);
      const { code, stdout, stderr } = await attribute(['--paths', file]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(file);
      expect(stderr).toMatch(message);
    },
  );

  it('refuses an unreadable file and bad options with exit code 2', async () => {
    const missing = path.join(dir, 'nope.csv');
    const [unreadable, noInput, badOrder, journeyOnly] = await Promise.all([
      attribute(['--paths', missing]),
      attribute([]),
      attribute(['--paths', TOY, '--model', 'markov', '--order', '7']),
      attribute(['--paths', TOY, '--model', 'w_shaped']),
    ]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(new RegExp(`${missing}: cannot read the file`));
    expect(unreadable.stdout).toBe('');
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toMatch(/exactly one of --paths FILE or --journeys FILE/);
    expect(badOrder.code).toBe(2);
    expect(badOrder.stderr).toMatch(/--order must be 1 to 4/);
    expect(journeyOnly.code).toBe(2);
    expect(journeyOnly.stderr).toMatch(/needs timestamped touches/);
  });
});

const DAY = 86_400_000;
const journeys = [
  {
    id: 'd1',
    converted: true,
    value: 1000,
    contactCreatedAt: 2 * DAY,
    dealCreatedAt: 3 * DAY,
    closedAt: 5 * DAY,
    touches: [
      { at: 1 * DAY, channel: 'paid', campaign: 'spring' },
      { at: 2 * DAY, channel: 'email', campaign: 'nurture', kind: 'form_submission' },
      { at: 3 * DAY, channel: 'events', campaign: 'expo' },
      { at: 4 * DAY, channel: 'email', campaign: 'nurture' },
      { at: 9 * DAY, channel: 'paid', campaign: 'late' },
    ],
  },
  {
    id: 'd2',
    converted: true,
    value: 0.01,
    closedAt: '1970-01-04T00:00:00Z',
    touches: [
      { at: '1970-01-02T00:00:00Z', channel: 'paid' },
      { at: '1970-01-03T00:00:00Z', channel: 'email' },
      { at: '1970-01-03T00:00:00Z', channel: 'events' },
    ],
  },
  {
    id: 'lost',
    converted: false,
    value: 500,
    touches: [{ at: DAY, channel: 'paid', campaign: 'spring' }],
  },
];
const JOURNEYS = fixture(
  'journeys.jsonl',
  `${journeys.map((j) => JSON.stringify(j)).join('\n')}\n`,
);

describe('truce attribute --journeys', () => {
  it('credits every model to the cent, per channel', async () => {
    const { code, stdout, stderr } = await attribute(['--journeys', JOURNEYS]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = parse(stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => row.channel)).toEqual(['email', 'events', 'paid']);
    const models = [
      'first',
      'last',
      'linear',
      'u_shaped',
      'w_shaped',
      'full_path',
      'j_shaped',
      'inverse_j',
      'time_decay',
      'custom',
      'markov_1',
      'markov_2',
      'markov_3',
      'shapley',
    ];
    for (const model of models) {
      const cents = rows.reduce(
        (sum, row) => sum + Math.round(Number(row[`${model}_value`]) * 100),
        0,
      );
      expect({ model, cents }).toEqual({ model, cents: 100_001 });
      const conversions = rows.reduce((sum, row) => sum + Number(row[`${model}_conversions`]), 0);
      expect(conversions).toBeCloseTo(2, 8);
    }
    const paid = rows.find((row) => row.channel === 'paid') as Record<string, string>;
    // d1: FT (paid) 30 % of 1000.00; d2's single cent goes to its first touch (paid) under W-shaped.
    expect(paid.w_shaped_value).toBe('300.01');
    // The touch after close (paid, day 9) is not the last touch.
    expect(paid.last_value).toBe('0');
  });

  it('credits per campaign with --by campaign', async () => {
    const { code, stdout } = await attribute([
      '--journeys',
      JOURNEYS,
      '--by',
      'campaign',
      '--model',
      'u_shaped',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { campaign: '(no campaign)', conversions: 1, value: 0.01 },
      { campaign: 'expo', conversions: 0.1, value: 100 },
      { campaign: 'nurture', conversions: 0.5, value: 500 },
      { campaign: 'spring', conversions: 0.4, value: 400 },
    ]);
  });

  it('takes custom weights from the rules file (TRUCE_CONFIG)', async () => {
    const rules = fixture(
      'rules.yaml',
      'attribution:\n  custom:\n    positions: { firstTouch: 0, leadCreation: 0, opportunityCreation: 0, closedWon: 1, other: 0 }\n',
    );
    const { code, stdout, stderr } = await attribute(
      ['--journeys', JOURNEYS, '--model', 'custom', '--format', 'json'],
      { TRUCE_CONFIG: rules },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // All weight on the closed-won touch: the same as last touch (email for d1, events for d2 by tie order).
    expect(JSON.parse(stdout)).toEqual([
      { channel: 'email', conversions: 1, value: 1000 },
      { channel: 'events', conversions: 1, value: 0.01 },
      { channel: 'paid', conversions: 0, value: 0 },
    ]);
  });

  it('refuses a bad journey line naming file, line and field', async () => {
    const file = fixture(
      'bad.jsonl',
      `${JSON.stringify(journeys[0])}\n{"id":"x","converted":true,"value":-1,"touches":[{"at":1,"channel":"a"}]}\n`,
    );
    const notJson = fixture('not-json.jsonl', '{"id":\n');
    const [negative, broken] = await Promise.all([
      attribute(['--journeys', file]),
      attribute(['--journeys', notJson]),
    ]);
    expect(negative.code).toBe(2);
    expect(negative.stdout).toBe('');
    expect(negative.stderr).toMatch(new RegExp(`${file}:2: value: must not be negative`));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/:1: not valid JSON/);
  });
});
