import type { Command } from 'commander';

import { EXIT_USAGE, loadRuntime } from './runtime';

/**
 * `truce events --dead` lists events that exhausted their attempts; `truce events retry` requeues them;
 * `truce events prune` deletes processed events older than the retention (as the service does on its own).
 */
export function registerEvents(program: Command): void {
  const events = program
    .command('events')
    .description('inspect the webhook inbox')
    .option('--dead', 'list dead events (exhausted their processing attempts)')
    .option('--limit <n>', 'at most this many rows', (value) => Number.parseInt(value, 10), 100)
    .action(async (options: { dead?: boolean; limit: number }) => {
      if (!options.dead) {
        events.help({ error: true });
      }
      const { config } = loadRuntime();
      // Database drivers load on use, so other commands start without them.
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const { listEventsByStatus } = await import('../webhooks/webhook-event.repository');
      const database = openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        const rows = await listEventsByStatus(database.db, 'dead', options.limit);
        if (rows.length === 0) {
          process.stdout.write('no dead events\n');
          return;
        }
        process.stdout.write(
          'id\tportal\ttype\tobject\tproperty\toccurredAt\tattempts\tlast error\n',
        );
        for (const row of rows) {
          process.stdout.write(
            [
              row.id,
              row.portal_id,
              row.subscription_type,
              row.object_id,
              row.property_name || '-',
              new Date(Number(row.occurred_at)).toISOString(),
              row.attempts,
              (row.last_error ?? '').replace(/\s+/g, ' '),
            ].join('\t') + '\n',
          );
        }
      } finally {
        await database.close();
      }
    });

  events
    .command('retry')
    .description('requeue dead (or failed) events with a fresh attempt budget')
    .option('--id <id...>', 'event ids (from `truce events --dead`)')
    .option('--all', 'every dead and failed event')
    .action(async (options: { id?: string[]; all?: boolean }) => {
      const ids = (options.id ?? []).map((value) => Number(value));
      if (
        Boolean(options.all) === ids.length > 0 ||
        ids.some((id) => !Number.isSafeInteger(id) || id <= 0)
      ) {
        process.stderr.write(
          'truce events retry: give either --id <id...> (positive integers) or --all\n',
        );
        process.exitCode = EXIT_USAGE;
        return;
      }
      const { config } = loadRuntime();
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const { requeueEvents } = await import('../webhooks/webhook-event.repository');
      const database = openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        const count = await requeueEvents(
          database.db,
          options.all ? { all: true } : { ids },
          Date.now(),
        );
        process.stdout.write(`requeued ${count} event(s)\n`);
      } finally {
        await database.close();
      }
    });

  events
    .command('prune')
    .description(
      'delete processed events older than webhooks.retentionDays (dead and waiting events are kept)',
    )
    .option('--older-than <days>', 'days since processing (default: webhooks.retentionDays)')
    .option('--dry-run', 'only count what would be deleted')
    .action(async (options: { olderThan?: string; dryRun?: boolean }) => {
      const { config } = loadRuntime();
      const days =
        options.olderThan === undefined
          ? config.settings.webhooks.retentionDays
          : Number(options.olderThan);
      // The same floor as the setting: a younger event may still be redelivered by HubSpot (24 hours), and
      // the inbox is what recognises the redelivery.
      if (!Number.isFinite(days) || days < 2) {
        process.stderr.write(
          options.olderThan === undefined
            ? 'truce events prune: retention is off (webhooks.retentionDays: 0); give --older-than <days>\n'
            : 'truce events prune: --older-than takes a number of days, at least 2\n',
        );
        process.exitCode = EXIT_USAGE;
        return;
      }
      const { openDatabase } = await import('../db/database');
      const { migrateToLatest } = await import('../db/migrate');
      const { countPrunableEvents } = await import('../webhooks/webhook-event.repository');
      const { pruneInbox, retentionCutoff } = await import('../webhooks/inbox-retention');
      const database = openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        const before = retentionCutoff(Date.now(), days);
        if (options.dryRun) {
          const count = await countPrunableEvents(database.db, before);
          process.stdout.write(
            `would delete ${count} processed event(s) older than ${days} day(s)\n`,
          );
          return;
        }
        const { deleted } = await pruneInbox(database, { before });
        process.stdout.write(`deleted ${deleted} processed event(s) older than ${days} day(s)\n`);
      } finally {
        await database.close();
      }
    });
}
