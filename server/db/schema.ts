/**
 * Table shapes as Kysely sees them. Times are integer milliseconds since the epoch and money is integer
 * cents on both dialects, so SQLite and PostgreSQL return identical values.
 */

import type { Generated } from 'kysely';

export interface PortalTable {
  portal_id: number;
  name: string | null;
  auth_type: 'static' | 'oauth';
  status: 'active' | 'inactive' | 'needs_reinstall';
  created_at: number;
  updated_at: number;
}

export type OutboxStatus = 'pending' | 'done' | 'dead';

export interface HubSpotOutboxTable {
  id: Generated<number>;
  portal_id: number;
  idempotency_key: string;
  operation: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  claimed_by: string | null;
  last_error: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
}

export type WebhookEventStatus = 'pending' | 'done' | 'failed' | 'dead';

export interface WebhookEventTable {
  id: Generated<number>;
  portal_id: number;
  subscription_id: number;
  event_id: number;
  occurred_at: number;
  object_id: number;
  /** '' when the event has no property (creation, deletion, association). */
  property_name: string;
  subscription_type: string;
  /** contact, deal, company, … or the raw prefix for types Truce does not know. */
  object_type: string;
  /** propertyChange, creation, deletion, associationChange, merge, restore, … */
  change: string;
  /** The event exactly as validated (unknown fields kept), for replay and audit. */
  payload: string;
  status: WebhookEventStatus;
  /** applied, stale (older than the state it would change) or ignored (no handler). */
  outcome: string | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  received_at: number;
  processed_at: number | null;
  claimed_by: string | null;
  claim_expires_at: number | null;
}

export interface ContactTable {
  portal_id: number;
  contact_id: number;
  lifecyclestage: string | null;
  lifecyclestage_at: number | null;
  hs_lead_status: string | null;
  hs_lead_status_at: number | null;
  hubspot_owner_id: string | null;
  hubspot_owner_id_at: number | null;
  created_at: number | null;
  deleted: number;
  existence_at: number | null;
  updated_at: number;
}

export interface DealTable {
  portal_id: number;
  deal_id: number;
  dealstage: string | null;
  dealstage_at: number | null;
  amount_cents: number | null;
  amount_cents_at: number | null;
  closedate: number | null;
  closedate_at: number | null;
  pipeline: string | null;
  pipeline_at: number | null;
  deal_currency_code: string | null;
  deal_currency_code_at: number | null;
  hubspot_owner_id: string | null;
  hubspot_owner_id_at: number | null;
  created_at: number | null;
  deleted: number;
  existence_at: number | null;
  updated_at: number;
}

export interface DealContactTable {
  portal_id: number;
  deal_id: number;
  contact_id: number;
  /** 1 while associated; 0 after a removal (kept so a late "added" event cannot resurrect it). */
  associated: number;
  changed_at: number;
  updated_at: number;
}

export interface Database {
  portal: PortalTable;
  webhook_event: WebhookEventTable;
  contact: ContactTable;
  deal: DealTable;
  deal_contact: DealContactTable;
  hubspot_outbox: HubSpotOutboxTable;
}

export interface Database {
  portal: PortalTable;
  hubspot_outbox: HubSpotOutboxTable;
}
