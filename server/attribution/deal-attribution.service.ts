import { createHash } from 'node:crypto';

import type { Insertable, Kysely, Selectable } from 'kysely';

import {
  contactRoleWeight,
  type ContactRoleWeights,
  usesContactRoles,
} from '../../src/attribution/contact-roles';
import { attributeDealJourneys, type DealContact } from '../../src/attribution/deal-journeys';
import {
  type DealWriteBackValues,
  dealWriteBackValues,
} from '../../src/attribution/deal-write-back';
import type { JourneyModel } from '../../src/attribution/journey-credit';
import { creditRowsForDeal } from '../../src/reports/deal-credit-rows';
import type { PriceRealisation } from '../../src/reports/price-realisation';
import { periodLabelOf } from '../../src/reports/report-period';
import type { Settings } from '../config';
import { findDeal, findDealContactIds } from '../crm/crm-object.repository';
import type { AttributionCreditTable, Database, DealTable, TouchpointTable } from '../db/schema';
import type { StageOutcome } from './deal-pipelines';
import { enqueueDealWriteBack } from './deal-write-back';
import { touchesOfContacts } from './touchpoint.repository';

const DAY_MS = 86_400_000;

export type DealOutcome = 'attributed' | 'unchanged' | 'open' | 'lost' | 'no_touches' | 'deleted';

/**
 * Brings one deal's stored credits in line with its current inputs: a closed-won deal gets every configured
 * model's credits over its contacts' touches in the lookback window; any other deal (open, reopened, lost,
 * deleted) has none. The inputs are hashed, so unchanged inputs are not recomputed; otherwise the deal's
 * credits are replaced in one transaction, so a report never sees half of a recomputation.
 */
export async function reconcileDealAttribution(
  db: Kysely<Database>,
  target: { portalId: number; dealId: number },
  context: {
    /** The deal stage's outcome in its portal's pipelines (read from HubSpot, never assumed). */
    readonly stageOutcome: StageOutcome;
    readonly settings: Settings['attribution'];
    readonly now: number;
  },
): Promise<DealOutcome> {
  const { portalId, dealId } = target;
  const { settings, now } = context;
  const deal = await findDeal(db, portalId, dealId);
  const outcome = deal && deal.deleted !== 1 ? context.stageOutcome(deal) : 'deleted';
  if (!deal || outcome !== 'won') {
    const status = outcome === 'won' ? 'deleted' : outcome;
    await replaceCredits(db, target, {
      status,
      hash: status,
      rows: [],
      deal,
      now,
      contacts: 0,
      touches: 0,
    });
    return status;
  }

  const closedAt = Number(deal.closedate ?? deal.dealstage_at ?? now);
  const { contactIds, contacts, touchCount } = await dealJourneyContacts(
    db,
    { portalId, dealId },
    closedAt,
    settings.lookbackDays,
    settings.contactRoles,
  );
  const { hash, amountCents, currency, credit } = dealCredits(
    { portalId, dealId, deal, closedAt, contacts },
    { settings, now },
  );
  const state = await db
    .selectFrom('deal_attribution_state')
    .select('inputs_hash')
    .where('portal_id', '=', portalId)
    .where('deal_id', '=', dealId)
    .executeTakeFirst();
  if (state?.inputs_hash === hash) return 'unchanged';

  const { rows, status, writeBack } = credit();
  await replaceCredits(db, target, {
    writeBack,
    status,
    hash,
    rows,
    deal: { ...deal, amount_cents: amountCents, deal_currency_code: currency },
    closedAt,
    now,
    contacts: contactIds.length,
    touches: touchCount,
  });
  return status;
}

/**
 * The hash of one won deal's inputs, and (computed only when asked, since unchanged inputs need none) every
 * configured model's credit rows: pure given its inputs, so a deal and a full recomputation
 * (`recompute.service.ts`) store exactly the same rows.
 */
