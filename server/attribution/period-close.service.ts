import type { Kysely } from 'kysely';

import { ReportInputError } from '../../src/reports/report-input-error';
import { parsePeriod, type Period, periodLabelOf } from '../../src/reports/report-period';
import type { ReportView } from '../../src/reports/report-view';
import type { Database } from '../db/schema';
import { AppError } from '../http/app-error';

/**
 * Stable numbers for finance: closing a period freezes every deal's credits per model and campaign as they
 * are; the credits themselves keep following HubSpot, and each difference from the frozen snapshot is
 * reported as an adjustment that names the deal, the amount and why — never a silent rewrite.
 */

type Snapshot = Map<
  string,
  { currency: string; amountCents: number; credits: Record<string, number> }
>;

const NO_CAMPAIGN = '';

export async function closePeriod(
  db: Kysely<Database>,
  portalId: number,
  label: string,
  options: { zone: string; now: number },
): Promise<{ period: string; deals: number; rows: number }> {
  const period = resolvePeriod(label, options.zone);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('period_close')
      .select('closed_at')
      .where('portal_id', '=', portalId)
      .where('period', '=', period.label)
      .executeTakeFirst();
    if (existing) {
      throw AppError.conflict(
        `${period.label} was closed at ${new Date(Number(existing.closed_at)).toISOString()}`,
        'period_closed',
      );
    }
    await trx
      .insertInto('period_close')
      .values({
        portal_id: portalId,
        period: period.label,
        period_start: period.start,
        period_end: period.end,
        closed_at: options.now,
      })
      .execute();
    const snapshot = await currentCredits(trx, portalId, period);
    const rows = [...snapshot].map(([key, value]) => {
      const [dealId, model] = key.split('\u0000') as [string, string];
      return {
        portal_id: portalId,
        period: period.label,
        deal_id: Number(dealId),
        model,
        currency: value.currency,
        amount_cents: value.amountCents,
        credits: JSON.stringify(value.credits),
      };
    });
    for (let start = 0; start < rows.length; start += 200) {
      await trx
        .insertInto('period_snapshot')
        .values(rows.slice(start, start + 200))
        .execute();
    }
    return {
      period: period.label,
      deals: new Set(rows.map((row) => row.deal_id)).size,
      rows: rows.length,
    };
  });
}

export interface Adjustment {
  readonly dealId: string;
  readonly model: string;
  readonly campaign: string | null;
  readonly currency: string;
  readonly frozenCents: number;
  readonly currentCents: number;
  readonly changeCents: number;
  readonly reason: string;
}

/** Every difference between a closed period's snapshot and the credits now, per deal, model and campaign. */
export async function periodAdjustments(
  db: Kysely<Database>,
  portalId: number,
  label: string,
  zone: string,
): Promise<Adjustment[]> {
  const period = resolvePeriod(label, zone);
  const closed = await db
    .selectFrom('period_close')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('period', '=', period.label)
    .executeTakeFirst();
  if (!closed) throw AppError.badRequest(`${period.label} is not closed`, 'period_open');
  const frozen: Snapshot = new Map();
  const snapshotRows = await db
    .selectFrom('period_snapshot')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('period', '=', period.label)
    .execute();
  for (const row of snapshotRows) {
    frozen.set(`${row.deal_id}\u0000${row.model}`, {
      currency: row.currency,
      amountCents: Number(row.amount_cents),
      credits: JSON.parse(row.credits) as Record<string, number>,
    });
  }
  const current = await currentCredits(db, portalId, period);
  const states = new Map(
    (
      await db
        .selectFrom('deal_attribution_state')
        .select(['deal_id', 'status', 'closed_at'])
        .where('portal_id', '=', portalId)
        .execute()
    ).map((row) => [Number(row.deal_id), row]),
  );

  const adjustments: Adjustment[] = [];
  for (const key of new Set([...frozen.keys(), ...current.keys()])) {
    const [dealId, model] = key.split('\u0000') as [string, string];
    const before = frozen.get(key);
    const after = current.get(key);
    const state = states.get(Number(dealId));
    const reason = explain(before, after, state, zone);
    const campaigns = new Set([
      ...Object.keys(before?.credits ?? {}),
      ...Object.keys(after?.credits ?? {}),
    ]);
    for (const campaign of [...campaigns].sort()) {
      const frozenCents = before?.credits[campaign] ?? 0;
      const currentCents = after?.credits[campaign] ?? 0;
      if (frozenCents === currentCents) continue;
      adjustments.push({
        dealId,
        model,
        campaign: campaign === NO_CAMPAIGN ? null : campaign,
        currency: (after ?? before)!.currency,
        frozenCents,
        currentCents,
        changeCents: currentCents - frozenCents,
        reason,
      });
    }
  }
  return adjustments.sort(
    (a, b) =>
      Number(a.dealId) - Number(b.dealId) ||
      (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) ||
      ((a.campaign ?? '') < (b.campaign ?? '') ? -1 : 1),
  );
}

