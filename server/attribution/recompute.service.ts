import type { Insertable, Kysely, Selectable } from 'kysely';

import { usesContactRoles } from '../../src/attribution/contact-roles';
import type { DealContact, DealTouch } from '../../src/attribution/deal-journeys';
import { periodsIn } from '../../src/reports/report-period';
import type { Settings } from '../config';
import { type BulkColumn, bulkInsert } from '../db/bulk-insert';
import type { DatabaseHandle } from '../db/database';
import { refreshPlannerStatistics } from '../db/planner-statistics';
import type {
  AttributionCreditTable,
  Database,
  DealAttributionStateTable,
  DealTable,
} from '../db/schema';
import { dealCredits, dealTouchOf, storedRoleWeight } from './deal-attribution.service';
import { attributePeriods, type PeriodAttributionSummary } from './period-attribution.service';

const DAY_MS = 86_400_000;
const DEAL_PAGE = 1_000;
const ID_CHUNK = 500;

export interface RecomputeSummary {
  readonly deals: number;
  readonly credits: number;
  readonly periods: readonly PeriodAttributionSummary[];
  /** Quarters left alone because they are closed (their numbers are frozen). */
  readonly closedPeriods: readonly string[];
}

/**
 * A full recomputation from stored data, e.g. after the models, the lookback or the weights changed: every
 * won deal's credits under every configured journey model, then every quarter's data-driven credits. Deals
 * are read a page at a time with their contacts and touches in a few set queries (no query per deal), and
 * each page's credits are replaced in one transaction with bulk inserts. A deal's outcome is the one the
 * attribution worker last recorded from the portal's pipelines, so no HubSpot call is made.
 */
export async function recomputeAttribution(
  handle: DatabaseHandle,
  portalId: number,
  context: {
    readonly settings: Settings['attribution'];
    readonly now: number;
    readonly progress?: (line: string) => void;
    /** Won deals per page (read, computed and written together); 1,000 unless a test needs several pages. */
    readonly pageSize?: number;
  },
): Promise<RecomputeSummary> {
  const { settings, now } = context;
  const pageSize = context.pageSize ?? DEAL_PAGE;
  const db = handle.db;
  // Every query below looks rows up by id lists; stale statistics turn each lookup into a portal scan.
  await refreshPlannerStatistics(handle, [
    'deal',
    'deal_attribution_state',
    'deal_contact',
    'contact',
    'touchpoint',
    'attribution_credit',
  ]);
  let deals = 0;
  let credits = 0;
  let after = 0;
  // Pipelined: while the database writes one page's credits (most of a PostgreSQL recomputation is the
  // server inserting rows), this process reads and computes the next page. Pages are still written one at a
  // time and in order, each in its own transaction; the next page's reads only touch deals after this page's.
  // On SQLite the write holds the only connection, so there it simply runs in turn.
  let writing: Promise<void> | undefined;
  try {
    for (;;) {
      const page = await db
        .selectFrom('deal as d')
        .innerJoin('deal_attribution_state as s', (join) =>
          join.onRef('s.portal_id', '=', 'd.portal_id').onRef('s.deal_id', '=', 'd.deal_id'),
        )
        .selectAll('d')
        .where('d.portal_id', '=', portalId)
        .where('d.deleted', '=', 0)
        .where('d.deal_id', '>', after)
        .where('s.status', 'in', ['attributed', 'no_touches'])
        .orderBy('d.deal_id')
        .limit(pageSize)
        .execute();
      if (page.length === 0) break;
      const computed = await computePage(handle, portalId, page, { settings, now });
      await writing;
      const write = writePage(handle, portalId, computed);
      // Awaited before the next write or below; this handler only stops Node from reporting the rejection
      // as unhandled while the next page is being read.
      write.catch(() => undefined);
      writing = write;
      credits += computed.credits.length;
      deals += page.length;
      context.progress?.(`${deals} won deal(s), ${credits} credit row(s)`);
      if (page.length < pageSize) break;
      after = Number(page.at(-1)!.deal_id);
    }
    await writing;
  } catch (error) {
    // A failed read must not leave a write running unobserved: wait for it, then report the first failure.
    await writing?.catch(() => undefined);
    throw error;
  }

  const closedPeriods: string[] = [];
  const closed = new Set(
    (
      await db
        .selectFrom('period_close')
        .select('period')
        .where('portal_id', '=', portalId)
        .execute()
    ).map((row) => row.period),
  );
  const open: string[] = [];
  for (const period of await quartersWithJourneys(db, portalId, settings, now)) {
    if (closed.has(period)) closedPeriods.push(period);
    else open.push(period);
  }
  const periods = await attributePeriods(db, portalId, open, { settings, now });
  context.progress?.(`${open.length} quarter(s) of data-driven credits`);
  return { deals, credits, periods, closedPeriods };
}

