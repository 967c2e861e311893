import type { Kysely, Transaction } from 'kysely';

import type { Database } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface StageCursor {
  readonly cursor: string | null;
  readonly done: boolean;
  readonly pages: number;
  readonly items: number;
}

const START: StageCursor = { cursor: null, done: false, pages: 0, items: 0 };

export async function readCursor(db: Db, portalId: number, stage: string): Promise<StageCursor> {
  const row = await db
    .selectFrom('backfill_cursor')
    .select(['cursor', 'done', 'pages', 'items'])
    .where('portal_id', '=', portalId)
    .where('stage', '=', stage)
    .executeTakeFirst();
  if (!row) return START;
  return {
    cursor: row.cursor,
    done: Number(row.done) === 1,
    pages: Number(row.pages),
    items: Number(row.items),
  };
}

/** Saved in the same transaction as the page's writes, so a crash never skips or half-applies a page. */
export async function saveCursor(
  db: Db,
  portalId: number,
  stage: string,
  cursor: StageCursor,
  now: number,
): Promise<void> {
  const values = {
    cursor: cursor.cursor,
    done: cursor.done ? 1 : 0,
    pages: cursor.pages,
    items: cursor.items,
    updated_at: now,
  };
  await db
    .insertInto('backfill_cursor')
    .values({ portal_id: portalId, stage, ...values })
    .onConflict((oc) => oc.columns(['portal_id', 'stage']).doUpdateSet(values))
    .execute();
}

/** `--restart`: every stage of the portal starts from the beginning again. */
export async function clearCursors(db: Db, portalId: number): Promise<void> {
  await db.deleteFrom('backfill_cursor').where('portal_id', '=', portalId).execute();
}

export interface CampaignAssetRow {
  readonly assetType: string;
  readonly assetId: string;
  readonly campaignGuid: string;
  readonly campaignName: string;
}

export async function upsertCampaignAssets(
  db: Db,
  portalId: number,
  assets: readonly CampaignAssetRow[],
  now: number,
): Promise<void> {
  for (const asset of assets) {
    await db
      .insertInto('campaign_asset')
      .values({
        portal_id: portalId,
        asset_type: asset.assetType,
        asset_id: asset.assetId,
        campaign_guid: asset.campaignGuid,
        campaign_name: asset.campaignName,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['portal_id', 'asset_type', 'asset_id']).doUpdateSet({
          campaign_guid: asset.campaignGuid,
          campaign_name: asset.campaignName,
          updated_at: now,
        }),
      )
      .execute();
  }
}

/** The portal's assets of one type, in a fixed order (the form and email stages walk them by it). */
export async function campaignAssets(
  db: Db,
  portalId: number,
  assetType: string,
): Promise<CampaignAssetRow[]> {
  const rows = await db
    .selectFrom('campaign_asset')
    .select(['asset_type', 'asset_id', 'campaign_guid', 'campaign_name'])
    .where('portal_id', '=', portalId)
    .where('asset_type', '=', assetType)
    .orderBy('asset_id')
    .execute();
  return rows.map((row) => ({
    assetType: row.asset_type,
    assetId: row.asset_id,
    campaignGuid: row.campaign_guid,
    campaignName: row.campaign_name,
  }));
}
