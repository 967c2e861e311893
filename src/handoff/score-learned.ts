import { z } from 'zod';

import {
  type ColumnEncoding,
  encodeRow,
  encodeValue,
  featureCount,
  type FeatureEncoding,
  learnEncoding,
  type PropertyRow,
} from './feature-encoding';
import {
  fitLogisticRegression,
  linearPredictor,
  sigmoid,
  type SparseRow,
} from './logistic-regression';
import { logLoss, rocAuc } from './score-metrics';
import { seededShuffle } from './seeded-random';

/**
 * The learned lead score: an L2-regularised logistic regression on historical outcomes, Platt-calibrated on
 * out-of-fold predictions (seeded folds), explained as points per property value. Points follow the credit
 * scorecard convention: 20 points double the odds, and each property's points are relative to the average
 * training lead, so a rep reads "+14 for Lead Source = Reference" as "better than a typical lead by 14".
 */

export const LEARNED_MODEL_FORMAT = 'truce-lead-score';
export const LEARNED_MODEL_VERSION = 1;
/** Points per unit of log-odds: 20 points double the odds. */
export const POINTS_PER_LOGIT = 20 / Math.LN2;

const numericColumnSchema = z.object({
  kind: z.literal('numeric'),
  column: z.string(),
  transform: z.literal('signed_log1p'),
  mean: z.number(),
  sd: z.number().positive(),
  binEdges: z.array(z.number()),
  weight: z.number(),
  binWeights: z.array(z.number()),
  missingWeight: z.number(),
  meanContribution: z.number(),
});

const categoricalColumnSchema = z.object({
  kind: z.literal('categorical'),
  column: z.string(),
  levels: z.array(z.object({ level: z.string(), weight: z.number() })),
  otherWeight: z.number(),
  missingWeight: z.number(),
  meanContribution: z.number(),
});

export const learnedModelSchema = z.object({
  format: z.literal(LEARNED_MODEL_FORMAT),
  version: z.literal(LEARNED_MODEL_VERSION),
  label: z.string(),
  intercept: z.number(),
  columns: z.array(z.discriminatedUnion('kind', [numericColumnSchema, categoricalColumnSchema])),
  skipped: z.array(z.object({ column: z.string(), reason: z.string() })),
  calibration: z.object({ method: z.literal('platt'), slope: z.number(), intercept: z.number() }),
  fit: z.object({
    seed: z.number().int(),
    l2: z.number().nonnegative(),
    folds: z.number().int(),
    minLevelCount: z.number().int(),
    numericBins: z.number().int(),
    rows: z.number().int(),
    positives: z.number().int(),
    iterations: z.number().int(),
    converged: z.boolean(),
    outOfFold: z.object({ auc: z.number(), logloss: z.number() }),
  }),
});

export type LearnedModel = z.infer<typeof learnedModelSchema>;
type ModelColumn = LearnedModel['columns'][number];

export interface LearnedFitOptions {
  readonly label: string;
  readonly columns: readonly string[];
  readonly seed: number;
  readonly l2?: number;
  readonly folds?: number;
  readonly minLevelCount?: number;
  readonly numericBins?: number;
}

export function fitLearnedModel(
  rows: readonly PropertyRow[],
  labels: readonly number[],
  options: LearnedFitOptions,
): LearnedModel {
  const l2 = options.l2 ?? 1;
  const folds = options.folds ?? 5;
  const minLevelCount = options.minLevelCount ?? 10;
  const numericBins = options.numericBins ?? 10;
  const positives = labels.filter((label) => label === 1).length;
  if (positives === 0 || positives === labels.length)
    throw new Error('the label needs both outcomes (0 and 1) to learn from');

  // The encoding uses no labels, so learning it on every row leaks no outcome into the calibration folds.
  const encoding = learnEncoding(rows, options.columns, { minLevelCount, numericBins });
  const width = encoding.columns.reduce((total, column) => total + featureCount(column), 0);
  const sparse = rows.map((row) => encodeRow(encoding, row));

  const outOfFold = outOfFoldLogits(sparse, labels, width, l2, folds, options.seed);
  const platt = fitLogisticRegression(
    outOfFold.map((z) => ({ indices: [0], values: [z] })),
    labels,
    1,
    { l2: 1e-6 },
  );
  const calibration = {
    method: 'platt' as const,
    slope: platt.coefficients[0]!,
    intercept: platt.intercept,
  };
  const oofProbabilities = outOfFold.map((z) =>
    sigmoid(calibration.slope * z + calibration.intercept),
  );

  const fit = fitLogisticRegression(sparse, labels, width, { l2 });
  const columns = toModelColumns(encoding, fit.coefficients, rows);
  return {
    format: LEARNED_MODEL_FORMAT,
    version: LEARNED_MODEL_VERSION,
    label: options.label,
    intercept: fit.intercept,
    columns,
    skipped: [...encoding.skipped],
    calibration,
    fit: {
      seed: options.seed,
      l2,
      folds,
      minLevelCount,
      numericBins,
      rows: rows.length,
      positives,
      iterations: fit.iterations,
      converged: fit.converged,
      outOfFold: {
        auc: rocAuc(oofProbabilities, labels),
        logloss: logLoss(oofProbabilities, labels),
      },
    },
  };
}

