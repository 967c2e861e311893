import type { Kysely, Migration } from 'kysely';

/**
 * OAuth installs: each portal's tokens, sealed with TRUCE_ENCRYPTION_KEY (server/security/token-cipher.ts), and
 * the refresh lease that keeps replicas from refreshing one portal's token at the same time. `portal` learns
 * when and why it was deactivated, which starts the purge retention clock.
 */
export const portalOAuthMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('portal_token')
      .addColumn('portal_id', 'bigint', (col) => col.primaryKey())
      .addColumn('key_id', 'text', (col) => col.notNull())
      .addColumn('refresh_token_sealed', 'text', (col) => col.notNull())
      .addColumn('access_token_sealed', 'text', (col) => col.notNull())
      .addColumn('access_expires_at', 'bigint', (col) => col.notNull())
      .addColumn('scopes', 'text', (col) => col.notNull())
      .addColumn('hub_domain', 'text')
      .addColumn('installed_by', 'text')
      .addColumn('refresh_lease_until', 'bigint')
      .addColumn('refresh_lease_owner', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.alterTable('portal').addColumn('deactivated_at', 'bigint').execute();
    await db.schema.alterTable('portal').addColumn('status_reason', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('portal').dropColumn('status_reason').execute();
    await db.schema.alterTable('portal').dropColumn('deactivated_at').execute();
    await db.schema.dropTable('portal_token').execute();
  },
};
