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
  /** When the portal stopped being active (uninstall, revoked token); purge counts its retention from here. */
  deactivated_at: number | null;
  status_reason: string | null;
}

/** An OAuth install's tokens, sealed (AES-256-GCM) with the key named by `key_id`. */
export interface PortalTokenTable {
  portal_id: number;
  key_id: string;
  refresh_token_sealed: string;
  access_token_sealed: string;
  access_expires_at: number;
  /** Space-separated scopes granted at install. */
  scopes: string;
  hub_domain: string | null;
  installed_by: string | null;
  refresh_lease_until: number | null;
  refresh_lease_owner: string | null;
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
  /** `contact:501` for a property write: writes to one record are delivered in queue order (null: any order). */
  target: string | null;
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
  dealname: string | null;
  dealname_at: number | null;
  /** Gross (list) value in cents from the deal's line items or list-price property; null until read. */
  list_price_cents: number | null;
  /** The part of the discount the line items carry themselves. */
  line_discount_cents: number | null;
  /** line_items, list_price or none (src/reports/price-realisation.ts). */
  price_source: string | null;
  price_read_at: number | null;
}

export interface DealContactTable {
  portal_id: number;
  deal_id: number;
  contact_id: number;
  /** 1 while associated; 0 after a removal (kept so a late "added" event cannot resurrect it). */
  associated: number;
  changed_at: number;
  updated_at: number;
  /** JSON array of the pair's association labels ("Decision maker"); null until read from HubSpot. */
  role_labels: string | null;
}

/** `scoring` waits for the worker; the rest are the state machine's statuses (src/handoff/handoff-state.ts). */
export type HandoffRowStatus =
  'scoring' | 'pending' | 'accepted' | 'rejected' | 'breached' | 'converted' | 'recycled';

export interface HandoffTable {
  id: Generated<number>;
  portal_id: number;
  contact_id: number;
  /** 1 for the contact's first MQL, 2 after it re-qualified, … */
  episode: number;
  status: HandoffRowStatus;
  /** When the contact became an MQL (the webhook's occurredAt). */
  trigger_at: number;
  scoring_attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  claimed_by: string | null;
  last_error: string | null;
  scored_at: number | null;
  score: number | null;
  grade: string | null;
  /** The full HandoffScore as JSON: every point with its reason. */
  explanation: string | null;
  owner_id: string | null;
  assignment_reason: string | null;
  assigned_at: number | null;
  sla_due_at: number | null;
  sla_reminder_at: number | null;
  reminder_sent_at: number | null;
  breached_at: number | null;
  escalated_at: number | null;
  first_touch_at: number | null;
  first_touch_source: string | null;
  decision: 'accepted' | 'rejected' | null;
  reason_code: string | null;
  note: string | null;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: number | null;
  sql_at: number | null;
  closed_at: number | null;
  /** The lifecycle stage Truce wrote on a decision, so its echo is not read as a rep's change. */
  written_stage: string | null;
  source: string | null;
  campaign: string | null;
  created_at: number;
  updated_at: number;
}

export interface HandoffHistoryTable {
  id: Generated<number>;
  portal_id: number;
  handoff_id: number;
  event: string;
  from_status: string | null;
  to_status: string;
  /** truce, hubspot, or the HubSpot user who decided. */
  actor: string;
  detail: string | null;
  at: number;
}

export interface RoutingCounterTable {
  portal_id: number;
  pool: string;
  owner_id: string;
  current: number;
  updated_at: number;
}

export interface Database {
  portal: PortalTable;
  portal_token: PortalTokenTable;
  webhook_event: WebhookEventTable;
  contact: ContactTable;
  deal: DealTable;
  deal_contact: DealContactTable;
  hubspot_outbox: HubSpotOutboxTable;
  handoff: HandoffTable;
  handoff_history: HandoffHistoryTable;
  routing_counter: RoutingCounterTable;
  touchpoint: TouchpointTable;
  attribution_job: AttributionJobTable;
  deal_attribution_state: DealAttributionStateTable;
  attribution_credit: AttributionCreditTable;
  campaign_spend: CampaignSpendTable;
  period_close: PeriodCloseTable;
  period_snapshot: PeriodSnapshotTable;
  backfill_cursor: BackfillCursorTable;
  campaign_asset: CampaignAssetTable;
  period_attribution: PeriodAttributionTable;
}