export function adjustmentsView(adjustments: readonly Adjustment[]): ReportView {
  return {
    name: 'adjustments',
    columns: [
      { key: 'deal_id', header: 'deal_id', type: 'text', width: 14 },
      { key: 'model', header: 'model', type: 'text', width: 16 },
      { key: 'campaign', header: 'campaign', type: 'text', width: 32 },
      { key: 'currency', header: 'currency', type: 'text', width: 9 },
      { key: 'frozen', header: 'frozen', type: 'money', width: 14 },
      { key: 'current', header: 'current', type: 'money', width: 14 },
      { key: 'change', header: 'change', type: 'money', width: 14 },
      { key: 'reason', header: 'reason', type: 'text', width: 48 },
    ],
    rows: adjustments.map((adjustment) => ({
      deal_id: adjustment.dealId,
      model: adjustment.model,
      campaign: adjustment.campaign,
      currency: adjustment.currency,
      frozen: adjustment.frozenCents,
      current: adjustment.currentCents,
      change: adjustment.changeCents,
      reason: adjustment.reason,
    })),
  };
}

function explain(
  before: { amountCents: number } | undefined,
  after: { amountCents: number } | undefined,
  state: { status: string; closed_at: number | null } | undefined,
  zone: string,
): string {
  if (!before) return 'won in this period after it was closed';
  if (!after) {
    if (state?.status === 'attributed' && state.closed_at !== null) {
      return `close date moved to ${periodLabelOf(Number(state.closed_at), 'quarter', zone)}`;
    }
    return state?.status === 'deleted'
      ? 'deal deleted'
      : `deal is now ${state?.status ?? 'unknown'}`;
  }
  if (before.amountCents !== after.amountCents) {
    return `amount changed from ${before.amountCents} to ${after.amountCents} cents`;
  }
  return 'touches or contacts changed';
}

async function currentCredits(
  db: Kysely<Database>,
  portalId: number,
  period: Period,
): Promise<Snapshot> {
  const rows = await db
    .selectFrom('attribution_credit')
    .select(['deal_id', 'model', 'campaign', 'currency', 'net_cents', 'closed_at'])
    .where('portal_id', '=', portalId)
    .where('closed_at', '>=', period.start)
    .where('closed_at', '<', period.end)
    .execute();
  const snapshot: Snapshot = new Map();
  for (const row of rows) {
    const key = `${row.deal_id}\u0000${row.model}`;
    const entry = snapshot.get(key) ?? { currency: row.currency, amountCents: 0, credits: {} };
    const campaign = row.campaign ?? NO_CAMPAIGN;
    entry.credits[campaign] = (entry.credits[campaign] ?? 0) + Number(row.net_cents);
    entry.amountCents += Number(row.net_cents);
    snapshot.set(key, entry);
  }
  return snapshot;
}

function resolvePeriod(label: string, zone: string): Period {
  try {
    return parsePeriod(label, zone);
  } catch (error) {
    if (error instanceof ReportInputError) throw AppError.badRequest(error.message, error.code);
    throw error;
  }
}
