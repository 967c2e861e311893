import { encodeRow, learnEncoding } from '../src/handoff/feature-encoding';
import { handoffSettingsSchema } from '../src/handoff/handoff-settings';
import { linearPredictor } from '../src/handoff/logistic-regression';
import { fitLearnedModel, scoreLearned } from '../src/handoff/score-learned';
import { scoreByRules } from '../src/handoff/score-rules';
import { seededRandom } from '../src/handoff/seeded-random';
import type { Benchmark } from './registry';

const LEADS = 10_000;
const ROUNDS = 5;

function generatedLeads(): { rows: Record<string, string>[]; labels: number[] } {
  const random = seededRandom(1);
  const pick = (options: string[]) => options[Math.floor(random() * options.length)]!;
  const rows: Record<string, string>[] = [];
  const labels: number[] = [];
  for (let i = 0; i < LEADS; i += 1) {
    const row = {
      origin: pick(['Landing Page', 'API', 'Lead Add Form', 'Import']),
      source: pick(['Google', 'Direct', 'Chat', 'Organic', 'Reference', 'Facebook', 'Select']),
      activity: pick(['Email Opened', 'SMS Sent', 'Chat', 'Page Visited', 'Bounced', '']),
      occupation: pick(['Unemployed', 'Working Professional', 'Student', 'Select']),
      country: pick(['India', 'India', 'India', 'US', 'UAE', 'Singapore', '']),
      visits: String(Math.floor(random() * 20)),
      seconds: String(Math.floor(random() * 2000)),
      views: (random() * 6).toFixed(2),
    };
    const eta =
      -1 +
      (row.origin === 'Lead Add Form' ? 2 : 0) +
      (row.occupation === 'Working Professional' ? 2 : 0) +
      Number(row.seconds) / 1000;
    rows.push(row);
    labels.push(random() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
  }
  return { rows, labels };
}

function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

/**
 * Scoring cost per contact: the rule score and the learned score (encoding + explanation) against the bare
 * linear predictor over rows encoded beforehand (baseline), all in the same run; plus the time to fit.
 */
export const scoringBenchmark: Benchmark = {
  name: 'scoring',
  description: `score ${LEADS} generated leads ${ROUNDS}× : rule score and learned score vs a bare linear predictor (baseline)`,
  async run(print) {
    const { rows, labels } = generatedLeads();
    const columns = Object.keys(rows[0]!);
    let started = performance.now();
    const model = fitLearnedModel(rows, labels, { label: 'won', columns, seed: 1 });
    print(
      `fit (5 calibration folds + final fit) on ${LEADS} leads: ${Math.round(performance.now() - started)} ms`,
    );

    const encoding = learnEncoding(rows, columns, { minLevelCount: 10, numericBins: 10 });
    const encoded = rows.map((row) => encodeRow(encoding, row));
    const weights = encoded[0]!.indices.map(() => 0.1);
    const coefficients = new Array<number>(2_000)
      .fill(0)
      .map((_, i) => weights[i % weights.length]!);
    let sink = 0;
    started = performance.now();
    for (let round = 0; round < ROUNDS; round += 1)
      for (const row of encoded) sink += linearPredictor(row, 0, coefficients);
    const baselineMs = performance.now() - started;

    started = performance.now();
    for (let round = 0; round < ROUNDS; round += 1)
      for (const row of rows) sink += scoreLearned(model, row).probability;
    const learnedMs = performance.now() - started;

    const scoring = handoffSettingsSchema.parse({
      scoring: {
        fit: [
          {
            id: 'form',
            label: 'Form',
            property: 'origin',
            when: { op: 'in', values: ['Lead Add Form'] },
            points: 40,
          },
          {
            id: 'pro',
            label: 'Pro',
            property: 'occupation',
            when: { op: 'in', values: ['Working Professional'] },
            points: 35,
          },
          {
            id: 'no-job',
            label: 'No occupation',
            property: 'occupation',
            when: { op: 'unknown' },
            points: -10,
          },
          {
            id: 'time',
            label: 'Time on site',
            group: 'engagement',
            property: 'seconds',
            when: { op: 'range', min: 600 },
            points: 25,
          },
        ],
        engagement: [
          {
            kind: 'count',
            id: 'visits',
            label: 'Visits',
            property: 'visits',
            pointsPerUnit: 0.5,
            maxPoints: 3,
          },
        ],
      },
    }).scoring;
    const now = Date.parse('2026-11-26T00:00:00Z');
    started = performance.now();
    for (let round = 0; round < ROUNDS; round += 1)
      for (const row of rows) sink += scoreByRules({ properties: row }, scoring, now).score;
    const rulesMs = performance.now() - started;

    const count = LEADS * ROUNDS;
    const base = perSecond(count, baselineMs);
    print(
      `linear predictor, pre-encoded (baseline): ${base.toLocaleString('en')} contacts/s  ratio 1.00`,
    );
    for (const [name, ms] of [
      ['learned score with explanation', learnedMs],
      ['rule score (5 rules) with reasons', rulesMs],
    ] as const) {
      const rate = perSecond(count, ms);
      print(`${name}: ${rate.toLocaleString('en')} contacts/s  ratio ${(rate / base).toFixed(3)}`);
    }
    if (Number.isNaN(sink)) print('(checksum NaN)');
  },
};
