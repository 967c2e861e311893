import { scoreHandoff } from '../../src/handoff/handoff-score';
import { handoffSettingsSchema } from '../../src/handoff/handoff-settings';
import { fitLearnedModel } from '../../src/handoff/score-learned';

const NOW = Date.parse('2026-11-20T12:00:00Z');

const settings = (model?: { file: string; weight: number }) =>
  handoffSettingsSchema.parse({
    scoring: {
      fit: [
        {
          id: 'ref',
          label: 'Referral',
          property: 'source',
          when: { op: 'in', values: ['Referral'] },
          points: 60,
        },
      ],
      grades: [
        { grade: 'A', min: 60 },
        { grade: 'B', min: 30 },
      ],
      model,
    },
  }).scoring;

const rows = Array.from({ length: 200 }, (_, i) => ({
  source: i % 2 === 0 ? 'Referral' : 'Google',
}));
const labels = rows.map((row, i) =>
  row.source === 'Referral' ? (i % 10 < 8 ? 1 : 0) : i % 10 < 2 ? 1 : 0,
);
const model = fitLearnedModel(rows, labels, { label: 'won', columns: ['source'], seed: 1 });
const contact = { properties: { source: 'Referral' } };

describe('scoreHandoff', () => {
  it('uses the rules alone without a model', () => {
    expect(scoreHandoff(contact, settings(), undefined, NOW)).toMatchObject({
      score: 60,
      grade: 'A',
      method: 'rules',
      learnedWeight: 0,
    });
  });

  it('uses the calibrated probability × 100 with weight 1', () => {
    const result = scoreHandoff(contact, settings({ file: 'm.json', weight: 1 }), model, NOW);
    expect(result.method).toBe('learned');
    expect(result.score).toBe(result.learned!.score);
    expect(result.score).toBeGreaterThan(70);
    expect(result.score).toBeLessThan(90);
    expect(result.rules.score).toBe(60); // the rule explanation is still there for the card
  });

  it('blends rules and model with the configured weight and grades the blend', () => {
    const result = scoreHandoff(contact, settings({ file: 'm.json', weight: 0.25 }), model, NOW);
    expect(result.method).toBe('blend');
    expect(result.score).toBeCloseTo(0.75 * 60 + 0.25 * result.learned!.score, 2);
    expect(result.grade).toBe('A');
    const google = scoreHandoff(
      { properties: { source: 'Google' } },
      settings({ file: 'm.json', weight: 0.5 }),
      model,
      NOW,
    );
    expect(google.score).toBeCloseTo(0.5 * google.learned!.score, 2);
    expect(google.grade).toBe('C');
  });
});
