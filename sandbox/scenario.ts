import { createRng, type Rng, rngUuid } from './rng';
import {
  BASE_WIN,
  COMPANIES,
  COMPANY_SUFFIXES,
  DAY,
  FIRST,
  HOUR,
  LAST,
  MQL_RATE,
  OWNER_PROFILES,
  PLAN,
  PRODUCTS,
  SIZE_BY_FIT,
  TITLES_BY_FIT,
} from './scenario-plan';
import { drawLineItems, salesReaction } from './scenario-sales';
import { campaignTruth } from './scenario-truth';
import type {
  CompanyRef,
  ContactRef,
  DealRef,
  Fit,
  Scenario,
  ScenarioAction,
  ScenarioCampaign,
  ScenarioForm,
  ScenarioOptions,
  ScenarioOwner,
  TruthContact,
  TruthTouch,
} from './scenario-types';

export { type SalesReaction, salesReaction } from './scenario-sales';
export type * from './scenario-types';

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function dollars(cents: number): string {
  return (cents / 100).toFixed(2);
}

function buildOwners(rng: Rng): ScenarioOwner[] {
  return OWNER_PROFILES.map((profile, index) => {
    const firstName = rng.pick(FIRST);
    const lastName = rng.pick(LAST);
    return {
      id: String(rng.int(10_000_000, 99_999_999)),
      userId: rng.int(1_000_000, 9_999_999),
      email: `${firstName}.${lastName}.${index}@sales.scenario.test`.toLowerCase(),
      firstName,
      lastName,
      profile,
    };
  });
}

function buildCampaigns(
  rng: Rng,
  start: number,
  end: number,
): { campaigns: ScenarioCampaign[]; forms: ScenarioForm[] } {
  const campaigns: ScenarioCampaign[] = [];
  const forms: ScenarioForm[] = [];
  const months = Math.max(1, Math.round((end - start) / (30 * DAY)));
  PLAN.forEach((plan, index) => {
    const id = rngUuid(rng);
    const spendCents = Math.round(plan.spendDollars * (0.8 + rng.next() * 0.4)) * 100;
    const perMonth = Math.floor(spendCents / months);
    const spendItems = Array.from({ length: months }, (_, m) => ({
      name: `${plan.name} — month ${m + 1}`,
      amountCents: m === months - 1 ? spendCents - perMonth * (months - 1) : perMonth,
    }));
    const wantsForm = plan.channel !== 'email' && plan.channel !== 'event';
    const formGuid = wantsForm ? rngUuid(rng) : undefined;
    if (formGuid) forms.push({ guid: formGuid, name: `${plan.name} form`, campaignId: id });
    campaigns.push({
      id,
      name: `${plan.name} Q3`,
      channel: plan.channel,
      source: plan.source,
      startDate: isoDate(start),
      endDate: isoDate(end - 1),
      budgetCents: Math.round(spendCents * 1.1),
      spendItems,
      spendCents,
      trueLift: Math.round(plan.lift * (0.6 + rng.next() * 0.8) * 1000) / 1000,
      ...(formGuid ? { formGuid } : {}),
      ...(plan.channel === 'email' ? { emailCampaignId: 50_000 + index } : {}),
    });
  });
  return { campaigns, forms };
}

/**
 * Generates a quarter of marketing and sales activity for one company. Pure and deterministic: the same
 * options give the same scenario, value for value.
 *
 * The causal model behind the ground truth: each contact is touched by a few campaigns (by reach), becomes an
 * MQL with a probability set by its fit, is assigned to the next owner in rotation, and is ignored, rejected
 * or accepted according to that owner's profile and its fit. An accepted lead becomes a deal whose amount is
 * drawn first and which is won with probability `base(fit) + Σ trueLift` over the distinct campaigns it
 * touched. So a campaign's expected incremental revenue is exactly Σ trueLift × amount over the accepted
 * leads it touched, which is what an attribution model can be scored against.
 */
