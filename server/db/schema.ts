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

export interface Database {
  portal: PortalTable;
  hubspot_outbox: HubSpotOutboxTable;
}
