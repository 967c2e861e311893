import { createRateBudget } from '../../server/hubspot/rate-budget';

/** A clock that only moves when the budget sleeps, so the test sees exactly when each request was let through. */
function fakeTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('rate budget', () => {
  it('never lets more than the budget through in any 10-second window, with slack for arrival', async () => {
    const time = fakeTime();
    const budget = createRateBudget({ requestsPerWindow: 10, ...time });
    const sentAt: number[] = [];
    await Promise.all(
      Array.from({ length: 35 }, async () => {
        await budget.take(1);
        sentAt.push(time.now());
      }),
    );
    expect(sentAt).toHaveLength(35);
    for (const start of sentAt) {
      // Requests arriving up to 250 ms late still fall into a window of at most 10.
      expect(sentAt.filter((at) => at >= start && at < start + 10_250).length).toBeLessThanOrEqual(
        10,
      );
    }
    expect(Math.max(...sentAt)).toBeGreaterThanOrEqual(30_000);
  });

  it('keeps portals apart', async () => {
    const time = fakeTime();
    const budget = createRateBudget({ requestsPerWindow: 2, ...time });
    await budget.take(1);
    await budget.take(1);
    await budget.take(2);
    expect(time.now()).toBe(0);
  });

  it('honours a pause asked for by a 429', async () => {
    const time = fakeTime();
    const budget = createRateBudget({ requestsPerWindow: 100, ...time });
    budget.pauseUntil(7, 10_000);
    await budget.take(7);
    expect(time.now()).toBe(10_000);
  });
});