interface ComputedPage {
  readonly dealIds: readonly number[];
  readonly credits: readonly Insertable<AttributionCreditTable>[];
  readonly states: readonly DealAttributionStateTable[];
}

/** One page of won deals' credits and states, computed from their stored contacts and touches. */
async function computePage(
  handle: DatabaseHandle,
  portalId: number,
  page: readonly Selectable<DealTable>[],
  context: { readonly settings: Settings['attribution']; readonly now: number },
): Promise<ComputedPage> {
  const { settings, now } = context;
  const db = handle.db;
  const dealIds = page.map((deal) => Number(deal.deal_id));
  const closedAt = (deal: Selectable<DealTable>) =>
    Number(deal.closedate ?? deal.dealstage_at ?? now);
  const contactsOf = new Map<number, number[]>();
  // Contact-role weights per deal and contact, when configured: the same weights a single deal's
  // reconciliation reads (deal-attribution.service.ts), so both store identical credits.
  const roles = settings.contactRoles;
  const weightOf = new Map<string, number>();
  for (let start = 0; start < dealIds.length; start += ID_CHUNK) {
    const rows = await db
      .selectFrom('deal_contact')
      .select(['deal_id', 'contact_id', 'role_labels'])
      .where('portal_id', '=', portalId)
      .where('deal_id', 'in', dealIds.slice(start, start + ID_CHUNK))
      .where('associated', '=', 1)
      .orderBy('deal_id')
      .orderBy('contact_id')
      .execute();
    for (const row of rows) {
      const list = contactsOf.get(Number(row.deal_id)) ?? [];
      list.push(Number(row.contact_id));
      contactsOf.set(Number(row.deal_id), list);
      if (usesContactRoles(roles))
        weightOf.set(`${row.deal_id}:${row.contact_id}`, storedRoleWeight(row.role_labels, roles));
    }
  }
  const contactIds = [...new Set([...contactsOf.values()].flat())];
  const lookbackMs = settings.lookbackDays * DAY_MS;
  const closes = page.map(closedAt);
  const window = { from: Math.min(...closes) - lookbackMs, to: Math.max(...closes) };
  const touchesOf = new Map<number, Array<DealTouch & { at: number }>>();
  const createdOf = new Map<number, number | null>();
  for (let start = 0; start < contactIds.length; start += ID_CHUNK) {
    const chunk = contactIds.slice(start, start + ID_CHUNK);
    const touches = await db
      .selectFrom('touchpoint')
      .select(['id', 'contact_id', 'at', 'kind', 'channel', 'campaign'])
      .where('portal_id', '=', portalId)
      .where('contact_id', 'in', chunk)
      .where('at', '>=', window.from)
      .where('at', '<=', window.to)
      .execute();
    for (const row of touches) {
      const list = touchesOf.get(Number(row.contact_id)) ?? [];
      list.push(dealTouchOf(row));
      touchesOf.set(Number(row.contact_id), list);
    }
    const created = await db
      .selectFrom('contact')
      .select(['contact_id', 'created_at'])
      .where('portal_id', '=', portalId)
      .where('contact_id', 'in', chunk)
      .execute();
    for (const row of created) {
      createdOf.set(
        Number(row.contact_id),
        row.created_at === null ? null : Number(row.created_at),
      );
    }
  }

  // What the write-back last queued per deal survives the recomputation (deal-write-back.ts compares with it).
  const writtenBack = new Map<number, string | null>();
  for (let start = 0; start < dealIds.length; start += ID_CHUNK) {
    const rows = await db
      .selectFrom('deal_attribution_state')
      .select(['deal_id', 'written_back'])
      .where('portal_id', '=', portalId)
      .where('deal_id', 'in', dealIds.slice(start, start + ID_CHUNK))
      .execute();
    for (const row of rows) writtenBack.set(Number(row.deal_id), row.written_back);
  }

  const credits: Insertable<AttributionCreditTable>[] = [];
  const states: DealAttributionStateTable[] = [];
  for (const deal of page) {
    const dealId = Number(deal.deal_id);
    const close = closedAt(deal);
    const from = close - lookbackMs;
    const ids = contactsOf.get(dealId) ?? [];
    let touchCount = 0;
    // Same inputs as one deal's reconciliation: touches in [close − lookback, close], oldest first.
    const contacts: DealContact[] = ids.map((contactId) => {
      const touches = (touchesOf.get(contactId) ?? [])
        .filter((touch) => touch.at >= from && touch.at <= close)
        .sort((a, b) => a.at - b.at || Number(a.id) - Number(b.id));
      touchCount += touches.length;
      const created = createdOf.get(contactId);
      const weight = weightOf.get(`${dealId}:${contactId}`);
      return {
        contactId: String(contactId),
        ...(weight !== undefined ? { weight } : {}),
        createdAt: created === null || created === undefined ? undefined : created,
        touches,
      };
    });
    const result = dealCredits(
      { portalId, dealId, deal, closedAt: close, contacts },
      { settings, now },
    );
    const { rows, status } = result.credit();
    credits.push(...rows);
    states.push({
      portal_id: portalId,
      deal_id: dealId,
      status,
      inputs_hash: result.hash,
      amount_cents: result.amountCents,
      currency: result.currency,
      closed_at: close,
      contacts: ids.length,
      touches: touchCount,
      computed_at: now,
      written_back: writtenBack.get(dealId) ?? null,
    });
  }

  return { dealIds, credits, states };
}