export function dealCredits(
  input: {
    portalId: number;
    dealId: number;
    deal: DealTable;
    closedAt: number;
    contacts: readonly DealContact[];
  },
  context: { readonly settings: Settings['attribution']; readonly now: number },
): {
  hash: string;
  amountCents: number;
  currency: string;
  credit(): {
    rows: Insertable<AttributionCreditTable>[];
    status: DealOutcome;
    writeBack: ReturnType<typeof dealWriteBackValues> | undefined;
  };
} {
  const { portalId, dealId, deal, closedAt, contacts } = input;
  const { settings, now } = context;
  const amountCents = Math.max(0, Number(deal.amount_cents ?? 0));
  const currency = (deal.deal_currency_code ?? settings.defaultCurrency).toUpperCase();
  const dealCreatedAt = deal.created_at === null ? undefined : Number(deal.created_at);
  const models = settings.models as readonly JourneyModel[];
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        amountCents,
        currency,
        closedAt,
        dealCreatedAt,
        contacts,
        models,
        lookbackDays: settings.lookbackDays,
        halfLife: settings.timeDecayHalfLifeDays,
        custom: settings.custom,
        zone: settings.timeZone,
        price: [deal.list_price_cents, deal.line_discount_cents, deal.price_source],
        writeBack: settings.writeBack,
      }),
    )
    .digest('hex');
  return { hash, amountCents, currency, credit: () => creditRows() };

  function creditRows() {
    const byModel = attributeDealJourneys(
      { dealId: String(dealId), amountCents, closedAt, dealCreatedAt, contacts },
      models,
      {
        halfLifeMs: settings.timeDecayHalfLifeDays * DAY_MS,
        custom: settings.custom,
      },
    );
    const realisation = storedRealisation(deal, amountCents);
    const period = periodLabelOf(closedAt, 'quarter', settings.timeZone);
    const rows = [...byModel].flatMap(([model, credits]) =>
      creditRowsForDeal({ dealId: String(dealId), currency, period, realisation }, model, [
        ...credits.map((credit) => ({
          touchId: credit.touchId,
          campaign: credit.campaign,
          channel: credit.channel,
          netCents: credit.cents,
        })),
      ]).map((row, index) => ({
        portal_id: portalId,
        deal_id: dealId,
        model,
        touchpoint_id: Number(row.touchId),
        contact_id: Number(credits[index]!.contactId),
        campaign: row.campaign,
        channel: row.channel,
        currency: row.currency,
        gross_cents: row.grossCents,
        discount_cents: row.discountCents,
        net_cents: row.netCents,
        closed_at: closedAt,
        period: row.period,
        computed_at: now,
      })),
    );
    const status: DealOutcome = byModel.size === 0 ? 'no_touches' : 'attributed';
    const writeBack = settings.writeBack.enabled
      ? dealWriteBackValues(byModel, contacts, closedAt, settings.writeBack.model)
      : undefined;
    return { rows, status, writeBack };
  }
}

/**
 * The gross/net/discount of a won deal: net is the amount the credits split; gross is the list price read
 * from its line items or list-price property (`won-deal-reads.ts`), or the amount when none was read.
 */
function storedRealisation(
  deal: Pick<DealTable, 'list_price_cents' | 'line_discount_cents' | 'price_source'>,
  amountCents: number,
): PriceRealisation {
  if (deal.list_price_cents === null) {
    return {
      grossCents: amountCents,
      netCents: amountCents,
      discountCents: 0,
      lineDiscountCents: 0,
      dealDiscountCents: 0,
      source: 'none',
    };
  }
  const grossCents = Number(deal.list_price_cents);
  const lineDiscountCents = Number(deal.line_discount_cents ?? 0);
  return {
    grossCents,
    netCents: amountCents,
    discountCents: grossCents - amountCents,
    lineDiscountCents,
    dealDiscountCents: grossCents - lineDiscountCents - amountCents,
    source: deal.price_source === 'list_price' ? 'list_price' : 'line_items',
  };
}

/**
 * The deal's associated contacts with their touches in [closedAt − lookback, closedAt], oldest first. With
 * contact-role weights configured, each contact carries the weight of its association labels.
 */
