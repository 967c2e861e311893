import type { Kysely, Transaction } from 'kysely';

import type { Database } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface SpendEntry {
  readonly campaign: string;
  readonly period: string;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly currency: string;
  readonly cents: number;
  readonly source: string;
}

/** One figure per portal, campaign, period, currency and source: importing the same figure again replaces it. */
export async function upsertSpend(
  db: Db,
  portalId: number,
  entries: readonly SpendEntry[],
  now: number,
): Promise<void> {
  for (const entry of entries) {
    await db
      .insertInto('campaign_spend')
      .values({
        portal_id: portalId,
        campaign: entry.campaign,
        period: entry.period,
        period_start: entry.periodStart,
        period_end: entry.periodEnd,
        currency: entry.currency,
        cents: entry.cents,
        source: entry.source,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['portal_id', 'campaign', 'period', 'currency', 'source'])
          .doUpdateSet({ cents: entry.cents, updated_at: now }),
      )
      .execute();
  }
}

/** Spend of periods lying wholly inside [start, end) (open ends allowed). */
export async function spendInRange(
  db: Db,
  portalId: number,
  range: { start: number | null; end: number | null },
): Promise<{ campaign: string; currency: string; cents: number }[]> {
  const rows = await db
    .selectFrom('campaign_spend')
    .select(['campaign', 'currency', 'cents'])
    .where('portal_id', '=', portalId)
    .$if(range.start !== null, (qb) => qb.where('period_start', '>=', range.start!))
    .$if(range.end !== null, (qb) => qb.where('period_end', '<=', range.end!))
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, cents: Number(row.cents) }));
}
