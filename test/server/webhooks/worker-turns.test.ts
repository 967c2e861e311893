import { IntakeActivity } from '../../../server/webhooks/intake-activity';
import { intakePauseMs, MAX_TURN_MS, WorkerTurns } from '../../../server/webhooks/worker-turns';

/**
 * A simulated event loop: `work(ms)` is the worker's own time; stepping aside lets intake's requests run for
 * `intakeTurnMs` (one turn of I/O), then `sleep` passes time while intake may finish.
 */
function simulation(options: { share: number; intakeTurnMs: number; inFlight: boolean }) {
  let now = 0;
  let steppedAside = 0;
  const activity = new IntakeActivity();
  let end = options.inFlight ? activity.begin() : () => undefined;
  const turns = new WorkerTurns({
    activity,
    share: options.share,
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    nextTurnOfTheLoop: async () => {
      steppedAside += 1;
      now += options.intakeTurnMs;
    },
  });
  return {
    turns,
    work: (ms: number) => {
      now += ms;
    },
    now: () => now,
    steppedAside: () => steppedAside,
    intakeIdle: () => end(),
    intakeBusy: () => {
      end = activity.begin();
    },
  };
}

describe('WorkerTurns (the worker and intake share one event loop)', () => {
  it('without requests in flight only lets pending I/O run, after every unit of work', async () => {
    const sim = simulation({ share: 0.5, intakeTurnMs: 0, inFlight: false });
    for (let i = 0; i < 3; i += 1) {
      sim.work(5);
      await sim.turns.between();
    }
    expect(sim.steppedAside()).toBe(3);
    expect(sim.now()).toBe(15);
  });

  it('under a flood keeps its share: works on after intake had a long turn, then steps aside again', async () => {
    const sim = simulation({ share: 0.5, intakeTurnMs: 20, inFlight: true });
    sim.work(2);
    await sim.turns.between(); // steps aside: intake runs 20 ms
    expect(sim.steppedAside()).toBe(1);
    const back = sim.now();
    expect(back).toBe(22);
    // Its turn is now as long as intake's was (share 0.5): nine 2-ms slices go on without stepping aside…
    for (let i = 0; i < 9; i += 1) {
      sim.work(2);
      await sim.turns.between();
    }
    expect(sim.steppedAside()).toBe(1);
    // …and the tenth ends the turn: over the cycle, the worker had 22 of 42 ms.
    sim.work(2);
    expect((2 + 10 * 2) / sim.now()).toBeCloseTo(0.5, 1);
    await sim.turns.between();
    expect(sim.steppedAside()).toBe(2);
  });

  it('gives intake its share even when intake’s own turns are short, by pausing while requests are in flight', async () => {
    const sim = simulation({ share: 0.25, intakeTurnMs: 0, inFlight: true });
    sim.work(4);
    await sim.turns.between();
    // 4 ms of work at share 0.25: intake is owed 12 ms.
    expect(sim.now()).toBe(16);
  });

  it('ends the pause as soon as no request is in flight, and then carries on without a turn limit', async () => {
    const sim = simulation({ share: 0.25, intakeTurnMs: 0, inFlight: true });
    sim.work(4);
    sim.intakeIdle();
    await sim.turns.between();
    expect(sim.now()).toBe(4);
    sim.work(1);
    await sim.turns.between();
    expect(sim.steppedAside()).toBe(2);
  });

  it(`never keeps the loop longer than ${MAX_TURN_MS} ms at once while requests wait`, async () => {
    const sim = simulation({ share: 0.9, intakeTurnMs: 100, inFlight: true });
    sim.work(1);
    await sim.turns.between();
    const back = sim.now();
    let worked = 0;
    while (sim.steppedAside() === 1) {
      sim.work(1);
      worked += 1;
      await sim.turns.between();
    }
    expect(worked).toBe(MAX_TURN_MS);
    // It stepped aside once, after 1 ms of work, for intake's 100-ms turn.
    expect(back).toBe(101);
  });
});

describe('intakePauseMs', () => {
  it.each([
    { label: 'half the time each', busy: 10, share: 0.5, pause: 10 },
    { label: 'worker a quarter', busy: 5, share: 0.25, pause: 15 },
    { label: 'worker three quarters', busy: 30, share: 0.75, pause: 10 },
    { label: 'no work, no pause', busy: 0, share: 0.5, pause: 0 },
    { label: 'capped', busy: 1_000, share: 0.5, pause: MAX_TURN_MS },
  ])(
    '$label: $busy ms of work at share $share → $pause ms for intake',
    ({ busy, share, pause }) => {
      expect(intakePauseMs(busy, share)).toBeCloseTo(pause, 6);
    },
  );
});
