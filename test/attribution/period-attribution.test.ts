import {
  journeyPath,
  type JourneyTouch,
  PeriodAttribution,
} from '../../src/attribution/period-attribution';

const DAY = 86_400_000;
const touch = (
  id: number,
  day: number,
  channel: string,
  campaign: string | null = null,
): JourneyTouch => ({
  id,
  at: day * DAY,
  channel,
  campaign,
});

describe('journeyPath', () => {
  it.each([
    [
      'keeps touches inside [end − lookback, end], oldest first',
      [touch(2, 9, 'b'), touch(1, 5, 'a')],
      10,
      7,
      [1, 2],
    ],
    ['drops a touch after the end', [touch(1, 5, 'a'), touch(2, 11, 'b')], 10, 30, [1]],
    ['drops a touch older than the lookback', [touch(1, 1, 'a'), touch(2, 9, 'b')], 10, 5, [2]],
    [
      'orders touches at the same instant by id',
      [touch(3, 5, 'a'), touch(2, 5, 'b')],
      10,
      30,
      [2, 3],
    ],
    [
      'keeps a touch exactly at the window edges',
      [touch(1, 3, 'a'), touch(2, 10, 'b')],
      10,
      7,
      [1, 2],
    ],
  ])('%s', (_label, touches, endDay, lookbackDays, ids) => {
    expect(
      journeyPath(touches, endDay * DAY, { lookbackMs: lookbackDays * DAY }).map((t) => t.id),
    ).toEqual(ids);
  });
});

describe('PeriodAttribution', () => {
  it('keeps currencies apart and adds each game up to its own won amount, to the cent', () => {
    const period = new PeriodAttribution({ models: ['markov', 'shapley'], markovOrder: 1 });
    period.addDeal({
      currency: 'EUR',
      converted: true,
      valueCents: 1_001,
      path: [touch(1, 1, 'a'), touch(2, 2, 'b'), touch(3, 3, 'c')],
    });
    period.addDeal({ currency: 'USD', converted: true, valueCents: 500, path: [touch(4, 1, 'b')] });
    period.addDeal({ currency: 'EUR', converted: false, valueCents: 0, path: [touch(5, 1, 'c')] });
    const results = period.results();
    for (const currency of ['EUR', 'USD']) {
      for (const model of ['markov', 'shapley'] as const) {
        for (const dimension of ['campaign', 'channel'] as const) {
          const rows = results.filter(
            (r) => r.currency === currency && r.model === model && r.dimension === dimension,
          );
          expect(rows.reduce((sum, r) => sum + r.valueCents, 0)).toBe(
            currency === 'EUR' ? 1_001 : 500,
          );
        }
      }
    }
    // USD saw only channel b: a and c never appear in its game.
    expect(
      results
        .filter((r) => r.currency === 'USD' && r.dimension === 'channel' && r.model === 'shapley')
        .map((r) => [r.key, r.valueCents]),
    ).toEqual([['b', 500]]);
    // Set Shapley splits the EUR deal over a, b, c: 333.67 each, the extra cent to the first.
    expect(
      results
        .filter((r) => r.currency === 'EUR' && r.dimension === 'channel' && r.model === 'shapley')
        .map((r) => r.valueCents),
    ).toEqual([334, 334, 333]);
  });

  it('counts a contact without a deal as a non-conversion in every currency, and no game without a conversion', () => {
    const period = new PeriodAttribution({ models: ['markov'], markovOrder: 1 });
    period.addDeal({ currency: 'EUR', converted: true, valueCents: 100, path: [touch(1, 1, 'a')] });
    period.addDeal({ currency: 'USD', converted: true, valueCents: 100, path: [touch(2, 1, 'a')] });
    period.addDeal({ currency: 'GBP', converted: false, valueCents: 0, path: [touch(3, 1, 'a')] });
    period.addContact([touch(4, 1, 'b')]);
    period.addContact([touch(5, 2, 'b')]);
    const channel = period.results().filter((r) => r.dimension === 'channel');
    expect([...new Set(channel.map((r) => r.currency))]).toEqual(['EUR', 'USD']);
    for (const row of channel) expect(row).toMatchObject({ converting: 1, nonConverting: 2 });
    expect(() => period.results()).toThrow('a period is solved once');
  });

  it('refuses a bad Markov order and a bad amount', () => {
    expect(() => new PeriodAttribution({ models: ['markov'], markovOrder: 5 })).toThrow(RangeError);
    const period = new PeriodAttribution({ models: ['markov'], markovOrder: 1 });
    expect(() =>
      period.addDeal({
        currency: 'EUR',
        converted: true,
        valueCents: 1.5,
        path: [touch(1, 1, 'a')],
      }),
    ).toThrow(/whole non-negative cents/);
  });
});
