import type { Migration } from 'kysely';

import { portalMigration } from './0001-portal';
import { webhookEventMigration } from './0002-webhook-event';
import { crmObjectMigration } from './0003-crm-object';
import { hubspotOutboxMigration } from './0010-hubspot-outbox';
import { handoffMigration } from './0011-handoff';
import { attributionMigration } from './0020-attribution';
import { periodCloseMigration } from './0021-period-close';
import { backfillMigration } from './0030-backfill';
import { periodAttributionMigration } from './0040-period-attribution';
import { dealPricingMigration } from './0050-deal-pricing';
import { outboxWriteTargetMigration } from './0080-outbox-write-target';
import { portalOAuthMigration } from './0090-portal-oauth';
import { webhookEventContactChangesMigration } from './0100-webhook-event-contact-changes';

/**
 * Every migration, in order. One list for SQLite and PostgreSQL: migrations use only the schema builder's
 * portable types (`bigint`, `text`, `integer`, `boolean` stored as integer) so both dialects run them as-is.
 * Names sort lexically, so keep the four-digit prefix.
 */
export const migrations: Record<string, Migration> = {
  '0001-portal': portalMigration,
  '0002-webhook-event': webhookEventMigration,
  '0003-crm-object': crmObjectMigration,
  '0010-hubspot-outbox': hubspotOutboxMigration,
  '0011-handoff': handoffMigration,
  '0020-attribution': attributionMigration,
  '0021-period-close': periodCloseMigration,
  '0030-backfill': backfillMigration,
  '0040-period-attribution': periodAttributionMigration,
  '0050-deal-pricing': dealPricingMigration,
  '0080-outbox-write-target': outboxWriteTargetMigration,
  '0090-portal-oauth': portalOAuthMigration,
  '0100-webhook-event-contact-changes': webhookEventContactChangesMigration,
};
