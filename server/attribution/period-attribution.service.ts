import { type Kysely, sql } from 'kysely';

import {
  journeyPath,
  type JourneyTouch,
  PeriodAttribution,
  type PeriodCredit,
} from '../../src/attribution/period-attribution';
import { ReportInputError } from '../../src/reports/report-input-error';
import { parsePeriod, type Period } from '../../src/reports/report-period';
import type { Settings } from '../config';
import type { Database } from '../db/schema';
import { AppError } from '../http/app-error';

const DAY_MS = 86_400_000;
const DEAL_PAGE = 2_000;
const ID_CHUNK = 500;
const INSERT_ROWS = 500;

export interface PeriodAttributionSummary {
  readonly period: string;
  readonly won: number;
  readonly lost: number;
  readonly stale: number;
  readonly contacts: number;
  readonly rows: number;
}

/**
 * Recomputes a quarter's data-driven credits (Markov, Shapley) from the stored deals, contacts and touches and
 * replaces the quarter's stored results in one transaction. A deal's outcome is the one the attribution
 * worker last recorded from the portal's pipelines (`deal_attribution_state`), so no HubSpot call is needed.
 * Quarters only, so stored periods never overlap and a report over a year adds four disjoint games. A closed
 * quarter is refused: its numbers are frozen.
 */
export async function attributePeriod(
  db: Kysely<Database>,
  portalId: number,
  label: string,
  context: { readonly settings: Settings['attribution']; readonly now: number },
): Promise<PeriodAttributionSummary> {
  const [summary] = await attributePeriods(db, portalId, [label], context);
  return summary!;
}

/**
 * `attributePeriod` for several quarters at once (a full recomputation): the deals and contacts are read in
 * one pass over the span of the quarters, and each journey goes to the game of the quarter it ends in.
 */
export async function attributePeriods(
  db: Kysely<Database>,
  portalId: number,
  labels: readonly string[],
  context: { readonly settings: Settings['attribution']; readonly now: number },
): Promise<PeriodAttributionSummary[]> {
  const { settings, now } = context;
  const periods = labels
    .map((label) => resolveQuarter(label, settings.timeZone))
    .sort((a, b) => a.start - b.start);
  if (periods.length === 0) return [];
  const closed = await db
    .selectFrom('period_close')
    .select(['period', 'closed_at'])
    .where('portal_id', '=', portalId)
    .where(
      'period',
      'in',
      periods.map((period) => period.label),
    )
    .executeTakeFirst();
  if (closed) {
    throw AppError.conflict(
      `${closed.period} is closed; its data-driven credits were frozen with it`,
      'period_closed',
    );
  }
  const { dataDriven } = settings;
  const lookbackMs = settings.lookbackDays * DAY_MS;
  const staleMs = dataDriven.staleDays * DAY_MS;
  const games = periods.map((period) => ({
    period,
    game: new PeriodAttribution({ models: dataDriven.models, markovOrder: dataDriven.markovOrder }),
    counts: { won: 0, lost: 0, stale: 0, contacts: 0 },
  }));
  const gameAt = (at: number) => games.find(({ period }) => period.start <= at && at < period.end);
  const span = { start: periods[0]!.start, end: periods.at(-1)!.end };

  for await (const deals of periodDeals(db, portalId, span, { staleMs, now })) {
    const contactsByDeal = await dealContacts(
      db,
      portalId,
      deals.map((deal) => deal.dealId),
    );
    const touches = await touchesByContact(
      db,
      portalId,
      [...new Set([...contactsByDeal.values()].flat())],
      {
        from: Math.min(...deals.map((deal) => deal.end)) - lookbackMs,
        to: Math.max(...deals.map((deal) => deal.end)),
      },
    );
    for (const deal of deals) {
      const target = gameAt(deal.end);
      if (!target) continue;
      const all = (contactsByDeal.get(deal.dealId) ?? []).flatMap(
        (contactId) => touches.get(contactId) ?? [],
      );
      const path = journeyPath(all, deal.end, { lookbackMs });
      if (path.length === 0) continue;
      target.counts[deal.kind] += 1;
      target.game.addDeal({
        currency: deal.currency ?? settings.defaultCurrency,
        converted: deal.kind === 'won',
        valueCents: deal.kind === 'won' ? deal.amountCents : 0,
        path,
      });
    }
  }

  for (const contacts of await contactsWithoutDeals(db, portalId, span, { staleMs, now })) {
    const touches = await touchesByContact(
      db,
      portalId,
      contacts.map((contact) => contact.contactId),
      {
        from: Math.min(...contacts.map((contact) => contact.end)) - lookbackMs,
        to: Math.max(...contacts.map((contact) => contact.end)),
      },
    );
    for (const contact of contacts) {
      const target = gameAt(contact.end + staleMs);
      if (!target) continue;
      const path = journeyPath(touches.get(contact.contactId) ?? [], contact.end, { lookbackMs });
      if (path.length === 0) continue;
      target.counts.contacts += 1;
      target.game.addContact(path);
    }
  }

  const rows = games.flatMap(({ period, game }) => {
    let credits: PeriodCredit[];
    try {
      credits = game.results();
    } catch (error) {
      // The exact conversion-rate Shapley game refuses more than 20 players rather than approximate.
      if (error instanceof RangeError) throw new AppError('unsolvable', error.message, 422);
      throw error;
    }
    return credits.map((credit) => ({
      portal_id: portalId,
      period: period.label,
      period_start: period.start,
      period_end: period.end,
      model: credit.model,
      dimension: credit.dimension,
      currency: credit.currency,
      key: credit.key ?? '',
      conversions: credit.conversions,
      value_cents: credit.valueCents,
      removal_effect: credit.removalEffect,
      deals: credit.deals,
      converting: credit.converting,
      non_converting: credit.nonConverting,
      computed_at: now,
    }));
  });
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('period_attribution')
      .where('portal_id', '=', portalId)
      .where(
        'period',
        'in',
        periods.map((period) => period.label),
      )
      .execute();
    for (let start = 0; start < rows.length; start += INSERT_ROWS) {
      await trx
        .insertInto('period_attribution')
        .values(rows.slice(start, start + INSERT_ROWS))
        .execute();
    }
  });
  return games.map(({ period, counts }) => ({
    period: period.label,
    ...counts,
    rows: rows.filter((row) => row.period === period.label).length,
  }));
}

