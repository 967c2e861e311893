import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import type { Command } from 'commander';

import { EXIT_USAGE, loadRuntime } from './runtime';

/**
 * `truce replay FILE`: recorded webhook batches (JSON lines, one batch per line) through the same validation,
 * portal check and inbox as live ones, for backfills and incident recovery. Signatures are not checked: the
 * operator vouches for the file. Redelivered events are skipped as duplicates, so replaying twice is safe.
 */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('feed recorded webhook batches (JSON lines, one batch per line) into the inbox')
    .argument('<file>', 'JSON lines file; blank lines are skipped')
    .action(async (file: string) => {
      const { config } = loadRuntime();
      // Database drivers and the intake load on use, so other commands start without them.
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const { registerStaticPortal } = await import('../portals/portal.repository');
      const { parseWebhookBatch, storeWebhookBatch } = await import('../webhooks/webhook-intake');
      const database = openDatabase(config.database);
      const counts = { lines: 0, batches: 0, events: 0, stored: 0, duplicates: 0 };
      const bad: string[] = [];
      try {
        await migrateToLatest(database.db);
        if (config.hubspot.portalId !== undefined) {
          await registerStaticPortal(database.db, config.hubspot.portalId, Date.now());
        }
        const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
        for await (const line of lines) {
          counts.lines += 1;
          if (line.trim() === '') continue;
          try {
            const result = await storeWebhookBatch(database, parseWebhookBatch(line), Date.now());
            counts.batches += 1;
            counts.events += result.events;
            counts.stored += result.stored;
            counts.duplicates += result.duplicates;
          } catch (error) {
            bad.push(
              `line ${counts.lines}: ${(error as { message?: string }).message ?? String(error)}`,
            );
          }
        }
      } finally {
        await database.close();
      }
      process.stdout.write(
        `replayed ${counts.batches} batch(es), ${counts.events} event(s): ${counts.stored} stored, ` +
          `${counts.duplicates} already in the inbox; ${bad.length} bad line(s)\n`,
      );
      for (const problem of bad) process.stderr.write(`${problem}\n`);
      if (counts.stored > 0) {
        process.stdout.write(
          'the running service processes the stored events (or the next `truce serve`)\n',
        );
      }
      if (bad.length > 0) process.exitCode = EXIT_USAGE;
    });
}