export function generateScenario(options: ScenarioOptions): Scenario {
  const rng = createRng(options.seed);
  const quarterStart = options.quarterStart ?? Date.UTC(2026, 6, 1);
  const quarterEnd = quarterStart + (options.days ?? 91) * DAY;
  const contactCount = options.contacts ?? 400;
  const decisionsVia = options.decisionsVia ?? 'hubspot';
  const reasonProperty = options.reasonProperty ?? 'truce_reject_reason';
  const owners = buildOwners(rng);
  const { campaigns, forms } = buildCampaigns(rng, quarterStart, quarterEnd);
  const reach = PLAN.map((p) => p.reach);
  const actions: ScenarioAction[] = [];
  const push = (action: ScenarioAction): void => {
    actions.push(action);
  };
  const contacts: TruthContact[] = [];
  const companyRefs = new Map<string, CompanyRef>();
  let rotation = 0;
  let dealCount = 0;
  let lineItemCount = 0;

  for (let i = 0; i < contactCount; i++) {
    const ref: ContactRef = `c${i + 1}`;
    const fit: Fit = rng.weighted(['high', 'mid', 'low'] as const, [0.25, 0.45, 0.3]);
    const arrival = quarterStart + Math.floor(rng.next() * (quarterEnd - quarterStart) * 0.7);
    const touchCount = rng.weighted([1, 2, 3, 4, 5], [0.3, 0.3, 0.2, 0.12, 0.08]);
    const touches: TruthTouch[] = [];
    let at = arrival;
    // The first touch creates the contact, so it cannot be an email (HubSpot only mails known contacts).
    let first = rng.weighted(campaigns, reach);
    while (first.channel === 'email') first = rng.weighted(campaigns, reach);
    const firstName = rng.pick(FIRST);
    const lastName = rng.pick(LAST);
    const company = `${rng.pick(COMPANIES)} ${rng.pick(COMPANY_SUFFIXES)}`;
    let companyRef = companyRefs.get(company);
    if (!companyRef) {
      companyRef = `co${companyRefs.size + 1}`;
      companyRefs.set(company, companyRef);
      // Target accounts are in the CRM before the quarter starts (an ABM list), ahead of any contact.
      push({
        kind: 'company.create',
        at: quarterStart - DAY,
        company: companyRef,
        properties: {
          name: company,
          domain: `${company.replace(/\W+/g, '-').toLowerCase()}.scenario.test`,
          numberofemployees: String(rng.int(5, 5_000)),
        },
      });
    }
    push({
      kind: 'contact.create',
      at,
      contact: ref,
      company: companyRef,
      changeSource: first.channel === 'event' ? 'IMPORT' : 'FORM',
      properties: {
        email:
          `${firstName}.${lastName}.${i + 1}@${company.replace(/\W+/g, '-')}.scenario.test`.toLowerCase(),
        firstname: firstName,
        lastname: lastName,
        company,
        jobtitle: rng.pick(TITLES_BY_FIT[fit]),
        numemployees: rng.pick(SIZE_BY_FIT[fit]),
        lifecyclestage: 'lead',
      },
    });
    for (let t = 0; t < touchCount; t++) {
      const campaign = t === 0 ? first : rng.weighted(campaigns, reach);
      if (t > 0) {
        at += Math.round(rng.exponential(5 * DAY));
        // Unpaid visits between campaign touches: noise every attribution model has to see through.
        if (rng.chance(0.3)) {
          const organic = rng.chance(0.6);
          push({
            kind: 'visit',
            at,
            contact: ref,
            source: organic ? 'ORGANIC_SEARCH' : 'DIRECT_TRAFFIC',
            sourceData1: organic ? 'google' : '',
            url: 'https://www.truce.example/blog',
            interaction: 'PAGE_VIEW',
          });
          touches.push({ at, campaignId: null, channel: organic ? 'organic' : 'direct' });
          at += Math.round(rng.exponential(DAY));
        }
      }
      touches.push({ at, campaignId: campaign.id, channel: campaign.channel });
      pushTouch(push, campaign, ref, at, rng);
    }
    const truth = { ref, fit, touches };
    if (!rng.chance(MQL_RATE[fit])) {
      contacts.push({ ...truth, outcome: 'not_mql' });
      continue;
    }
    const mqlAt = at + Math.round(rng.exponential(2 * HOUR)) + 60_000;
    const owner = owners[rotation++ % owners.length] as ScenarioOwner;
    push({
      kind: 'contact.update',
      at: mqlAt,
      contact: ref,
      changeSource: 'AUTOMATION_PLATFORM',
      properties: {
        lifecyclestage: 'marketingqualifiedlead',
        hs_lifecyclestage_marketingqualifiedlead_date: iso(mqlAt),
        hs_lead_status: 'NEW',
        hubspot_owner_id: owner.id,
      },
    });
    const mql = { ...truth, mqlAt, ownerId: owner.id };
    const reaction = salesReaction(owner.profile, fit, [
      rng.next(),
      rng.next(),
      rng.next(),
      rng.next(),
    ]);
    if (reaction.kind === 'ignored') {
      contacts.push({ ...mql, outcome: 'ignored' });
      continue;
    }
    const touchedAt = mqlAt + reaction.firstTouchMs;
    push({
      kind: 'contact.update',
      at: touchedAt,
      contact: ref,
      changeSource: 'CRM_UI',
      userId: owner.userId,
      properties: {
        hs_lead_status: 'ATTEMPTED_TO_CONTACT',
        notes_last_contacted: iso(touchedAt),
        hs_last_sales_activity_timestamp: iso(touchedAt),
      },
    });
    const decidedAt = touchedAt + Math.round(rng.exponential(DAY)) + 10 * 60_000;
    const worked = { ...mql, firstTouchMinutes: Math.round(reaction.firstTouchMs / 60_000) };
    if (reaction.kind === 'rejected') {
      push({
        kind: 'lead.decision',
        at: decidedAt,
        contact: ref,
        ownerId: owner.id,
        decision: 'rejected',
        reason: reaction.reason,
        via: decisionsVia,
      });
      if (decisionsVia === 'hubspot') {
        push({
          kind: 'contact.update',
          at: decidedAt,
          contact: ref,
          changeSource: 'CRM_UI',
          userId: owner.userId,
          // The reason first: Truce reads it when the UNQUALIFIED status arrives.
          properties: { [reasonProperty]: reaction.reason, hs_lead_status: 'UNQUALIFIED' },
        });
      }
      contacts.push({ ...worked, outcome: 'rejected', reason: reaction.reason });
      continue;
    }
    push({
      kind: 'lead.decision',
      at: decidedAt,
      contact: ref,
      ownerId: owner.id,
      decision: 'accepted',
      via: decisionsVia,
    });
    push({
      kind: 'contact.update',
      at: decidedAt,
      contact: ref,
      changeSource: 'CRM_UI',
      userId: owner.userId,
      properties:
        decisionsVia === 'hubspot'
          ? {
              hs_lead_status: 'CONNECTED',
              lifecyclestage: 'salesqualifiedlead',
              hs_lifecyclestage_salesqualifiedlead_date: iso(decidedAt),
            }
          : { hs_lead_status: 'CONNECTED' },
    });
    // The deal: amount drawn before the outcome, so expected incremental revenue is well defined.
    const deal: DealRef = `d${++dealCount}`;
    const dealAt = decidedAt + Math.round(rng.exponential(2 * DAY)) + HOUR;
    const lines = drawLineItems(rng);
    const amountCents = lines.reduce((sum, line) => sum + line.netCents, 0);
    const touchedCampaigns = new Set(touches.flatMap((t) => (t.campaignId ? [t.campaignId] : [])));
    const winProbability =
      BASE_WIN[fit] +
      campaigns.filter((c) => touchedCampaigns.has(c.id)).reduce((sum, c) => sum + c.trueLift, 0);
    const won = rng.next() < winProbability;
    // Deals close inside the quarter when they can; one opened in its last hours closes an hour later.
    const closeAt = Math.max(
      dealAt + HOUR,
      Math.min(dealAt + Math.round(rng.exponential(20 * DAY)) + DAY, quarterEnd - HOUR),
    );
    push({
      kind: 'deal.create',
      at: dealAt,
      deal,
      contact: ref,
      company: companyRef,
      stage: 'discovery',
      properties: {
        dealname: `${company} — new business`,
        amount: dollars(amountCents),
        hubspot_owner_id: owner.id,
      },
    });
    // HubSpot's lifecycle automation: a contact with an open deal is an opportunity, a won deal makes a customer.
    push({
      kind: 'contact.update',
      at: dealAt,
      contact: ref,
      changeSource: 'AUTOMATION_PLATFORM',
      properties: { lifecyclestage: 'opportunity' },
    });
    for (const line of lines) {
      push({
        kind: 'lineItem.create',
        at: dealAt,
        deal,
        lineItem: `li${++lineItemCount}`,
        properties: {
          name: line.product.name,
          price: dollars(line.product.priceCents),
          quantity: String(line.quantity),
          hs_discount_percentage: String(line.discountPercent),
        },
      });
    }
    const midAt = dealAt + Math.round((closeAt - dealAt) / 2);
    push({
      kind: 'deal.update',
      at: midAt,
      deal,
      userId: owner.userId,
      stage: 'proposal',
      properties: {},
    });
    push({
      kind: 'deal.update',
      at: closeAt,
      deal,
      userId: owner.userId,
      stage: won ? 'won' : 'lost',
      properties: {
        closedate: iso(closeAt),
        ...(won ? {} : { closed_lost_reason: rng.pick(['Price', 'Competitor', 'No decision']) }),
      },
    });
    if (won) {
      push({
        kind: 'contact.update',
        at: closeAt,
        contact: ref,
        changeSource: 'AUTOMATION_PLATFORM',
        properties: { lifecyclestage: 'customer' },
      });
    }
    contacts.push({
      ...worked,
      outcome: won ? 'won' : 'lost',
      deal,
      dealAmountCents: amountCents,
      winProbability: Math.round(winProbability * 10_000) / 10_000,
    });
  }

  // Sorting indices keeps ties in generation order without copying the actions.
  const times = Float64Array.from(actions, (a) => a.at);
  const order = Uint32Array.from(actions, (_, index) => index);
  order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  const timeline = Array.from(order, (index) => actions[index] as ScenarioAction);
  return {
    seed: options.seed,
    setup: { quarterStart, quarterEnd, owners, campaigns, forms, products: PRODUCTS },
    timeline,
    truth: {
      baseWinProbability: BASE_WIN,
      campaigns: campaignTruth(campaigns, contacts),
      contacts,
      totals: {
        contacts: contacts.length,
        mqls: contacts.filter((c) => c.mqlAt !== undefined).length,
        accepted: contacts.filter((c) => c.outcome === 'won' || c.outcome === 'lost').length,
        rejected: contacts.filter((c) => c.outcome === 'rejected').length,
        ignored: contacts.filter((c) => c.outcome === 'ignored').length,
        won: contacts.filter((c) => c.outcome === 'won').length,
        lost: contacts.filter((c) => c.outcome === 'lost').length,
        wonRevenueCents: contacts
          .filter((c) => c.outcome === 'won')
          .reduce((sum, c) => sum + (c.dealAmountCents ?? 0), 0),
        spendCents: campaigns.reduce((sum, c) => sum + c.spendCents, 0),
      },
    },
  };
}

