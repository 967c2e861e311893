import type { Command } from 'commander';

import { KeyringError, parseKeyring } from '../security/token-cipher';
import { EXIT_USAGE, loadRuntime } from './runtime';

/** `truce keys rotate`: re-seal stored OAuth tokens under the first key of TRUCE_ENCRYPTION_KEY. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the keys that seal OAuth tokens at rest');
  keys
    .command('rotate')
    .description(
      're-seal every stored token with the first key of TRUCE_ENCRYPTION_KEY (list the old keys after it until this is done)',
    )
    .action(async () => {
      const { config } = loadRuntime();
      const raw = process.env.TRUCE_ENCRYPTION_KEY;
      if (!raw) {
        process.stderr.write('truce keys rotate: TRUCE_ENCRYPTION_KEY is not set\n');
        process.exitCode = EXIT_USAGE;
        return;
      }
      const keyring = parseKeyring(raw);
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const { rotateTokenKeys } = await import('../oauth/rotate-keys');
      const database = openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        const result = await rotateTokenKeys(database.db, keyring);
        process.stdout.write(
          `${result.resealed} of ${result.total} token row(s) re-sealed with key ${keyring.currentKeyId}; ${result.alreadyCurrent} already current` +
            (result.raced > 0 ? `; ${result.raced} changed meanwhile, run again` : '') +
            '\n',
        );
      } catch (error) {
        if (!(error instanceof KeyringError)) throw error;
        process.stderr.write(`truce keys rotate: ${error.message}\n`);
        process.exitCode = EXIT_USAGE;
      } finally {
        await database.close();
      }
    });
}
