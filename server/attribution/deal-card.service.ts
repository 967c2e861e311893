import type { Kysely } from 'kysely';

import { type DealAttributionView, type Milestone } from '../../extensions/app/cards/api/contract';
import { attributeDealJourneys } from '../../src/attribution/deal-journeys';
import type { JourneyModel } from '../../src/attribution/journey-credit';
import { deriveMilestones, orderTouches } from '../../src/attribution/milestones';
import { MODELS } from '../../src/attribution/models';
import { campaignRef, cardKind } from '../card/card-touchpoints';
import type { Settings } from '../config';
import { findDeal } from '../crm/crm-object.repository';
import type { Database } from '../db/schema';
import { AppError } from '../http/app-error';
import { dealJourneyContacts } from './deal-attribution.service';

const JOURNEY_LIMIT = 200;
const DAY_MS = 86_400_000;
const DEFAULT_CARD_MODEL = 'w_shaped';

/**
 * The deal card's answer: the stored credits of a won deal (or, for an open deal, what each campaign would
 * get if it closed won now), the spread across models per campaign, and the journey with its milestones.
 * Only the portal's own deals exist here: another portal's deal id is a 404.
 */
export async function dealAttributionView(
  db: Kysely<Database>,
  target: { portalId: number; dealId: number; model: string | undefined },
  context: { settings: Settings['attribution']; now: number },
): Promise<DealAttributionView> {
  const { portalId, dealId } = target;
  const { settings, now } = context;
  const stored = settings.models as readonly JourneyModel[];
  const model =
    target.model ?? (stored.includes(DEFAULT_CARD_MODEL) ? DEFAULT_CARD_MODEL : stored[0]!);
  if (!(stored as readonly string[]).includes(model)) {
    throw AppError.badRequest(
      `unknown model "${model}": use one of ${stored.join(', ')}`,
      'unknown_model',
    );
  }
  const deal = await findDeal(db, portalId, dealId);
  if (!deal || deal.deleted === 1) throw AppError.notFound(`no deal ${dealId}`, 'deal_not_found');
  const state = await db
    .selectFrom('deal_attribution_state')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('deal_id', '=', dealId)
    .executeTakeFirst();
  const won = state?.status === 'attributed' || state?.status === 'no_touches';
  const outcome = won ? 'won' : state?.status === 'lost' ? 'lost' : 'open';
  const amountCents = Math.max(0, Number(deal.amount_cents ?? 0));
  const currency = (deal.deal_currency_code ?? settings.defaultCurrency).toUpperCase();
  const closedAt = won
    ? Number(state.closed_at)
    : outcome === 'lost'
      ? Number(deal.closedate ?? deal.dealstage_at ?? now)
      : now;
  const { contacts } = await dealJourneyContacts(
    db,
    { portalId, dealId },
    closedAt,
    settings.lookbackDays,
    settings.contactRoles,
  );
  const dealCreatedAt = deal.created_at === null ? undefined : Number(deal.created_at);

  // Per model and campaign/channel: stored credits for won deals, computed now for open ones.
  const perModel = new Map<string, { campaign: string | null; channel: string; cents: number }[]>();
  if (won) {
    const rows = await db
      .selectFrom('attribution_credit')
      .select(['model', 'campaign', 'channel', 'net_cents'])
      .where('portal_id', '=', portalId)
      .where('deal_id', '=', dealId)
      .execute();
    for (const row of rows) {
      const list = perModel.get(row.model) ?? [];
      list.push({ campaign: row.campaign, channel: row.channel, cents: Number(row.net_cents) });
      perModel.set(row.model, list);
    }
  } else if (outcome === 'open') {
    const computed = attributeDealJourneys(
      { dealId: String(dealId), amountCents, closedAt, dealCreatedAt, contacts },
      stored,
      { halfLifeMs: settings.timeDecayHalfLifeDays * DAY_MS, custom: settings.custom },
    );
    for (const [name, credits] of computed) {
      perModel.set(
        name,
        credits.map((credit) => ({
          campaign: credit.campaign,
          channel: credit.channel,
          cents: credit.cents,
        })),
      );
    }
  }

  const grouped = new Map<string, { campaign: string | null; channel: string; cents: number }>();
  for (const credit of perModel.get(model) ?? []) {
    const key = `${credit.campaign ?? '\u0000'}\u0001${credit.channel}`;
    const entry = grouped.get(key) ?? {
      campaign: credit.campaign,
      channel: credit.channel,
      cents: 0,
    };
    entry.cents += credit.cents;
    grouped.set(key, entry);
  }
  const credits = [...grouped.values()]
    .filter((entry) => entry.cents !== 0)
    .sort((a, b) => b.cents - a.cents || (a.channel < b.channel ? -1 : 1))
    .map((entry) => ({
      campaign: campaignRef(entry.campaign),
      channel: entry.channel,
      creditCents: entry.cents,
      share: amountCents === 0 ? 0 : entry.cents / amountCents,
    }));

  const byCampaign = new Map<string | null, Map<string, number>>();
  for (const [name, list] of perModel) {
    for (const credit of list) {
      const models = byCampaign.get(credit.campaign) ?? new Map<string, number>();
      models.set(name, (models.get(name) ?? 0) + credit.cents);
      byCampaign.set(credit.campaign, models);
    }
  }
  const spread = [...byCampaign].map(([campaign, models]) => {
    const entries = stored.map((name) => [name, models.get(name) ?? 0] as const);
    const min = entries.reduce((a, b) => (b[1] < a[1] ? b : a));
    const max = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
    return {
      campaign: campaignRef(campaign),
      minCents: min[1],
      minModel: min[0],
      maxCents: max[1],
      maxModel: max[0],
      ratio: min[1] === 0 ? null : max[1] / min[1],
    };
  });

  const steps: DealAttributionView['journey'] = [];
  for (const contact of contacts) {
    const touches = orderTouches({
      id: contact.contactId,
      converted: true,
      valueCents: 0,
      touches: contact.touches.map((touch) => ({
        id: touch.id,
        at: touch.at,
        channel: touch.channel,
        kind: touch.kind,
        ...(touch.campaign === null ? {} : { campaign: touch.campaign }),
      })),
      closedAt,
    });
    if (touches.length === 0) continue;
    const milestones = deriveMilestones(touches, {
      id: contact.contactId,
      converted: true,
      valueCents: 0,
      touches,
      ...(contact.createdAt !== undefined ? { contactCreatedAt: contact.createdAt } : {}),
      ...(dealCreatedAt !== undefined ? { dealCreatedAt } : {}),
      closedAt,
    });
    touches.forEach((touch, index) => {
      const held: Milestone[] = [];
      if (milestones.firstTouch === index) held.push('FT');
      if (milestones.leadCreation === index) held.push('LC');
      if (milestones.opportunityCreation === index) held.push('OC');
      if (milestones.closedWon === index && outcome === 'won') held.push('CW');
      steps.push({
        touchpointId: touch.id!,
        occurredAt: touch.at,
        kind: cardKind(touch.kind),
        channel: touch.channel,
        campaign: campaignRef(touch.campaign ?? null),
        contactId: contact.contactId,
        milestones: held,
      });
    });
  }
  steps.sort((a, b) => a.occurredAt - b.occurredAt || compareIds(a.touchpointId, b.touchpointId));
  const journey = trimJourney(steps);

  return {
    dealId: String(dealId),
    dealName: deal.dealname ?? null,
    amountCents,
    currency,
    outcome,
    closedAt: outcome === 'open' ? null : closedAt,
    expected: outcome === 'open',
    models: stored.map((id) => ({ id, label: MODELS[id] })),
    model,
    credits: outcome === 'lost' ? [] : credits,
    spread: outcome === 'lost' ? [] : spread,
    journey,
    journeyOmitted: steps.length - journey.length,
    computedAt: state ? Number(state.computed_at) : now,
  };
}

/** Milestone touches are kept; the oldest others are left out first. */
function trimJourney(steps: DealAttributionView['journey']): DealAttributionView['journey'] {
  if (steps.length <= JOURNEY_LIMIT) return steps;
  const milestones = steps.filter((step) => step.milestones.length > 0);
  const others = steps.filter((step) => step.milestones.length === 0);
  const keep = new Set([
    ...milestones.slice(-JOURNEY_LIMIT),
    ...others.slice(
      Math.max(0, others.length - (JOURNEY_LIMIT - Math.min(milestones.length, JOURNEY_LIMIT))),
    ),
  ]);
  return steps.filter((step) => keep.has(step));
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
