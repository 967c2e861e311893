import { pollingTask } from '../../../server/handoff/polling-task';
import { createLogger } from '../../../server/logger';

describe('pollingTask', () => {
  it('never runs two iterations side by side: a wake during one runs the next right after it', async () => {
    let running = 0;
    let maxRunning = 0;
    let iterations = 0;
    let release: (() => void) | undefined;
    const task = pollingTask({
      name: 'test',
      pollIntervalMs: 60_000,
      logger: createLogger('silent'),
      iterate: async () => {
        running += 1;
        iterations += 1;
        maxRunning = Math.max(maxRunning, running);
        // The first iteration hangs like a slow HubSpot call until released.
        if (iterations === 1) await new Promise<void>((resolve) => (release = resolve));
        running -= 1;
        return false;
      },
    });
    task.start();
    while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
    // Regression: each wake used to start another iteration beside the hanging one, which claimed again the
    // outbox rows whose lease had run out and delivered them (tasks in HubSpot) twice.
    task.wake();
    task.wake();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(iterations).toBe(1);
    release();
    for (let i = 0; i < 100 && iterations < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 1));
    await task.stop();
    expect(iterations).toBe(2);
    expect(maxRunning).toBe(1);
  });
});
