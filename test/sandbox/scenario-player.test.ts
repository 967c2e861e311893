import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import { generateScenario } from '../../sandbox/scenario';
import { playScenario } from '../../sandbox/scenario-player';
import type { WebhookEvent } from '../../sandbox/webhook-events';
import { type Receiver, sandboxClient, startReceiver } from '../helpers/sandbox';

describe('playing a scenario into the sandbox', () => {
  let sandbox: Sandbox;
  let receiver: Receiver;
  afterEach(async () => {
    await sandbox?.close();
    await receiver?.close();
  });

  it('reproduces the scenario in the portal and announces it through webhooks', async () => {
    const scenario = generateScenario({ seed: 77, contacts: 120 });
    receiver = await startReceiver();
    sandbox = await createSandbox({ seed: 77 });
    sandbox.webhooks.connect({
      targetUrl: receiver.url,
      clientSecret: 'secret',
      retryTimeScale: 1e-5,
    });
    const decisions: Array<[string, string]> = [];
    let progress = 0;
    const state = await playScenario(sandbox, scenario, {
      onDecision: (action, contactId) => void decisions.push([contactId, action.decision]),
      onProgress: (done) => (progress = done),
      flushEvery: 500,
    });
    await sandbox.flush();
    const { totals } = scenario.truth;

    expect(progress).toBe(scenario.timeline.length);
    expect(sandbox.portal.count('contacts')).toBe(120);
    expect(sandbox.portal.count('companies')).toBe(state.companies.size);
    for (const contactId of state.contacts.values()) {
      expect(sandbox.portal.associations('contacts', contactId, 'companies')).toHaveLength(1);
    }
    expect(decisions).toHaveLength(totals.accepted + totals.rejected);
    const deals = sandbox.portal.list('deals');
    expect(deals).toHaveLength(totals.accepted);
    expect(deals.filter((d) => d.properties.hs_is_closed_won === 'true')).toHaveLength(totals.won);
    const wonCents = deals
      .filter((d) => d.properties.hs_is_closed_won === 'true')
      .reduce((sum, d) => sum + Math.round(Number(d.properties.amount) * 100), 0);
    expect(wonCents).toBe(totals.wonRevenueCents);
    for (const deal of deals) {
      expect(sandbox.portal.associations('deals', deal.id, 'companies')[0]?.typeIds).toEqual([341]);
      const items = sandbox.portal.associations('deals', deal.id, 'line_items');
      const sum = items.reduce(
        (s, row) => s + Number(sandbox.portal.get('line_items', row.toId)?.properties.amount),
        0,
      );
      expect(Math.round(sum * 100)).toBe(Math.round(Number(deal.properties.amount) * 100));
    }

    // The history carries the scenario's calendar and sources, as propertiesWithHistory would show.
    const [firstMql] = scenario.truth.contacts.filter((c) => c.mqlAt !== undefined);
    const contactId = state.contacts.get(firstMql?.ref ?? 'c0') ?? '';
    const client = sandboxClient(sandbox);
    const read = await client.crm.contacts.batchApi.read({
      inputs: [{ id: contactId }],
      properties: ['hs_analytics_source'],
      propertiesWithHistory: ['lifecyclestage', 'hs_latest_source'],
    });
    const lifecycle = read.results[0]?.propertiesWithHistory?.lifecyclestage ?? [];
    expect(lifecycle.find((h) => h.value === 'marketingqualifiedlead')?.timestamp.getTime()).toBe(
      firstMql?.mqlAt,
    );
    expect(lifecycle.find((h) => h.value === 'marketingqualifiedlead')?.sourceType).toBe(
      'AUTOMATION_PLATFORM',
    );
    expect(read.results[0]?.propertiesWithHistory?.hs_latest_source?.[0]?.sourceType).toBe(
      'ANALYTICS',
    );

    const events = receiver.requests.flatMap((r) => JSON.parse(r.rawBody) as WebhookEvent[]);
    const mqlEvents = events.filter(
      (e) => e.propertyName === 'lifecyclestage' && e.propertyValue === 'marketingqualifiedlead',
    );
    expect(mqlEvents).toHaveLength(totals.mqls);
    expect(
      events.filter((e) => e.subscriptionType === 'object.creation' && e.objectTypeId === '0-3'),
    ).toHaveLength(totals.accepted);
    expect(Math.min(...mqlEvents.map((e) => e.occurredAt))).toBeGreaterThanOrEqual(
      scenario.setup.quarterStart,
    );
    expect(sandbox.webhooks.stats().deadEvents).toBe(0);

    // Campaign metadata and spend come through the marketing API.
    const campaign = scenario.setup.campaigns[0];
    const budget = await (
      await client.apiRequest({
        method: 'GET',
        path: `/marketing/v3/campaigns/${campaign?.id}/budget/totals`,
      })
    ).json();
    expect(Math.round(budget.spendTotal * 100)).toBe(campaign?.spendCents);
  });

  it('holds 10,000 contacts and searches them through the client', async () => {
    sandbox = await createSandbox({
      seed: 4,
      contacts: 10_000,
      rateLimit: { searchPerSecond: 100 },
    });
    const client = sandboxClient(sandbox);
    const page = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [],
      sorts: ['-createdate'],
      properties: ['email'],
      limit: 200,
      after: '9800',
    });
    expect(page.total).toBe(10_000);
    expect(page.results).toHaveLength(200);
    expect(page.paging).toBeUndefined();
    const subscribers = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'lifecyclestage', operator: 'EQ' as never, value: 'subscriber' },
          ],
        },
      ],
      limit: 1,
      after: '0',
    });
    expect(subscribers.total).toBe(
      sandbox.portal.list('contacts').filter((c) => c.properties.lifecyclestage === 'subscriber')
        .length,
    );
  });
});
