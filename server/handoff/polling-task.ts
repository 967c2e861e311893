import type { Logger } from '../logger';
import type { BackgroundTask } from '../service';

export interface PollingTask extends BackgroundTask {
  /** Runs the next iteration now instead of after the poll interval. */
  wake(): void;
}

/**
 * A background loop around one iteration: runs it again at once while it reports a full batch, otherwise
 * after the poll interval. Errors are logged and the loop keeps going; `stop` waits for the running iteration.
 */
export function pollingTask(options: {
  name: string;
  pollIntervalMs: number;
  logger: Logger;
  /** Returns true when there may be more work right away. */
  iterate: () => Promise<boolean>;
}): PollingTask {
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  // One iteration at a time: a wake during an iteration runs the next one right after it, never beside it.
  // Two iterations of one process side by side would claim again what the first still works on once its
  // lease has run out (a slow HubSpot, or a clock that jumps), and deliver it twice.
  let iterating = false;
  let wokenDuringIteration = false;

  function schedule(delay: number): void {
    if (!running) return;
    if (iterating) {
      if (delay === 0) wokenDuringIteration = true;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      iterating = true;
      wokenDuringIteration = false;
      current = options
        .iterate()
        .catch((error: unknown) => {
          options.logger.error({ err: error }, `${options.name} iteration failed`);
          return false;
        })
        .then((more) => {
          iterating = false;
          schedule(more || wokenDuringIteration ? 0 : options.pollIntervalMs);
        });
    }, delay);
    timer.unref?.();
  }

  return {
    name: options.name,
    wake: () => schedule(0),
    start() {
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await current.catch(() => undefined);
    },
  };
}
