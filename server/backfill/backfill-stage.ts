import type { Kysely } from 'kysely';

import type { ChannelRules } from '../../src/touchpoints/channel-classifier';
import type { Touch } from '../../src/touchpoints/touch';
import type { Settings } from '../config';
import type { Database } from '../db/schema';
import type { CampaignAssetRow } from './backfill-state.repository';
import type { HubSpotReader } from './hubspot-reader';

/** HubSpot's page size for CRM lists, batch reads (the maximum) and email events. */
export const PAGE = 100;
/** Asset rows Truce derives itself: one per send of a MARKETING_EMAIL, keyed by its `emailCampaignId`. */
export const EMAIL_SEND = 'EMAIL_SEND';

/** What every stage reader gets: the portal, the HubSpot reader, the database and the run's options. */
export interface StageContext {
  readonly db: Kysely<Database>;
  readonly reader: HubSpotReader;
  readonly settings: Pick<Settings, 'attribution' | 'touchpoints'>;
  readonly now: () => number;
  readonly portalId: number;
  readonly since: number | undefined;
  readonly dryRun: boolean;
  readonly rules: ChannelRules;
  /** Dry runs keep the asset map in memory instead of the database. */
  readonly dryAssets: CampaignAssetRow[];
}

/** One HubSpot page of a stage: what it read, and its writes (run with the cursor in one transaction). */
export interface PageResult {
  /** The stage's cursor after this page; null: the stage is complete. */
  readonly next: string | null;
  readonly items: number;
  readonly touches: readonly Touch[];
  /** Campaign spend figures the page stores (campaigns stage). */
  readonly spendFigures?: number;
  /** The page's writes, run in the transaction that also saves the cursor; returns touches written. */
  readonly write: (trx: Kysely<Database>, at: number) => Promise<number>;
}

/** Reads the page after `cursor` (null: the first) of one stage. */
export type StageReader = (context: StageContext, cursor: string | null) => Promise<PageResult>;

export function contactIdsOf(touches: readonly Touch[]): number[] {
  return [...new Set(touches.map((touch) => Number(touch.contactId)))];
}
