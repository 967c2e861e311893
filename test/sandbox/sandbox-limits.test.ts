import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import { sandboxClient } from '../helpers/sandbox';

async function raw(sandbox: Sandbox, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sandbox.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${sandbox.accessToken}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
}

describe('sandbox rate limits and fault switches', () => {
  const sandboxes: Sandbox[] = [];
  const start = async (options: Parameters<typeof createSandbox>[0]) => {
    const sandbox = await createSandbox(options);
    sandboxes.push(sandbox);
    return sandbox;
  };
  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map((s) => s.close()));
  });

  it('answers 429 TEN_SECONDLY_ROLLING with the rate-limit headers once the 10 s budget is spent', async () => {
    // A fixed wall clock keeps every call inside one window whatever the machine's speed.
    const sandbox = await start({ rateLimit: { perTenSeconds: 3 }, clock: () => 1_000_000 });
    const client = sandboxClient(sandbox);
    for (let i = 0; i < 3; i++) await client.crm.owners.ownersApi.getPage();
    const error = await client.crm.owners.ownersApi.getPage().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 429,
      body: { policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' },
    });
    const response = await raw(sandbox, '/crm/v3/owners');
    expect(response.status).toBe(429);
    expect(response.headers.get('x-hubspot-ratelimit-max')).toBe('3');
    expect(response.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(response.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
  });

  it('frees the budget as the rolling window moves on', async () => {
    let now = 5_000_000;
    const sandbox = await start({ rateLimit: { perTenSeconds: 2 }, clock: () => now });
    expect((await raw(sandbox, '/crm/v3/owners')).status).toBe(200);
    expect((await raw(sandbox, '/crm/v3/owners')).status).toBe(200);
    expect((await raw(sandbox, '/crm/v3/owners')).status).toBe(429);
    now += 10_001;
    const response = await raw(sandbox, '/crm/v3/owners');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hubspot-ratelimit-remaining')).toBe('1');
  });

  it('adds Retry-After to a 429 only when asked', async () => {
    let now = 2_000_000;
    const sandbox = await start({ rateLimit: { perTenSeconds: 1 }, clock: () => now });
    await raw(sandbox, '/crm/v3/owners');
    expect((await raw(sandbox, '/crm/v3/owners')).headers.get('retry-after')).toBeNull();
    sandbox.rateLimiter.sendRetryAfter = true;
    now += 7_500;
    expect((await raw(sandbox, '/crm/v3/owners')).headers.get('retry-after')).toBe('3');
  });

  it('answers 429 DAILY when a daily budget is configured and spent', async () => {
    const sandbox = await start({ rateLimit: { daily: 2 }, clock: () => 86_400_000 * 3 + 5 });
    await raw(sandbox, '/crm/v3/owners');
    const second = await raw(sandbox, '/crm/v3/owners');
    expect(second.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
    const third = await raw(sandbox, '/crm/v3/owners');
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ policyName: 'DAILY' });
  });

  it('limits search to its own per-second budget', async () => {
    const sandbox = await start({ rateLimit: { searchPerSecond: 1 }, clock: () => 42 });
    const search = () =>
      raw(sandbox, '/crm/v3/objects/contacts/search', { method: 'POST', body: '{}' });
    expect((await search()).status).toBe(200);
    const limited = await search();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({
      message: 'You have reached your secondly limit.',
    });
  });

  it('forces 5xx answers for a number of calls, then recovers', async () => {
    const sandbox = await start({});
    Object.assign(sandbox.faults, { forceStatus: 502, forceCount: 2 });
    const client = sandboxClient(sandbox);
    await expect(client.crm.owners.ownersApi.getPage()).rejects.toMatchObject({ code: 502 });
    await expect(client.crm.owners.ownersApi.getPage()).rejects.toMatchObject({ code: 502 });
    await expect(client.crm.owners.ownersApi.getPage()).resolves.toBeDefined();
  });

  it('answers 503 for every call during an outage, switched over the admin API', async () => {
    const sandbox = await start({});
    const admin = (body: unknown) =>
      fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await admin({ api: { outage: true } });
    expect((await raw(sandbox, '/crm/v3/owners')).status).toBe(503);
    await admin({ api: { outage: false } });
    expect((await raw(sandbox, '/crm/v3/owners')).status).toBe(200);
  });

  it('stalls calls when asked, so client timeouts can be exercised', async () => {
    const sandbox = await start({});
    sandbox.faults.stallMs = 2_000;
    await expect(
      raw(sandbox, '/crm/v3/owners', { signal: AbortSignal.timeout(50) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    sandbox.faults.stallMs = 0;
    expect((await raw(sandbox, '/crm/v3/owners')).status).toBe(200);
  });
});

describe('sandbox marketing endpoints through client.apiRequest', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ seed: 3, clock: () => Date.UTC(2026, 6, 1) });
  });
  afterAll(() => sandbox.close());

  it('lists campaigns with assets, budget totals and a revenue report per model', async () => {
    const { admin, portal } = sandbox;
    const campaign = admin.addCampaign({
      name: 'Q3 webinar',
      startDate: '2026-07-01',
      endDate: '2026-09-30',
      budget: [{ name: 'Ads', amount: 5000 }],
      spend: [
        { name: 'LinkedIn', amount: 1200.5 },
        { name: 'Speaker', amount: 800 },
      ],
    });
    const other = admin.addCampaign({
      name: 'Search',
      startDate: '2026-07-01',
      endDate: '2026-09-30',
      assets: [
        {
          id: '4700000001',
          name: 'Search follow-up',
          type: 'MARKETING_EMAIL',
          emailCampaignIds: [77],
        },
      ],
    });
    const form = admin.addForm({ name: 'Webinar signup', campaignId: campaign.id });
    const contact = admin.create('contacts', { email: 'buyer@example.test' });
    admin.setTime(Date.UTC(2026, 6, 2));
    admin.recordVisit(contact, { source: 'PAID_SEARCH', campaignId: other.id });
    admin.setTime(Date.UTC(2026, 6, 3));
    admin.submitForm(form.guid, contact);
    admin.setTime(Date.UTC(2026, 7, 1));
    const deal = admin.create('deals', {
      dealname: 'Won',
      amount: '1000',
      closedate: new Date(Date.UTC(2026, 7, 1)).toISOString(),
      dealstage: sandbox.seeded.pipeline.stages.won,
    });
    admin.associate('deals', deal, 'contacts', contact);
    admin.setTime(undefined);
    const client = sandboxClient(sandbox);
    const get = async (path: string) => (await client.apiRequest({ method: 'GET', path })).json();

    const list = await get('/marketing/v3/campaigns?limit=1');
    expect(list.results).toHaveLength(1);
    expect(list.paging.next.after).toBe('1');
    const assets = await get(`/marketing/v3/campaigns/${campaign.id}/assets/FORM`);
    expect(assets.results).toEqual([{ id: form.guid, name: 'Webinar signup' }]);
    // The email asset is the email (content id); the email events API knows it by its send ids.
    const emailAssets = await get(`/marketing/v3/campaigns/${other.id}/assets/MARKETING_EMAIL`);
    expect(emailAssets.results).toEqual([{ id: '4700000001', name: 'Search follow-up' }]);
    const email = await get('/marketing/v3/emails/4700000001');
    expect(email).toMatchObject({ campaign: other.id, allEmailCampaignIds: ['77'] });
    const missing = await client.apiRequest({ method: 'GET', path: '/marketing/v3/emails/1' });
    expect(missing.status).toBe(404);
    const budget = await get(`/marketing/v3/campaigns/${campaign.id}/budget/totals`);
    expect(budget).toMatchObject({ budgetTotal: 5000, spendTotal: 2000.5, currencyCode: 'USD' });
    expect(budget.spendItems).toHaveLength(2);
    // HubSpot's budget items carry epoch-millisecond timestamps, not ISO strings.
    expect(typeof budget.spendItems[0].createdAt).toBe('number');
    expect(budget.remainingBudget).toBe(5000 - 2000.5);
    const first = await get(
      `/marketing/v3/campaigns/${campaign.id}/reports/revenue?attributionModel=FIRST_INTERACTION`,
    );
    const last = await get(
      `/marketing/v3/campaigns/${campaign.id}/reports/revenue?attributionModel=LAST_INTERACTION`,
    );
    const linear = await get(
      `/marketing/v3/campaigns/${campaign.id}/reports/revenue?attributionModel=LINEAR`,
    );
    expect(first).toMatchObject({ revenueAmount: 0, dealsNumber: 1, contactsNumber: 1 });
    expect(last).toMatchObject({ revenueAmount: 1000, dealAmount: 1000 });
    expect(linear.revenueAmount).toBe(500);
    expect(portal.get('contacts', contact)?.properties.recent_conversion_event_name).toBe(
      'Webinar signup',
    );
  });

  it('pages form submissions and filters marketing email events', async () => {
    const { admin } = sandbox;
    const form = admin.addForm({ name: 'Demo request' });
    const contacts = Array.from({ length: 3 }, (_, i) =>
      admin.create('contacts', { email: `form-${i}@example.test` }),
    );
    for (const id of contacts) admin.submitForm(form.guid, id, { values: { company: 'Acme' } });
    admin.emailEvent(contacts[0] as string, { type: 'OPEN', emailCampaignId: 77 });
    admin.emailEvent(contacts[0] as string, {
      type: 'CLICK',
      emailCampaignId: 77,
      url: 'https://x.test',
    });
    const client = sandboxClient(sandbox);
    const get = async (path: string) => (await client.apiRequest({ method: 'GET', path })).json();
    const page1 = await get(`/form-integrations/v1/submissions/forms/${form.guid}?limit=2`);
    expect(page1.results).toHaveLength(2);
    expect(page1.results[0].values).toContainEqual({
      name: 'company',
      value: 'Acme',
      objectTypeId: '0-1',
    });
    const page2 = await get(
      `/form-integrations/v1/submissions/forms/${form.guid}?limit=2&after=${page1.paging.next.after}`,
    );
    expect(page2.results).toHaveLength(1);
    expect(page2.paging).toBeUndefined();
    const clicks = await get('/email/public/v1/events?campaignId=77&eventType=CLICK');
    expect(clicks.events).toHaveLength(1);
    expect(clicks.events[0]).toMatchObject({ type: 'CLICK', recipient: 'form-0@example.test' });
    expect(
      sandbox.portal.get('contacts', contacts[0] as string)?.properties.hs_email_last_click_date,
    ).toBeTruthy();
  });
});
