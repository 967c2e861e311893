import type { Command } from 'commander';

import { loadRuntime } from './runtime';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the Truce service (migrates the database first)')
    .action(async () => {
      const { config, logger } = loadRuntime();
      // The service (Express, the database drivers, the HubSpot client) loads only for this command.
      const { startService } = await import('../service');
      const service = await startService(config, logger);
      let signals = 0;
      const shutdown = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          logger.warn(`second ${signal}: exiting immediately`);
          process.exit(1);
        }
        logger.info(`${signal} received: shutting down`);
        service.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
    });
}
