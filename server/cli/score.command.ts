import { readFileSync, writeFileSync } from 'node:fs';

import { type Command, type CommanderError, InvalidArgumentError } from 'commander';

import { fitLearnedModel, parseLearnedModel, scoreLearned } from '../../src/handoff/score-learned';
import {
  brierScore,
  calibrationTable,
  expectedCalibrationError,
  logLoss,
  rocAuc,
} from '../../src/handoff/score-metrics';
import { scoreByRules } from '../../src/handoff/score-rules';
import { ConfigError, loadConfig } from '../config';
import { EXIT_USAGE } from './runtime';
import { parseList, readLabelledCsv, ScoreInputError } from './score-csv';

/**
 * `truce score fit|eval`: learn an explainable lead score from historical outcomes in a CSV file and measure
 * it on another. Bad input (missing file, unknown column, non-0/1 label, invalid model or config) is one
 * clear line on stderr and exit code 2.
 */
export function registerScore(program: Command): void {
  const score = program
    .command('score')
    .description('learn and measure the lead score from historical outcomes');

  usageExit(
    score
      .command('fit')
      .description('fit a regularised logistic regression and write the model JSON')
      .requiredOption('--csv <file>', 'historical leads, one row each, with a header')
      .requiredOption('--label <column>', 'the outcome column (0/1, true/false, yes/no)')
      .requiredOption('--out <file>', 'where to write the model JSON')
      .option('--exclude <columns>', 'comma-separated columns to leave out (identifiers, leaks)')
      .option('--seed <n>', 'seed for the calibration folds', integer('--seed'), 1)
      .option('--l2 <lambda>', 'L2 penalty on the coefficients', positiveNumber('--l2'), 1)
      .option(
        '--min-level-count <n>',
        'levels seen fewer times are pooled into "other"',
        integer('--min-level-count'),
        10,
      )
      .option(
        '--bins <n>',
        'quantile bins per numeric column (0 = linear only)',
        integer('--bins'),
        10,
      )
      .action((options: FitOptions) => run(() => fit(options))),
  );

  usageExit(
    score
      .command('eval')
      .description('measure a model (and optionally the rule score of a config) on labelled leads')
      .requiredOption('--model <file>', 'a model JSON written by `score fit`')
      .requiredOption('--csv <file>', 'labelled leads to measure on')
      .requiredOption('--label <column>', 'the outcome column')
      .option(
        '--config <file>',
        'a rules file whose handoff rule score is measured beside the model',
      )
      .option('--now <iso>', 'time for recency rules (default: now)')
      .action((options: EvalOptions) => run(() => evaluate(options))),
  );
  usageExit(score);
}

interface FitOptions {
  csv: string;
  label: string;
  out: string;
  exclude?: string;
  seed: number;
  l2: number;
  minLevelCount: number;
  bins: number;
}

interface EvalOptions {
  model: string;
  csv: string;
  label: string;
  config?: string;
  now?: string;
}

function fit(options: FitOptions): void {
  const data = readLabelledCsv(options.csv, options.label, parseList(options.exclude));
  const positives = data.labels.filter((label) => label === 1).length;
  if (positives === 0 || positives === data.labels.length)
    throw new ScoreInputError(
      `"${options.label}" has only one outcome in ${options.csv}; a score needs both`,
    );
  const model = fitLearnedModel(data.rows, data.labels, {
    label: options.label,
    columns: data.columns,
    seed: options.seed,
    l2: options.l2,
    minLevelCount: options.minLevelCount,
    numericBins: options.bins,
  });
  try {
    writeFileSync(options.out, `${JSON.stringify(model, null, 2)}\n`);
  } catch (error) {
    throw new ScoreInputError(`cannot write ${options.out}: ${(error as Error).message}`);
  }
  printJson({
    out: options.out,
    n: model.fit.rows,
    positives: model.fit.positives,
    columns: model.columns.map((column) => column.column),
    skipped: model.skipped,
    converged: model.fit.converged,
    outOfFold: model.fit.outOfFold,
    calibration: model.calibration,
  });
}

function evaluate(options: EvalOptions): void {
  const model = readModel(options.model);
  const data = readLabelledCsv(options.csv, options.label, []);
  const probabilities = data.rows.map((row) => scoreLearned(model, row).probability);
  const table = calibrationTable(probabilities, data.labels);
  const result: Record<string, unknown> = {
    n: data.rows.length,
    positives: data.labels.filter((label) => label === 1).length,
    auc: round(rocAuc(probabilities, data.labels)),
    logloss: round(logLoss(probabilities, data.labels)),
    brier: round(brierScore(probabilities, data.labels)),
    ece: round(expectedCalibrationError(table)),
    calibration: table.map((bin) => ({
      ...bin,
      meanPredicted: round(bin.meanPredicted),
      observedRate: round(bin.observedRate),
    })),
  };
  if (options.config) result.rules = evaluateRules(options.config, options.now, data);
  printJson(result);
}

function evaluateRules(
  file: string,
  nowText: string | undefined,
  data: { rows: Record<string, string>[]; labels: number[] },
): Record<string, unknown> {
  const now = nowText === undefined ? Date.now() : Date.parse(nowText);
  if (Number.isNaN(now)) throw new ScoreInputError(`--now "${nowText}" is not an ISO date-time`);
  let scoring;
  try {
    scoring = loadConfig({ TRUCE_CONFIG: file }).settings.handoff.scoring;
  } catch (error) {
    if (error instanceof ConfigError) throw new ScoreInputError(error.message);
    throw error;
  }
  const scored = data.rows.map((row) => scoreByRules({ properties: row }, scoring, now));
  const grades = new Map<string, { n: number; positives: number }>();
  scored.forEach((result, index) => {
    const entry = grades.get(result.grade) ?? { n: 0, positives: 0 };
    entry.n += 1;
    entry.positives += data.labels[index]!;
    grades.set(result.grade, entry);
  });
  return {
    config: file,
    auc: round(
      rocAuc(
        scored.map((result) => result.score),
        data.labels,
      ),
    ),
    grades: [...scoring.grades.map((g) => g.grade), scoring.otherwiseGrade].flatMap((grade) => {
      const entry = grades.get(grade);
      return entry ? [{ grade, n: entry.n, conversionRate: round(entry.positives / entry.n) }] : [];
    }),
  };
}

function readModel(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ScoreInputError(`cannot read the model ${file}: ${(error as Error).message}`);
  }
  try {
    return parseLearnedModel(json);
  } catch (error) {
    throw new ScoreInputError(`${file}: ${(error as Error).message}`);
  }
}

function run(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (error instanceof ScoreInputError) {
      process.stderr.write(`truce score: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    throw error;
  }
}

/** Commander's own usage errors (missing option, bad value) also exit 2, like every other bad input. */
function usageExit(command: Command): void {
  command.exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  });
}

function integer(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) invalid(name, value, 'a whole number');
    return Number(value);
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0) invalid(name, value, 'a number ≥ 0');
    return number;
  };
}

function invalid(name: string, value: string, expected: string): never {
  throw new InvalidArgumentError(`${name} "${value}" must be ${expected}`);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