export interface LearnedContribution {
  readonly column: string;
  /** The value the model saw: the property value, "(other) value" for a pooled level, or "(missing)". */
  readonly seen: string;
  readonly points: number;
}

export interface LearnedScore {
  /** Calibrated probability of the positive outcome. */
  readonly probability: number;
  /** The probability on the 0–100 scale used by grades and blends. */
  readonly score: number;
  /** Probability of the average training lead, the point every contribution is measured from. */
  readonly baseProbability: number;
  /** Largest effect first. */
  readonly contributions: readonly LearnedContribution[];
}

export function scoreLearned(model: LearnedModel, row: PropertyRow): LearnedScore {
  const { slope, intercept } = model.calibration;
  let base = model.intercept;
  let logOdds = model.intercept;
  const contributions: LearnedContribution[] = [];
  for (const column of model.columns) {
    const { contribution, seen } = columnContribution(column, row[column.column]);
    base += column.meanContribution;
    logOdds += contribution;
    const points =
      Math.round(POINTS_PER_LOGIT * slope * (contribution - column.meanContribution) * 10) / 10;
    contributions.push({ column: column.column, seen, points: points + 0 });
  }
  contributions.sort(
    (a, b) => Math.abs(b.points) - Math.abs(a.points) || a.column.localeCompare(b.column),
  );
  const probability = sigmoid(slope * logOdds + intercept);
  return {
    probability,
    score: Math.round(probability * 1000) / 10,
    baseProbability: sigmoid(slope * base + intercept),
    contributions,
  };
}

/** Validates a model file's content (as parsed JSON); throws with the path of the first problems. */
export function parseLearnedModel(json: unknown): LearnedModel {
  const header = z.object({ format: z.string(), version: z.number() }).safeParse(json);
  if (
    header.success &&
    header.data.format === LEARNED_MODEL_FORMAT &&
    header.data.version !== LEARNED_MODEL_VERSION
  )
    throw new Error(
      `model version ${header.data.version} is not supported (this Truce reads version ${LEARNED_MODEL_VERSION})`,
    );
  const parsed = learnedModelSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`not a Truce lead-score model: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function columnContribution(
  column: ModelColumn,
  raw: string | null | undefined,
): { contribution: number; seen: string } {
  const encoding: ColumnEncoding =
    column.kind === 'numeric'
      ? column
      : { kind: 'categorical', column: column.column, levels: column.levels.map((l) => l.level) };
  const encoded = encodeValue(encoding, raw);
  const contribution = encoded.slots.reduce(
    (total, { slot, value }) => total + weightOf(column, slot) * value,
    0,
  );
  return { contribution, seen: encoded.seen };
}

function weightOf(column: ModelColumn, slot: number): number {
  if (column.kind === 'numeric')
    return slot === 0
      ? column.weight
      : slot === 1
        ? column.missingWeight
        : column.binWeights[slot - 2]!;
  if (slot < column.levels.length) return column.levels[slot]!.weight;
  return slot === column.levels.length ? column.otherWeight : column.missingWeight;
}

function toModelColumns(
  encoding: FeatureEncoding,
  coefficients: readonly number[],
  rows: readonly PropertyRow[],
): ModelColumn[] {
  let offset = 0;
  return encoding.columns.map((column) => {
    const block = coefficients.slice(offset, offset + featureCount(column));
    offset += featureCount(column);
    const partial: ModelColumn =
      column.kind === 'numeric'
        ? {
            ...column,
            binEdges: [...column.binEdges],
            weight: block[0]!,
            missingWeight: block[1]!,
            binWeights: block.slice(2),
            meanContribution: 0,
          }
        : {
            kind: 'categorical',
            column: column.column,
            levels: column.levels.map((level, index) => ({ level, weight: block[index]! })),
            otherWeight: block[column.levels.length]!,
            missingWeight: block[column.levels.length + 1]!,
            meanContribution: 0,
          };
    const total = rows.reduce(
      (sum, row) => sum + columnContribution(partial, row[column.column]).contribution,
      0,
    );
    return { ...partial, meanContribution: total / rows.length };
  });
}

function outOfFoldLogits(
  rows: readonly SparseRow[],
  labels: readonly number[],
  width: number,
  l2: number,
  folds: number,
  seed: number,
): number[] {
  const foldOf = new Array<number>(rows.length);
  seededShuffle(
    rows.map((_, index) => index),
    seed,
  ).forEach((rowIndex, position) => (foldOf[rowIndex] = position % folds));
  const logits = new Array<number>(rows.length).fill(0);
  for (let fold = 0; fold < folds; fold += 1) {
    const train = rows.flatMap((_, index) => (foldOf[index] === fold ? [] : [index]));
    const fit = fitLogisticRegression(
      train.map((index) => rows[index]!),
      train.map((index) => labels[index]!),
      width,
      { l2 },
    );
    rows.forEach((row, index) => {
      if (foldOf[index] === fold)
        logits[index] = linearPredictor(row, fit.intercept, fit.coefficients);
    });
  }
  return logits;
}
