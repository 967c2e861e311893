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

export interface Database {
  portal: PortalTable;
}

/** Auto-generated ids, re-exported so repositories name them the same way. */
export type Id = Generated<number>;