/** Replaces a page's credits and states in one transaction, so a reader sees either the old or the new. */
async function writePage(
  handle: DatabaseHandle,
  portalId: number,
  { dealIds, credits, states }: ComputedPage,
): Promise<void> {
  await handle.db.transaction().execute(async (trx) => {
    for (let start = 0; start < dealIds.length; start += ID_CHUNK) {
      const chunk = dealIds.slice(start, start + ID_CHUNK);
      await trx
        .deleteFrom('attribution_credit')
        .where('portal_id', '=', portalId)
        .where('deal_id', 'in', chunk)
        .execute();
      await trx
        .deleteFrom('deal_attribution_state')
        .where('portal_id', '=', portalId)
        .where('deal_id', 'in', chunk)
        .execute();
    }
    await bulkInsert(trx, handle, 'attribution_credit', CREDIT_COLUMNS, credits);
    await bulkInsert(trx, handle, 'deal_attribution_state', STATE_COLUMNS, states);
  });
}

/** Quarters in which some journey may end: from the earliest touch to now. */
async function quartersWithJourneys(
  db: Kysely<Database>,
  portalId: number,
  settings: Settings['attribution'],
  now: number,
): Promise<string[]> {
  const row = await db
    .selectFrom('touchpoint')
    .select((eb) => eb.fn.min('at').as('first'))
    .where('portal_id', '=', portalId)
    .executeTakeFirst();
  if (row?.first === null || row?.first === undefined) return [];
  const zone = settings.timeZone;
  return periodsIn({ start: Number(row.first), end: now + 1 }, 'quarter', zone).map(
    (period) => period.label,
  );
}

type CreditRow = Insertable<AttributionCreditTable>;
const CREDIT_COLUMNS: readonly BulkColumn<CreditRow>[] = [
  { name: 'portal_id', type: 'bigint', value: (row) => row.portal_id },
  { name: 'deal_id', type: 'bigint', value: (row) => row.deal_id },
  { name: 'model', type: 'text', value: (row) => row.model },
  { name: 'touchpoint_id', type: 'bigint', value: (row) => row.touchpoint_id ?? null },
  { name: 'contact_id', type: 'bigint', value: (row) => row.contact_id ?? null },
  { name: 'campaign', type: 'text', value: (row) => row.campaign ?? null },
  { name: 'channel', type: 'text', value: (row) => row.channel },
  { name: 'currency', type: 'text', value: (row) => row.currency },
  { name: 'gross_cents', type: 'bigint', value: (row) => row.gross_cents },
  { name: 'discount_cents', type: 'bigint', value: (row) => row.discount_cents },
  { name: 'net_cents', type: 'bigint', value: (row) => row.net_cents },
  { name: 'closed_at', type: 'bigint', value: (row) => row.closed_at },
  { name: 'period', type: 'text', value: (row) => row.period },
  { name: 'computed_at', type: 'bigint', value: (row) => row.computed_at },
];

const STATE_COLUMNS: readonly BulkColumn<DealAttributionStateTable>[] = [
  { name: 'portal_id', type: 'bigint', value: (row) => row.portal_id },
  { name: 'deal_id', type: 'bigint', value: (row) => row.deal_id },
  { name: 'status', type: 'text', value: (row) => row.status },
  { name: 'inputs_hash', type: 'text', value: (row) => row.inputs_hash },
  { name: 'amount_cents', type: 'bigint', value: (row) => row.amount_cents },
  { name: 'currency', type: 'text', value: (row) => row.currency },
  { name: 'closed_at', type: 'bigint', value: (row) => row.closed_at },
  { name: 'contacts', type: 'integer', value: (row) => row.contacts },
  { name: 'touches', type: 'integer', value: (row) => row.touches },
  { name: 'computed_at', type: 'bigint', value: (row) => row.computed_at },
  { name: 'written_back', type: 'text', value: (row) => row.written_back },
];
