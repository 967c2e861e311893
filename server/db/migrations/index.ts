import type { Migration } from 'kysely';

import { portalMigration } from './0001-portal';
import { hubspotOutboxMigration } from './0010-hubspot-outbox';

/**
 * Every migration, in order. One list for SQLite and PostgreSQL: migrations use only the schema builder's
 * portable types (`bigint`, `text`, `integer`, `boolean` stored as integer) so both dialects run them as-is.
 * Names sort lexically, so keep the four-digit prefix.
 */
export const migrations: Record<string, Migration> = {
  '0001-portal': portalMigration,
  '0010-hubspot-outbox': hubspotOutboxMigration,
};
