import type { Config } from '../../server/config';
import type { Dialect } from '../../server/db/database';
import { createLogger } from '../../server/logger';
import { type RunningService, startService, type StartServiceOptions } from '../../server/service';
import { createTestDatabase, type TestDatabase } from './database';

export interface TestService {
  readonly service: RunningService;
  readonly database: TestDatabase;
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/** Starts the real service on port 0 over a fresh database of the given dialect. */
export async function startTestService(
  config: Config,
  dialect: Dialect = 'sqlite',
  options: Omit<StartServiceOptions, 'database'> = {},
): Promise<TestService> {
  const database = await createTestDatabase(dialect, { migrate: false });
  const service = await startService(config, createLogger('silent'), { ...options, database });
  return {
    service,
    database,
    baseUrl: `http://127.0.0.1:${service.port}`,
    stop: async () => {
      await service.close();
      await database.destroy().catch(() => undefined);
    },
  };
}
