import { attributionBenchmark } from './attribution.bench';
import { cardApiBenchmark } from './card-api.bench';
import { dealAttributionBenchmark } from './deal-attribution.bench';
import { exportBenchmark } from './export.bench';
import { inboxPruneBenchmark } from './inbox-prune.bench';
import { intakeBenchmark } from './intake.bench';
import { recomputeBenchmark } from './recompute.bench';
import { sandboxBenchmark } from './sandbox.bench';
import { scoringBenchmark } from './scoring.bench';
import { serviceExportBenchmark } from './service-export.bench';
import { soakBenchmark } from './soak.bench';
import { storageBenchmark } from './storage.bench';
import { webhookDrainBenchmark } from './webhook-drain.bench';

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(print: (line: string) => void): Promise<void>;
}

/** Every benchmark `npm run bench` knows; each capability adds its own module here. */
export const benchmarks: Benchmark[] = [
  storageBenchmark,
  attributionBenchmark,
  scoringBenchmark,
  intakeBenchmark,
  sandboxBenchmark,
  exportBenchmark,
  dealAttributionBenchmark,
  cardApiBenchmark,
  soakBenchmark,
  webhookDrainBenchmark,
  recomputeBenchmark,
  serviceExportBenchmark,
  inboxPruneBenchmark,
];