function resolveQuarter(label: string, zone: string): Period {
  let period: Period;
  try {
    period = parsePeriod(label, zone);
  } catch (error) {
    if (error instanceof ReportInputError) throw AppError.badRequest(error.message, error.code);
    throw error;
  }
  if (period.granularity !== 'quarter') {
    throw AppError.badRequest(
      `data-driven attribution is computed per quarter (like 2026-Q3), not "${label}"`,
      'invalid_period',
    );
  }
  return period;
}

interface PeriodDeal {
  readonly dealId: number;
  readonly kind: 'won' | 'lost' | 'stale';
  /** Close for won and lost deals; the moment an open deal went stale. */
  readonly end: number;
  readonly amountCents: number;
  readonly currency: string | null;
}

/**
 * The deals whose journey ends in the period, page by page (keyset on deal id): won and lost deals closed in
 * it, and open deals that went stale in it (no stage change for `staleMs`) by `now`.
 */
async function* periodDeals(
  db: Kysely<Database>,
  portalId: number,
  period: { readonly start: number; readonly end: number },
  options: { staleMs: number; now: number },
): AsyncIterable<PeriodDeal[]> {
  const staleAt = sql<number>`coalesce(d.dealstage_at, d.created_at) + ${options.staleMs}`;
  const closedAt = sql<number>`coalesce(s.closed_at, d.closedate, d.dealstage_at)`;
  const end = sql<number>`case when s.status = 'open' then ${staleAt} else ${closedAt} end`;
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('deal as d')
      .innerJoin('deal_attribution_state as s', (join) =>
        join.onRef('s.portal_id', '=', 'd.portal_id').onRef('s.deal_id', '=', 'd.deal_id'),
      )
      .select(['d.deal_id', 's.status', 'd.amount_cents', 'd.deal_currency_code', end.as('end_at')])
      .where('d.portal_id', '=', portalId)
      .where('d.deleted', '=', 0)
      .where('d.deal_id', '>', after)
      .where('s.status', 'in', ['attributed', 'no_touches', 'lost', 'open'])
      .where(end, '>=', period.start)
      .where(end, '<', Math.min(period.end, options.now + 1))
      .orderBy('d.deal_id')
      .limit(DEAL_PAGE)
      .execute();
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      dealId: Number(row.deal_id),
      kind: row.status === 'lost' ? 'lost' : row.status === 'open' ? 'stale' : 'won',
      end: Number(row.end_at),
      amountCents: Math.max(0, Number(row.amount_cents ?? 0)),
      currency: row.deal_currency_code === null ? null : row.deal_currency_code.toUpperCase(),
    }));
    if (rows.length < DEAL_PAGE) return;
    after = Number(rows.at(-1)!.deal_id);
  }
}

