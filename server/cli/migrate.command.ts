import type { Command } from 'commander';

import { loadRuntime } from './runtime';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const { config } = loadRuntime();
      // Database drivers load on use, so other commands start without them.
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const database = openDatabase(config.database);
      try {
        const applied = await migrateToLatest(database.db);
        process.stdout.write(
          applied.length > 0
            ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n`
            : 'database is up to date\n',
        );
      } finally {
        await database.close();
      }
    });
}