export interface TouchpointTable {
  id: Generated<number>;
  portal_id: number;
  contact_id: number;
  at: number;
  kind: string;
  channel: string;
  campaign: string | null;
  matched_rule: string;
  /** JSON object of the source fields as read. */
  raw_source: string;
  cost_cents: number | null;
  cost_currency: string | null;
  note: string | null;
  /** history (read from HubSpot) or offline (the touchpoint API). */
  origin: string;
  idempotency_key: string;
  created_at: number;
  updated_at: number;
}

export type AttributionJobKind = 'contact_touches' | 'deal';

export interface AttributionJobTable {
  id: Generated<number>;
  portal_id: number;
  kind: AttributionJobKind;
  object_id: number;
  /** Bumped by every request; a worker deletes the job only if nobody asked again while it worked. */
  version: number;
  due_at: number;
  attempts: number;
  claimed_until: number | null;
  claimed_by: string | null;
  last_error: string | null;
  created_at: number;
}

export interface DealAttributionStateTable {
  portal_id: number;
  deal_id: number;
  /** attributed, not_won, no_touches, deleted */
  status: string;
  inputs_hash: string;
  amount_cents: number | null;
  currency: string | null;
  closed_at: number | null;
  contacts: number;
  touches: number;
  computed_at: number;
  /** JSON of the deal properties last enqueued for write-back; null when none was. */
  written_back: string | null;
}

export interface AttributionCreditTable {
  id: Generated<number>;
  portal_id: number;
  deal_id: number;
  model: string;
  touchpoint_id: number | null;
  contact_id: number | null;
  campaign: string | null;
  channel: string;
  currency: string;
  gross_cents: number;
  discount_cents: number;
  net_cents: number;
  closed_at: number;
  period: string;
  computed_at: number;
}

export interface CampaignSpendTable {
  id: Generated<number>;
  portal_id: number;
  campaign: string;
  period: string;
  period_start: number;
  period_end: number;
  currency: string;
  cents: number;
  source: string;
  updated_at: number;
}

export interface PeriodCloseTable {
  portal_id: number;
  period: string;
  period_start: number;
  period_end: number;
  closed_at: number;
}

export interface PeriodSnapshotTable {
  portal_id: number;
  period: string;
  deal_id: number;
  model: string;
  currency: string;
  amount_cents: number;
  /** JSON object: net cents per campaign (key '' = no campaign) at the close. */
  credits: string;
}

/** Where `truce backfill` stands per portal and stage (see server/backfill). */
export interface BackfillCursorTable {
  portal_id: number;
  stage: string;
  /** The stage's own resume point (HubSpot's `after`, an offset, or asset|after); null: start. */
  cursor: string | null;
  done: number;
  pages: number;
  items: number;
  updated_at: number;
}

/** Which campaign a form or marketing email belongs to, read from the campaign's assets. */
export interface CampaignAssetTable {
  portal_id: number;
  asset_type: string;
  asset_id: string;
  campaign_guid: string;
  campaign_name: string;
  updated_at: number;
}

/** Markov and Shapley credit per quarter over stored journeys (see server/attribution/period-attribution). */
export interface PeriodAttributionTable {
  portal_id: number;
  period: string;
  period_start: number;
  period_end: number;
  /** markov, shapley or shapley_rate */
  model: string;
  /** campaign or channel */
  dimension: string;
  currency: string;
  /** Campaign or channel; '' = no campaign. */
  key: string;
  conversions: number;
  value_cents: number;
  removal_effect: number | null;
  deals: number;
  converting: number;
  non_converting: number;
  computed_at: number;
}
