import type { Command } from 'commander';

import type { DatabaseHandle } from '../db/database';
import { EXIT_USAGE, loadRuntime } from './runtime';

/**
 * `truce portal list|deactivate|purge`: the accounts this service serves. Purge deletes every row of a
 * deactivated portal once its retention period has passed, first revoking its refresh token at HubSpot (OAuth
 * mode); `--dry-run` lists what would go.
 */
export function registerPortal(program: Command): void {
  const portal = program.command('portal').description('the HubSpot accounts this service serves');

  portal
    .command('list')
    .description('every portal with its auth type and status')
    .action(async () => {
      await withDatabase(async (db) => {
        const { listPortals } = await import('../portals/portal.repository');
        const rows = await listPortals(db);
        if (rows.length === 0) {
          process.stdout.write('no portals\n');
          return;
        }
        process.stdout.write('portal\tname\tauth\tstatus\tdeactivated\treason\n');
        for (const row of rows)
          process.stdout.write(
            [
              row.portalId,
              row.name ?? '-',
              row.authType,
              row.status,
              row.deactivatedAt === null ? '-' : new Date(row.deactivatedAt).toISOString(),
              row.statusReason ?? '-',
            ].join('\t') + '\n',
          );
      });
    });

  portal
    .command('deactivate')
    .description(
      'take a portal out of service (e.g. after it uninstalled the app); its data stays until purge',
    )
    .argument('<portalId>', 'HubSpot portal (hub) id')
    .option('--reason <text>', 'why, kept with the portal', 'deactivated by an operator')
    .action(async (raw: string, options: { reason: string }) => {
      const portalId = parsePortalId(raw);
      if (portalId === undefined) return;
      await withDatabase(async (db) => {
        const { deactivatePortal } = await import('../portals/portal.repository');
        const changed = await deactivatePortal(
          db,
          portalId,
          'inactive',
          options.reason,
          Date.now(),
        );
        process.stdout.write(
          changed
            ? `portal ${portalId} deactivated; purge possible after the retention period\n`
            : `portal ${portalId} is not active (or not known); nothing changed\n`,
        );
      });
    });

  portal
    .command('purge')
    .description('delete every row of a deactivated portal after the retention period')
    .argument('<portalId>', 'HubSpot portal (hub) id')
    .option('--dry-run', 'list the tables and row counts that would be deleted, delete nothing')
    .action(async (raw: string, options: { dryRun?: boolean }) => {
      const portalId = parsePortalId(raw);
      if (portalId === undefined) return;
      const { config } = loadRuntime();
      await withDatabase(async (db) => {
        const { executePortalPurge, planPortalPurge, PurgeRefused } =
          await import('../portals/portal-purge');
        let plan;
        try {
          plan = await planPortalPurge(db, portalId, {
            now: Date.now(),
            retentionDays: config.settings.oauth.purgeRetentionDays,
          });
        } catch (error) {
          if (!(error instanceof PurgeRefused)) throw error;
          process.stderr.write(`truce portal purge: ${error.message}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        for (const { table, rows } of plan.tables)
          process.stdout.write(
            `${options.dryRun ? 'would delete' : 'deleting'}\t${table}\t${rows}\n`,
          );
        if (options.dryRun) {
          process.stdout.write(`dry run: nothing deleted for portal ${portalId}\n`);
          return;
        }
        const oauthSettings = config.hubspot.oauth;
        if (oauthSettings) {
          const [{ parseKeyring }, { createHubSpotOAuth }, { revokePortalToken }] =
            await Promise.all([
              import('../security/token-cipher'),
              import('../oauth/hubspot-oauth'),
              import('../oauth/revoke-portal-token'),
            ]);
          const revoked = await revokePortalToken(
            db,
            parseKeyring(oauthSettings.encryptionKey),
            createHubSpotOAuth({
              clientId: oauthSettings.clientId,
              clientSecret: oauthSettings.clientSecret,
              redirectUri: oauthSettings.redirectUri,
              apiBase: config.hubspot.apiBase,
            }),
            portalId,
          );
          if (revoked.outcome === 'revoked')
            process.stdout.write(`revoked portal ${portalId}'s refresh token at HubSpot\n`);
          else if (revoked.outcome === 'not revoked')
            process.stderr.write(
              `truce portal purge: portal ${portalId}'s refresh token was not revoked (${revoked.reason}); purging anyway, uninstall the app in that HubSpot account if it is still connected\n`,
            );
        }
        const deleted = await executePortalPurge(db, plan);
        process.stdout.write(`purged portal ${portalId}: ${deleted} row(s) deleted\n`);
      });
    });
}

function parsePortalId(raw: string): number | undefined {
  const portalId = Number(raw);
  if (/^\d{1,15}$/.test(raw) && Number.isSafeInteger(portalId) && portalId > 0) return portalId;
  process.stderr.write(`truce portal: "${raw}" is not a HubSpot portal id (a positive integer)\n`);
  process.exitCode = EXIT_USAGE;
  return undefined;
}

/** The database drivers load on use, so `truce --help` and other commands start without them. */
async function withDatabase(run: (db: DatabaseHandle['db']) => Promise<void>): Promise<void> {
  const { config } = loadRuntime();
  const { openDatabase } = await import('../db/database');
  const { migrateToLatest } = await import('../db/migrate');
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    await run(database.db);
  } finally {
    await database.close();
  }
}
