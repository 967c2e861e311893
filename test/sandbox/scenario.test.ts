import { generateScenario, salesReaction, type Scenario } from '../../sandbox/scenario';

function refsUsed(scenario: Scenario): void {
  const contacts = new Set<string>();
  const deals = new Set<string>();
  const companies = new Set<string>();
  for (const action of scenario.timeline) {
    if (action.kind === 'company.create') companies.add(action.company);
    else if ('company' in action) expect(companies.has(action.company)).toBe(true);
    if (action.kind === 'contact.create') contacts.add(action.contact);
    else if ('contact' in action) expect(contacts.has(action.contact)).toBe(true);
    if (action.kind === 'deal.create') deals.add(action.deal);
    else if ('deal' in action) expect(deals.has(action.deal)).toBe(true);
  }
}

describe('scenario generator', () => {
  const scenario = generateScenario({ seed: 2026, contacts: 1_500 });

  it('gives the same scenario for the same seed and a different one for another seed', () => {
    expect(generateScenario({ seed: 2026, contacts: 1_500 })).toEqual(scenario);
    const other = generateScenario({ seed: 2027, contacts: 1_500 });
    expect(other.timeline).not.toEqual(scenario.timeline);
    expect(other.truth.campaigns.map((c) => c.trueLift)).not.toEqual(
      scenario.truth.campaigns.map((c) => c.trueLift),
    );
  });

  it('orders the timeline by time and creates every record before using it', () => {
    const times = scenario.timeline.map((a) => a.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    refsUsed(scenario);
    const closes = scenario.timeline.filter(
      (a) => a.kind === 'deal.update' && (a.stage === 'won' || a.stage === 'lost'),
    );
    // Deals opened in the quarter's last days may close just after it; most close inside.
    const inside = closes.filter((a) => a.at < scenario.setup.quarterEnd);
    expect(inside.length / closes.length).toBeGreaterThan(0.9);
  });

  it('keeps the ground truth consistent with the timeline', () => {
    const { totals, contacts, campaigns } = scenario.truth;
    expect(totals.contacts).toBe(1_500);
    expect(totals.mqls).toBe(totals.accepted + totals.rejected + totals.ignored);
    expect(totals.accepted).toBe(totals.won + totals.lost);
    const decisions = scenario.timeline.filter((a) => a.kind === 'lead.decision');
    expect(decisions.filter((d) => d.decision === 'accepted')).toHaveLength(totals.accepted);
    expect(decisions.filter((d) => d.decision === 'rejected')).toHaveLength(totals.rejected);
    const wonStages = scenario.timeline.filter(
      (a) => a.kind === 'deal.update' && a.stage === 'won',
    );
    expect(wonStages).toHaveLength(totals.won);
    for (const campaign of campaigns) {
      const accepted = contacts.filter(
        (c) =>
          (c.outcome === 'won' || c.outcome === 'lost') &&
          c.touches.some((t) => t.campaignId === campaign.id),
      );
      const expected =
        accepted.reduce((sum, c) => sum + (c.dealAmountCents ?? 0), 0) * campaign.trueLift;
      expect(campaign.expectedIncrementalRevenueCents).toBe(Math.round(expected));
      expect(campaign.spendCents).toBe(
        scenario.setup.campaigns
          .find((c) => c.id === campaign.id)
          ?.spendItems.reduce((s, i) => s + i.amountCents, 0),
      );
    }
    const shares = campaigns.reduce((sum, c) => sum + c.trueRevenueShare, 0);
    expect(shares).toBeCloseTo(1, 3);
  });

  it('prices deals as the sum of their discounted line items', () => {
    const lines = new Map<string, number>();
    for (const action of scenario.timeline) {
      if (action.kind !== 'lineItem.create') continue;
      const p = action.properties;
      const net =
        (Number(p.price) * Number(p.quantity) * (100 - Number(p.hs_discount_percentage))) / 100;
      lines.set(action.deal, (lines.get(action.deal) ?? 0) + Math.round(net * 100));
    }
    const created = scenario.timeline.filter((a) => a.kind === 'deal.create');
    expect(created.length).toBe(scenario.truth.totals.accepted);
    for (const deal of created) {
      expect(Math.round(Number(deal.properties.amount) * 100)).toBe(lines.get(deal.deal));
    }
    const discounted = scenario.timeline.filter(
      (a) => a.kind === 'lineItem.create' && a.properties.hs_discount_percentage !== '0',
    );
    expect(discounted.length).toBeGreaterThan(0);
  });

  it('wins deals about as often as the causal model says', () => {
    const big = generateScenario({ seed: 9, contacts: 3_000 });
    const accepted = big.truth.contacts.filter((c) => c.winProbability !== undefined);
    const expected = accepted.reduce((sum, c) => sum + (c.winProbability ?? 0), 0);
    const sd = Math.sqrt(
      accepted.reduce((s, c) => s + (c.winProbability ?? 0) * (1 - (c.winProbability ?? 0)), 0),
    );
    expect(Math.abs(big.truth.totals.won - expected)).toBeLessThan(4 * sd);
  });

  it('has owners who differ: fast ones touch sooner, picky ones reject more, some ignore leads', () => {
    const byOwner = new Map<
      string,
      { delays: number[]; rejected: number; worked: number; ignored: number }
    >();
    for (const c of scenario.truth.contacts) {
      if (!c.ownerId) continue;
      const row = byOwner.get(c.ownerId) ?? { delays: [], rejected: 0, worked: 0, ignored: 0 };
      if (c.outcome === 'ignored') row.ignored++;
      else {
        row.worked++;
        row.delays.push(c.firstTouchMinutes ?? 0);
        if (c.outcome === 'rejected') row.rejected++;
      }
      byOwner.set(c.ownerId, row);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const owner = (label: string) =>
      byOwner.get(scenario.setup.owners.find((o) => o.profile.label === label)?.id ?? '') ?? {
        delays: [],
        rejected: 0,
        worked: 1,
        ignored: 0,
      };
    expect(median(owner('fast').delays)).toBeLessThan(median(owner('slow').delays));
    expect(owner('picky').rejected / owner('picky').worked).toBeGreaterThan(
      owner('fast').rejected / owner('fast').worked,
    );
    expect(scenario.truth.totals.ignored).toBeGreaterThan(0);
    const reasons = new Set(scenario.truth.contacts.flatMap((c) => (c.reason ? [c.reason] : [])));
    expect(reasons.size).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ['ignores below the ignore rate', [0.01, 0.5, 0.5, 0.5], 'ignored'],
    ['rejects a low-fit lead a picky owner sees', [0.5, 0.5, 0.5, 0.1], 'rejected'],
    ['accepts when the reject draw is high', [0.5, 0.5, 0.99, 0.1], 'accepted'],
  ] as const)('salesReaction %s', (_label, draws, kind) => {
    const profile = {
      label: 'picky',
      meanFirstTouchHours: 6,
      ignoreRate: 0.03,
      rejectRate: 0.55,
    } as const;
    expect(salesReaction(profile, 'low', draws).kind).toBe(kind);
  });

  it('generates 10,000 contacts', () => {
    const large = generateScenario({ seed: 1, contacts: 10_000 });
    expect(large.truth.totals.contacts).toBe(10_000);
    expect(large.timeline.filter((a) => a.kind === 'contact.create')).toHaveLength(10_000);
  });
});

describe('scenario decisions', () => {
  it('records decisions in HubSpot by default: reason property then UNQUALIFIED, or SQL', () => {
    const scenario = generateScenario({ seed: 5, contacts: 300 });
    const rejected = scenario.truth.contacts.filter((c) => c.outcome === 'rejected');
    const updates = scenario.timeline.filter(
      (a) => a.kind === 'contact.update' && a.properties.hs_lead_status === 'UNQUALIFIED',
    );
    expect(updates).toHaveLength(rejected.length);
    for (const update of updates) {
      if (update.kind !== 'contact.update') continue;
      expect(Object.keys(update.properties)).toEqual(['truce_reject_reason', 'hs_lead_status']);
      const truth = rejected.find((c) => c.ref === update.contact);
      expect(update.properties.truce_reject_reason).toBe(truth?.reason);
    }
    const decisions = scenario.timeline.filter((a) => a.kind === 'lead.decision');
    expect(decisions.every((d) => d.kind === 'lead.decision' && d.via === 'hubspot')).toBe(true);
    const customers = scenario.timeline.filter(
      (a) => a.kind === 'contact.update' && a.properties.lifecyclestage === 'customer',
    );
    expect(customers).toHaveLength(scenario.truth.totals.won);
  });

  it('leaves decisions to the card when asked, keeping the activity signals in HubSpot', () => {
    const scenario = generateScenario({ seed: 5, contacts: 300, decisionsVia: 'card' });
    const decisionChanges = scenario.timeline.filter(
      (a) =>
        a.kind === 'contact.update' &&
        (a.properties.hs_lead_status === 'UNQUALIFIED' ||
          a.properties.lifecyclestage === 'salesqualifiedlead' ||
          'truce_reject_reason' in a.properties),
    );
    expect(decisionChanges).toHaveLength(0);
    const decisions = scenario.timeline.filter((a) => a.kind === 'lead.decision');
    expect(decisions.length).toBe(scenario.truth.totals.accepted + scenario.truth.totals.rejected);
    expect(decisions.every((d) => d.kind === 'lead.decision' && d.via === 'card')).toBe(true);
  });
});
