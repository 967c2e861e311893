import { type Command, Option } from 'commander';

import { ShapleyLimitError } from '../../src/attribution/attribution-shapley';
import { JourneyAggregate } from '../../src/attribution/journey-aggregate';
import {
  ALL_JOURNEY_MODELS,
  isModelName,
  type ModelName,
  PATH_MODELS,
  type PathModel,
} from '../../src/attribution/models';
import { PathAggregate } from '../../src/attribution/path-aggregate';
import { type CreditFormat, creditTable, renderCreditTable } from '../attribution/credit-table';
import { InputError } from '../attribution/input-error';
import { readJourneyFile } from '../attribution/journey-file';
import { readPathFile } from '../attribution/path-file';
import { EXIT_USAGE, loadSettings } from './runtime';

interface AttributeOptions {
  paths?: string;
  journeys?: string;
  model: string;
  order?: string;
  sep?: string;
  by: 'channel' | 'campaign';
  format: CreditFormat;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function registerAttribute(program: Command): void {
  program
    .command('attribute')
    .description(
      'attribution on your own data: credit per channel (or campaign) under each model, printed as a table',
    )
    .option(
      '--paths <file>',
      'aggregated paths: path,total_conversions,total_conversion_value,total_null',
    )
    .option('--journeys <file>', 'JSON lines, one journey with timestamped touches per line')
    .option(
      '--model <name>',
      `${[...new Set<string>([...PATH_MODELS, ...ALL_JOURNEY_MODELS])].join('|')}|all`,
      'all',
    )
    .option('--order <k>', 'Markov order(s): 2, 1-3 or 1,3 (default 1; 1-3 with --model all)')
    .option('--sep <s>', 'channel separator inside path', '>')
    .addOption(
      new Option('--by <key>', 'credit per channel or campaign (journeys)')
        .choices(['channel', 'campaign'])
        .default('channel'),
    )
    .addOption(new Option('--format <format>', 'output').choices(['csv', 'json']).default('csv'))
    .action(async (options: AttributeOptions) => {
      try {
        process.stdout.write(await attribute(options));
      } catch (error) {
        if (error instanceof UsageError || error instanceof InputError) {
          process.stderr.write(`truce attribute: ${error.message}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        if (error instanceof ShapleyLimitError) {
          process.stderr.write(
            `truce attribute: ${error.message}; choose other models with --model\n`,
          );
          process.exitCode = EXIT_USAGE;
          return;
        }
        throw error;
      }
    });
}

class UsageError extends Error {}

/** Runs the whole command and returns its output; nothing is printed until every line has been read. */
async function attribute(options: AttributeOptions): Promise<string> {
  if ((options.paths === undefined) === (options.journeys === undefined)) {
    throw new UsageError('give exactly one of --paths FILE or --journeys FILE');
  }
  if (options.sep === '') throw new UsageError('--sep must not be empty');
  const models = selectModels(options.model, options.paths !== undefined);
  const orders = parseOrders(options.order, options.model === 'all');

  if (options.paths !== undefined) {
    const aggregate = new PathAggregate({ models: models as PathModel[], orders });
    await readPathFile(options.paths, { separator: options.sep }, (row) =>
      aggregate.add(row.channels, row.conversions, row.value, row.nulls),
    );
    const table = creditTable('channel', aggregate.keys, aggregate.results(), 1);
    return renderCreditTable(table, options.format);
  }

  const settings = loadSettings().attribution;
  const aggregate = new JourneyAggregate({
    models,
    orders,
    by: options.by,
    halfLifeMs: settings.timeDecayHalfLifeDays * DAY_MS,
    custom: settings.custom,
  });
  const file = options.journeys as string;
  await readJourneyFile(file, (journey, line) => {
    try {
      aggregate.add(journey);
    } catch (error) {
      if (error instanceof RangeError) throw new InputError(file, line, error.message);
      throw error;
    }
  });
  const table = creditTable(options.by, aggregate.keys, aggregate.results(), 100);
  return renderCreditTable(table, options.format);
}

function selectModels(name: string, pathsOnly: boolean): ModelName[] {
  const available: readonly ModelName[] = pathsOnly ? PATH_MODELS : ALL_JOURNEY_MODELS;
  if (name === 'all') return [...available];
  if (!isModelName(name)) {
    throw new UsageError(`unknown model "${name}"; known: ${available.join(', ')}, all`);
  }
  if (!available.includes(name)) {
    throw new UsageError(`model ${name} needs timestamped touches and milestones: use --journeys`);
  }
  return [name];
}

/** `2`, `1-3` or `1,3`. */
function parseOrders(text: string | undefined, all: boolean): number[] {
  if (text === undefined) return all ? [1, 2, 3] : [1];
  const range = /^\s*(\d)\s*-\s*(\d)\s*$/.exec(text);
  const orders = range
    ? Array.from(
        { length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) },
        (_, i) => Number(range[1]) + i,
      )
    : text.split(',').map((part) => Number(part.trim()));
  if (
    orders.length === 0 ||
    orders.some((order) => !Number.isInteger(order) || order < 1 || order > 4)
  ) {
    throw new UsageError(`--order must be 1 to 4 (e.g. 2, 1-3 or 1,3), got "${text}"`);
  }
  return [...new Set(orders)];
}