/** The actions one campaign touch leaves in HubSpot, by channel. */
function pushTouch(
  push: (action: ScenarioAction) => void,
  campaign: ScenarioCampaign,
  contact: ContactRef,
  at: number,
  rng: Rng,
): void {
  const plan = PLAN.find((p) => campaign.name.startsWith(p.name));
  const landing = `https://www.truce.example/lp/${campaign.channel}?utm_campaign=${encodeURIComponent(campaign.name)}`;
  switch (campaign.channel) {
    case 'email':
      push({
        kind: 'email.event',
        at: at - 5 * 60_000,
        contact,
        type: 'OPEN',
        emailCampaignId: campaign.emailCampaignId ?? 0,
        emailName: campaign.name,
        campaignId: campaign.id,
      });
      push({
        kind: 'email.event',
        at,
        contact,
        type: 'CLICK',
        emailCampaignId: campaign.emailCampaignId ?? 0,
        emailName: campaign.name,
        campaignId: campaign.id,
        url: landing,
      });
      return;
    case 'event':
      push({
        kind: 'visit',
        at,
        contact,
        source: 'OFFLINE',
        sourceData1: plan?.sourceData1 ?? '',
        url: '',
        campaignId: campaign.id,
        interaction: 'EVENT',
      });
      return;
    default:
      push({
        kind: 'visit',
        at,
        contact,
        source: campaign.source,
        sourceData1: plan?.sourceData1 ?? '',
        url: landing,
        campaignId: campaign.id,
        interaction:
          campaign.channel === 'paid_social' || campaign.channel === 'paid_search'
            ? 'AD_CLICK'
            : 'PAGE_VIEW',
      });
      if (campaign.formGuid && (campaign.channel !== 'paid_search' || rng.chance(0.6))) {
        push({
          kind: 'form.submit',
          at: at + 3 * 60_000,
          contact,
          formGuid: campaign.formGuid,
          pageUrl: landing,
        });
      }
  }
}
