import type { Kysely, Migration } from 'kysely';

/** Portals: the HubSpot accounts Truce serves. Every other table carries `portal_id`. */
export const portalMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('portal')
      .addColumn('portal_id', 'bigint', (col) => col.primaryKey())
      .addColumn('name', 'text')
      .addColumn('auth_type', 'text', (col) => col.notNull().defaultTo('static'))
      .addColumn('status', 'text', (col) => col.notNull().defaultTo('active'))
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('portal').execute();
  },
};
