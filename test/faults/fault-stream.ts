import { postWebhook } from '../helpers/webhooks';

/** The stage every contact must end with once all `count` events were applied. */
export function expectedStages(count: number, contacts: number): Map<number, string> {
  const stages = new Map<number, string>();
  for (let i = 0; i < count; i += 1) stages.set(1 + (i % contacts), `stage-${i}`);
  return stages;
}

export interface DeliveryOutcome {
  /** Batches answered 2xx: the service promised to process them. */
  readonly acknowledged: number[];
  /** Batches answered otherwise or not at all; HubSpot would redeliver them. */
  readonly refused: { readonly index: number; readonly status: number }[];
}

/**
 * Posts the batches with at most `inFlight` open, as HubSpot does, and records which ones were acknowledged.
 * A connection error (the process died) counts as refused, never as acknowledged.
 */
export async function deliverTracked(
  baseUrl: () => string,
  batches: readonly unknown[][],
  indexes: readonly number[],
  inFlight = 10,
  beforeEach?: (index: number) => Promise<void> | void,
): Promise<DeliveryOutcome> {
  const acknowledged: number[] = [];
  const refused: { index: number; status: number }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < indexes.length) {
      const index = indexes[next++]!;
      await beforeEach?.(index);
      try {
        const response = await postWebhook(baseUrl(), batches[index]!, { timestamp: Date.now() });
        await response.arrayBuffer();
        if (response.status >= 200 && response.status < 300) acknowledged.push(index);
        else refused.push({ index, status: response.status });
      } catch {
        refused.push({ index, status: 0 });
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { acknowledged, refused };
}

export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not reachable yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Prints a result line that RELIABILITY.md copies; stdout so it shows in CI logs. */
export function report(line: string): void {
  process.stdout.write(`[faults] ${line}\n`);
}
