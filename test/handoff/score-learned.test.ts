import {
  encodeRow,
  learnEncoding,
  MISSING_LEVEL,
  OTHER_LEVEL,
} from '../../src/handoff/feature-encoding';
import {
  fitLogisticRegression,
  sigmoid,
  type SparseRow,
} from '../../src/handoff/logistic-regression';
import {
  fitLearnedModel,
  LEARNED_MODEL_VERSION,
  parseLearnedModel,
  POINTS_PER_LOGIT,
  scoreLearned,
} from '../../src/handoff/score-learned';
import {
  brierScore,
  calibrationTable,
  expectedCalibrationError,
  logLoss,
  rocAuc,
} from '../../src/handoff/score-metrics';
import { seededRandom } from '../../src/handoff/seeded-random';

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe('fitLogisticRegression', () => {
  it('recovers known coefficients on generated data', () => {
    const random = seededRandom(11);
    const truth = { intercept: -0.5, coefficients: [1.2, -0.8, 0.4, 1.0] };
    const rows: SparseRow[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 50_000; i += 1) {
      const x = [gaussian(random), gaussian(random), gaussian(random), random() < 0.3 ? 1 : 0];
      const eta =
        truth.intercept + x.reduce((sum, value, j) => sum + value * truth.coefficients[j]!, 0);
      rows.push({ indices: [0, 1, 2, 3], values: x });
      labels.push(random() < sigmoid(eta) ? 1 : 0);
    }
    const fit = fitLogisticRegression(rows, labels, 4, { l2: 0.01 });
    expect(fit.converged).toBe(true);
    // 50,000 rows put the sampling error near 0.015; 0.05 is over three standard errors.
    expect(Math.abs(fit.intercept - truth.intercept)).toBeLessThan(0.05);
    fit.coefficients.forEach((value, j) =>
      expect(Math.abs(value - truth.coefficients[j]!)).toBeLessThan(0.05),
    );
  });

  it('shrinks towards zero as the L2 penalty grows, and never penalises the intercept', () => {
    const rows: SparseRow[] = [0, 1, 0, 1, 1, 1, 0, 1].map((v) => ({ indices: [0], values: [v] }));
    const labels = [0, 1, 0, 1, 1, 0, 1, 1];
    const weak = fitLogisticRegression(rows, labels, 1, { l2: 0.01 });
    const strong = fitLogisticRegression(rows, labels, 1, { l2: 1000 });
    expect(Math.abs(strong.coefficients[0]!)).toBeLessThan(Math.abs(weak.coefficients[0]!) / 50);
    expect(sigmoid(strong.intercept)).toBeCloseTo(5 / 8, 2); // only the base rate is left
  });

  it('stays finite on perfectly separable data thanks to the penalty', () => {
    const rows: SparseRow[] = [0, 0, 1, 1].map((v) => ({ indices: [0], values: [v] }));
    const fit = fitLogisticRegression(rows, [0, 0, 1, 1], 1, { l2: 1 });
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.coefficients[0]!)).toBe(true);
  });
});

/** Leads with a known effect per level and per unit of log1p(visits). */
function generatedLeads(n: number, seed: number) {
  const random = seededRandom(seed);
  const sourceEffect: Record<string, number> = {
    Google: 0,
    Referral: 1.5,
    'Olark Chat': -1,
    Facebook: -0.5,
  };
  const sources = Object.keys(sourceEffect);
  const rows: Record<string, string>[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const source = sources[Math.floor(random() * sources.length)]!;
    const logVisits = random() * 4;
    const answered = random() < 0.7;
    const occupation = answered
      ? random() < 0.5
        ? 'Working Professional'
        : 'Unemployed'
      : 'Select';
    const eta =
      -1 +
      sourceEffect[source]! +
      0.8 * logVisits +
      (occupation === 'Working Professional' ? 2 : occupation === 'Unemployed' ? 0 : -0.7);
    rows.push({
      id: `lead-${i}`,
      source,
      visits: String(Math.expm1(logVisits)),
      occupation,
      country: random() < 0.0002 ? 'Atlantis' : 'India',
    });
    labels.push(random() < sigmoid(eta) ? 1 : 0);
  }
  return { rows, labels };
}

