import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'csv-parse/sync';

import { readPathFile } from '../../server/attribution/path-file';
import { markovAttribution, MarkovChainBuilder } from '../../src/attribution/attribution-markov';
import { PATH_MODELS } from '../../src/attribution/models';
import { type ModelCredits, PathAggregate } from '../../src/attribution/path-aggregate';
import { ROOT } from '../helpers/process';

const DEMO = path.resolve(ROOT, '../shared/data/channel-paths/paths-demo.csv');
const present = existsSync(DEMO);
if (!present) {
  process.stdout.write(`[truce] paths-demo data set: SKIPPED (${DEMO} is absent)\n`);
}

const TOTAL_CONVERSIONS = 19_785;
/** The data README gives the value total to the cent; the exact sum of the column is 74,802.9716. */
const TOTAL_VALUE = 74_802.97;
const TOTAL_NULLS = 68_602;

(present ? describe : describe.skip)('attribution on the ChannelAttribution demo paths', () => {
  let aggregate: PathAggregate;
  let results: Map<string, ModelCredits>;

  beforeAll(async () => {
    aggregate = new PathAggregate({ models: PATH_MODELS, orders: [1, 2, 3] });
    await readPathFile(DEMO, {}, (row) =>
      aggregate.add(row.channels, row.conversions, row.value, row.nulls),
    );
    results = new Map(aggregate.results().map((result) => [result.label, result]));
  });

  const sum = (label: string, field: 'conversions' | 'value') =>
    (results.get(label) as ModelCredits).credits.reduce(
      (total, credit) => total + credit[field],
      0,
    );

  it('reads every row with its totals', () => {
    expect(aggregate.paths).toBe(10_000);
    expect(aggregate.keys).toHaveLength(12);
    expect(aggregate.totalConversions).toBe(TOTAL_CONVERSIONS);
    expect(aggregate.totalValue).toBeCloseTo(TOTAL_VALUE, 2);
    expect(aggregate.totalNulls).toBe(TOTAL_NULLS);
  });

  it('first, last and linear equal the exact sums by rule (checked with an independent CSV parser)', () => {
    const rows = parse(readFileSync(DEMO), { columns: true }) as Array<Record<string, string>>;
    const expected = { first: new Map<string, number[]>(), last: new Map(), linear: new Map() };
    const bump = (map: Map<string, number[]>, key: string, c: number, v: number) => {
      const entry = map.get(key) ?? [0, 0];
      map.set(key, [(entry[0] as number) + c, (entry[1] as number) + v]);
    };
    for (const row of rows) {
      const channels = (row.path as string).split('>').map((c) => c.trim());
      const c = Number(row.total_conversions);
      const v = Number(row.total_conversion_value);
      bump(expected.first, channels[0] as string, c, v);
      bump(expected.last, channels[channels.length - 1] as string, c, v);
      for (const channel of channels)
        bump(expected.linear, channel, c / channels.length, v / channels.length);
    }
    for (const [label, map] of Object.entries(expected)) {
      const credits = (results.get(label) as ModelCredits).credits;
      aggregate.keys.forEach((key, id) => {
        const [c, v] = map.get(key) ?? [0, 0];
        expect(credits[id]?.conversions).toBeCloseTo(c as number, 6);
        expect(credits[id]?.value).toBeCloseTo(v as number, 6);
      });
      expect(sum(label, 'conversions')).toBeCloseTo(TOTAL_CONVERSIONS, 6);
      expect(sum(label, 'value')).toBeCloseTo(aggregate.totalValue, 6);
    }
  });

  it.each(['markov_1', 'markov_2', 'markov_3', 'shapley', 'shapley_rate'])(
    '%s credits add up to the data exactly',
    (label) => {
      expect(sum(label, 'conversions')).toBeCloseTo(TOTAL_CONVERSIONS, 6);
      expect(sum(label, 'value')).toBeCloseTo(aggregate.totalValue, 6);
    },
  );

  it.each(['markov_1', 'markov_2', 'markov_3'])(
    '%s gives a removal effect in (0, 1] for every channel',
    (label) => {
      for (const credit of (results.get(label) as ModelCredits).credits) {
        expect(credit.removalEffectConversions).toBeGreaterThan(0);
        expect(credit.removalEffectConversions).toBeLessThanOrEqual(1);
        expect(credit.removalEffectValue).toBeGreaterThan(0);
        expect(credit.removalEffectValue).toBeLessThanOrEqual(1);
      }
    },
  );

  it('gives the same Markov answer when repeated path strings are aggregated first', async () => {
    const merged = new Map<string, [number, number, number]>();
    await readPathFile(DEMO, {}, (row) => {
      const key = row.channels.join('>');
      const entry = merged.get(key) ?? [0, 0, 0];
      merged.set(key, [entry[0] + row.conversions, entry[1] + row.value, entry[2] + row.nulls]);
    });
    expect(merged.size).toBe(10_000 - 4_592);
    const ids = new Map(aggregate.keys.map((key, id) => [key, id]));
    const chain = new MarkovChainBuilder(2);
    for (const [key, [c, v, n]] of merged) {
      const path = key.split('>').map((channel) => ids.get(channel) as number);
      chain.add(path, path.length, c, v, n);
    }
    const result = markovAttribution(chain, aggregate.keys.length);
    expect(result.conversionProbability).toBeCloseTo(
      TOTAL_CONVERSIONS / (TOTAL_CONVERSIONS + TOTAL_NULLS),
      12,
    );
    const unmerged = (results.get('markov_2') as ModelCredits).credits;
    result.credits.forEach((credit, id) => {
      expect(credit.conversions).toBeCloseTo(unmerged[id]?.conversions as number, 8);
      expect(credit.removalEffectValue).toBeCloseTo(unmerged[id]?.removalEffectValue as number, 10);
    });
  });
});