export async function dealJourneyContacts(
  db: Kysely<Database>,
  target: { portalId: number; dealId: number },
  closedAt: number,
  lookbackDays: number,
  roles?: ContactRoleWeights,
): Promise<{ contactIds: number[]; contacts: DealContact[]; touchCount: number }> {
  const { portalId, dealId } = target;
  const contactIds = await findDealContactIds(db, portalId, dealId);
  const weights =
    roles && usesContactRoles(roles) ? await contactWeights(db, target, roles) : undefined;
  const touchRows = await touchesOfContacts(db, portalId, contactIds, {
    from: closedAt - lookbackDays * DAY_MS,
    to: closedAt,
  });
  const createdRows =
    contactIds.length === 0
      ? []
      : await db
          .selectFrom('contact')
          .select(['contact_id', 'created_at'])
          .where('portal_id', '=', portalId)
          .where('contact_id', 'in', contactIds)
          .execute();
  const createdAt = new Map(createdRows.map((row) => [Number(row.contact_id), row.created_at]));
  // One pass over the touches (a deal can have thousands), not one per contact.
  const touchesOf = new Map<number, DealContact['touches'][number][]>();
  for (const row of touchRows) {
    const contactId = Number(row.contact_id);
    const list = touchesOf.get(contactId) ?? [];
    list.push(dealTouchOf(row));
    touchesOf.set(contactId, list);
  }
  const contacts: DealContact[] = contactIds.map((contactId) => {
    const created = createdAt.get(contactId);
    return {
      contactId: String(contactId),
      ...(weights ? { weight: weights.get(contactId) ?? roles!.defaultWeight } : {}),
      createdAt: created === null || created === undefined ? undefined : Number(created),
      touches: touchesOf.get(contactId) ?? [],
    };
  });
  return { contactIds, contacts, touchCount: touchRows.length };
}

async function contactWeights(
  db: Kysely<Database>,
  target: { portalId: number; dealId: number },
  roles: ContactRoleWeights,
): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('deal_contact')
    .select(['contact_id', 'role_labels'])
    .where('portal_id', '=', target.portalId)
    .where('deal_id', '=', target.dealId)
    .where('associated', '=', 1)
    .execute();
  return new Map(
    rows.map((row) => [Number(row.contact_id), storedRoleWeight(row.role_labels, roles)]),
  );
}

async function replaceCredits(
  db: Kysely<Database>,
  target: { portalId: number; dealId: number },
  result: {
    status: string;
    hash: string;
    rows: readonly Insertable<AttributionCreditTable>[];
    deal: DealTable | undefined;
    closedAt?: number;
    now: number;
    contacts: number;
    touches: number;
    /** Deal properties to write back (write-back enabled and the deal won with touches). */
    writeBack?: DealWriteBackValues | undefined;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('attribution_credit')
      .where('portal_id', '=', target.portalId)
      .where('deal_id', '=', target.dealId)
      .execute();
    for (let start = 0; start < result.rows.length; start += 200) {
      await trx
        .insertInto('attribution_credit')
        .values(result.rows.slice(start, start + 200))
        .execute();
    }
    const state = {
      status: result.status,
      inputs_hash: result.hash,
      amount_cents: result.deal?.amount_cents ?? null,
      currency: result.deal?.deal_currency_code ?? null,
      closed_at: result.closedAt ?? null,
      contacts: result.contacts,
      touches: result.touches,
      computed_at: result.now,
    };
    await trx
      .insertInto('deal_attribution_state')
      .values({ portal_id: target.portalId, deal_id: target.dealId, ...state })
      .onConflict((oc) => oc.columns(['portal_id', 'deal_id']).doUpdateSet(state))
      .execute();
    if (result.writeBack) await enqueueDealWriteBack(trx, target, result.writeBack, result.now);
  });
}

/** A stored touch as a deal journey's touch; the single-deal and the full recomputation read them alike. */
export function dealTouchOf(
  row: Pick<Selectable<TouchpointTable>, 'id' | 'at' | 'channel' | 'campaign' | 'kind'>,
): DealContact['touches'][number] {
  return {
    id: String(row.id),
    at: Number(row.at),
    channel: row.channel,
    campaign: row.campaign,
    kind: row.kind,
  };
}

/** A contact's weight from its stored association labels (`deal_contact.role_labels`, JSON or null). */
export function storedRoleWeight(roleLabels: string | null, roles: ContactRoleWeights): number {
  return contactRoleWeight(roleLabels ? (JSON.parse(roleLabels) as string[]) : null, roles);
}