/** Contacts (with touches) associated with no deal, gone stale in the period: pages of ids with their end. */
async function contactsWithoutDeals(
  db: Kysely<Database>,
  portalId: number,
  period: { readonly start: number; readonly end: number },
  options: { staleMs: number; now: number },
): Promise<Array<Array<{ contactId: number; end: number }>>> {
  const staleAt = sql<number>`max(t.at) + ${options.staleMs}`;
  const rows = await db
    .selectFrom('touchpoint as t')
    .select(['t.contact_id', staleAt.as('end_at')])
    .where('t.portal_id', '=', portalId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('deal_contact as dc')
            .select('dc.contact_id')
            .whereRef('dc.portal_id', '=', 't.portal_id')
            .whereRef('dc.contact_id', '=', 't.contact_id')
            .where('dc.associated', '=', 1),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('contact as c')
            .select('c.contact_id')
            .whereRef('c.portal_id', '=', 't.portal_id')
            .whereRef('c.contact_id', '=', 't.contact_id')
            .where('c.deleted', '=', 1),
        ),
      ),
    )
    .groupBy('t.contact_id')
    .having(staleAt, '>=', period.start)
    .having(staleAt, '<', Math.min(period.end, options.now + 1))
    .orderBy('t.contact_id')
    .execute();
  const pages: Array<Array<{ contactId: number; end: number }>> = [];
  for (let start = 0; start < rows.length; start += DEAL_PAGE) {
    pages.push(
      rows.slice(start, start + DEAL_PAGE).map((row) => ({
        contactId: Number(row.contact_id),
        // A contact's journey ends at its last touch; it is counted once it has gone stale.
        end: Number(row.end_at) - options.staleMs,
      })),
    );
  }
  return pages;
}

async function dealContacts(
  db: Kysely<Database>,
  portalId: number,
  dealIds: readonly number[],
): Promise<Map<number, number[]>> {
  const byDeal = new Map<number, number[]>();
  for (let start = 0; start < dealIds.length; start += ID_CHUNK) {
    const rows = await db
      .selectFrom('deal_contact')
      .select(['deal_id', 'contact_id'])
      .where('portal_id', '=', portalId)
      .where('deal_id', 'in', dealIds.slice(start, start + ID_CHUNK))
      .where('associated', '=', 1)
      .execute();
    for (const row of rows) {
      const dealId = Number(row.deal_id);
      const list = byDeal.get(dealId) ?? [];
      list.push(Number(row.contact_id));
      byDeal.set(dealId, list);
    }
  }
  return byDeal;
}

async function touchesByContact(
  db: Kysely<Database>,
  portalId: number,
  contactIds: readonly number[],
  window: { from: number; to: number },
): Promise<Map<number, JourneyTouch[]>> {
  const byContact = new Map<number, JourneyTouch[]>();
  for (let start = 0; start < contactIds.length; start += ID_CHUNK) {
    const rows = await db
      .selectFrom('touchpoint')
      .select(['id', 'contact_id', 'at', 'channel', 'campaign'])
      .where('portal_id', '=', portalId)
      .where('contact_id', 'in', contactIds.slice(start, start + ID_CHUNK))
      .where('at', '>=', window.from)
      .where('at', '<=', window.to)
      .execute();
    for (const row of rows) {
      const contactId = Number(row.contact_id);
      const list = byContact.get(contactId) ?? [];
      list.push({
        id: Number(row.id),
        at: Number(row.at),
        channel: row.channel,
        campaign: row.campaign,
      });
      byContact.set(contactId, list);
    }
  }
  return byContact;
}