describe('fitLearnedModel', () => {
  const train = generatedLeads(20_000, 3);
  const model = fitLearnedModel(train.rows, train.labels, {
    label: 'converted',
    columns: ['id', 'source', 'visits', 'occupation', 'country'],
    seed: 5,
    l2: 0.1,
    numericBins: 0,
  });

  it('recovers the generating effects through the encoding', () => {
    const source = model.columns.find((c) => c.column === 'source');
    const visits = model.columns.find((c) => c.column === 'visits');
    const occupation = model.columns.find((c) => c.column === 'occupation');
    if (
      source?.kind !== 'categorical' ||
      visits?.kind !== 'numeric' ||
      occupation?.kind !== 'categorical'
    )
      throw new Error('unexpected encoding');
    const level = (column: typeof source, name: string) =>
      column.levels.find((l) => l.level === name)!.weight;
    expect(level(source, 'Referral') - level(source, 'Google')).toBeCloseTo(1.5, 0);
    expect(Math.abs(level(source, 'Olark Chat') - level(source, 'Google') + 1)).toBeLessThan(0.15);
    expect(Math.abs(level(source, 'Facebook') - level(source, 'Google') + 0.5)).toBeLessThan(0.15);
    // Standardised log1p: the weight per standard deviation, divided back, is the effect per log unit.
    expect(Math.abs(visits.weight / visits.sd - 0.8)).toBeLessThan(0.06);
    expect(Math.abs(occupation.missingWeight - level(occupation, 'Unemployed') + 0.7)).toBeLessThan(
      0.15,
    );
    expect(
      Math.abs(level(occupation, 'Working Professional') - level(occupation, 'Unemployed') - 2),
    ).toBeLessThan(0.15);
  });

  it('skips identifier columns, pools rare levels and says so', () => {
    expect(model.skipped).toEqual([
      { column: 'id', reason: 'looks like an identifier (20000 distinct values)' },
    ]);
    const country = model.columns.find((c) => c.column === 'country');
    expect(country).toMatchObject({ kind: 'categorical', levels: [{ level: 'India' }] });
  });

  it('gives calibrated probabilities on fresh data', () => {
    const test = generatedLeads(10_000, 4);
    const probabilities = test.rows.map((row) => scoreLearned(model, row).probability);
    const table = calibrationTable(probabilities, test.labels);
    expect(expectedCalibrationError(table)).toBeLessThan(0.02);
    expect(model.calibration.slope).toBeCloseTo(1, 1);
    expect(rocAuc(probabilities, test.labels)).toBeGreaterThan(0.8);
  });

  it('explains the score as points per property value that add up to the log-odds', () => {
    const scored = scoreLearned(model, {
      source: 'Referral',
      visits: '12',
      occupation: 'Select',
      country: 'Narnia',
    });
    const logit = (p: number) => Math.log(p / (1 - p));
    const total = scored.contributions.reduce((sum, c) => sum + c.points, 0);
    expect(logit(scored.probability) - logit(scored.baseProbability)).toBeCloseTo(
      total / POINTS_PER_LOGIT,
      2,
    );
    expect(Object.fromEntries(scored.contributions.map((c) => [c.column, c.seen]))).toEqual({
      source: 'Referral',
      occupation: MISSING_LEVEL,
      visits: '12',
      country: `${OTHER_LEVEL} Narnia`,
    });
    const sizes = scored.contributions.map((c) => Math.abs(c.points));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(scored.contributions[0]!.points).toBeGreaterThan(20); // Referral more than doubles the odds
    expect(scored.score).toBe(Math.round(scored.probability * 1000) / 10);
  });

  it('is reproducible: the same data and seed give the same model file', () => {
    const again = fitLearnedModel(train.rows, train.labels, {
      label: 'converted',
      columns: ['id', 'source', 'visits', 'occupation', 'country'],
      seed: 5,
      l2: 0.1,
      numericBins: 0,
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify(model));
  });

  it('round-trips through JSON and refuses other versions and shapes', () => {
    const json = JSON.parse(JSON.stringify(model));
    expect(parseLearnedModel(json)).toEqual(model);
    expect(() => parseLearnedModel({ ...json, version: LEARNED_MODEL_VERSION + 1 })).toThrow(
      /model version 2 is not supported/,
    );
    expect(() => parseLearnedModel({ format: 'something' })).toThrow(
      /not a Truce lead-score model: format/,
    );
  });

  it('refuses a label with a single outcome', () => {
    expect(() =>
      fitLearnedModel([{ a: '1' }, { a: '2' }], [1, 1], { label: 'y', columns: ['a'], seed: 1 }),
    ).toThrow(/both outcomes/);
  });
});

describe('feature encoding', () => {
  it('log-transforms and standardises numbers, with a missing indicator and quantile bins', () => {
    const rows = ['0', '1', '3', '7', '15', '', 'Select', '31'].map((visits) => ({ visits }));
    const encoding = learnEncoding(rows, ['visits'], { minLevelCount: 1, numericBins: 2 });
    const column = encoding.columns[0]!;
    if (column.kind !== 'numeric') throw new Error('expected numeric');
    const logs = [0, 1, 3, 7, 15, 31].map((v) => Math.log1p(v));
    const mean = logs.reduce((a, b) => a + b) / logs.length;
    expect(column.mean).toBeCloseTo(mean, 12);
    expect(column.binEdges).toEqual([7]);
    expect(encodeRow(encoding, { visits: '7' })).toEqual({
      indices: [0, 2],
      values: [(Math.log1p(7) - mean) / column.sd, 1],
    });
    expect(encodeRow(encoding, { visits: '8' }).indices).toEqual([0, 3]);
    expect(encodeRow(encoding, { visits: 'Select' })).toEqual({ indices: [1], values: [1] });
  });
});

describe('metrics', () => {
  it('computes AUC by pairs, ties counting one half', () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2];
    const labels = [0, 0, 1, 1, 1, 0];
    let wins = 0;
    let pairs = 0;
    scores.forEach((s, i) =>
      scores.forEach((t, j) => {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs += 1;
          wins += s > t ? 1 : s === t ? 0.5 : 0;
        }
      }),
    );
    expect(rocAuc(scores, labels)).toBeCloseTo(wins / pairs, 12);
    expect(rocAuc([1, 2], [1, 1])).toBeNaN();
  });

  it('computes log loss and Brier score', () => {
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-15), 6);
    expect(brierScore([0.8, 0.3], [1, 0])).toBeCloseTo((0.04 + 0.09) / 2, 12);
  });

  it('builds a calibration table of non-empty bins', () => {
    const table = calibrationTable([0.05, 0.07, 0.95, 1], [0, 1, 1, 1], 10);
    expect(table.map((bin) => [bin.from, bin.to, bin.n, bin.observedRate])).toEqual([
      [0, 0.1, 2, 0.5],
      [0.9, 1, 2, 1],
    ]);
    expect(table[0]!.meanPredicted).toBeCloseTo(0.06, 12);
    expect(table[1]!.meanPredicted).toBeCloseTo(0.975, 12);
    expect(expectedCalibrationError(table)).toBeCloseTo((0.44 + 0.025) / 2, 12);
  });
});
