import { Client } from '@hubspot/api-client';

import { createSandbox, type Sandbox } from '../../sandbox/sandbox';
import { sandboxClient } from '../helpers/sandbox';

describe('sandbox CRM API through the real @hubspot/api-client', () => {
  let sandbox: Sandbox;
  let client: Client;

  beforeAll(async () => {
    sandbox = await createSandbox({
      seed: 7,
      rateLimit: { perTenSeconds: 10_000, searchPerSecond: 1_000 },
    });
    client = sandboxClient(sandbox);
  });
  afterAll(() => sandbox.close());

  it('creates, patches and batch-reads a contact with its property history, newest first', async () => {
    const created = await client.crm.contacts.basicApi.create({
      properties: { email: 'ada@example.test', lifecyclestage: 'lead' },
      associations: [],
    });
    await client.crm.contacts.basicApi.update(created.id, {
      properties: { lifecyclestage: 'marketingqualifiedlead' },
    });
    const batch = await client.crm.contacts.batchApi.read({
      inputs: [{ id: created.id }],
      properties: ['email', 'lifecyclestage'],
      propertiesWithHistory: ['lifecyclestage'],
    });
    const [contact] = batch.results;
    expect(contact?.properties.lifecyclestage).toBe('marketingqualifiedlead');
    expect(contact?.properties.email).toBe('ada@example.test');
    expect(contact?.createdAt).toBeInstanceOf(Date);
    const history = contact?.propertiesWithHistory?.lifecyclestage ?? [];
    expect(history.map((h) => h.value)).toEqual(['marketingqualifiedlead', 'lead']);
    expect(history[0]?.sourceType).toBe('INTEGRATION');
    expect(history[0]?.sourceId).toBe(String(sandbox.appId));
    expect(history[0]?.timestamp).toBeInstanceOf(Date);
  });

  it('answers 207 with errors naming the missing ids of a batch read', async () => {
    const id = sandbox.admin.create('contacts', { email: 'present@example.test' });
    const batch = await client.crm.contacts.batchApi.read({
      inputs: [{ id }, { id: '999' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(batch.results.map((r) => r.id)).toEqual([id]);
    expect('errors' in batch && batch.errors?.[0]?.context).toEqual({ ids: ['999'] });
    expect('errors' in batch && batch.errors?.[0]?.category).toBe('OBJECT_NOT_FOUND');
  });

  it('refuses a batch above 100 inputs with 400 and HubSpot’s error body', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) }));
    await expect(
      client.crm.contacts.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] }),
    ).rejects.toMatchObject({
      code: 400,
      body: { status: 'error', category: 'VALIDATION_ERROR', correlationId: expect.any(String) },
    });
  });

  it('refuses writes to properties the portal does not define', async () => {
    await expect(
      client.crm.contacts.basicApi.create({ properties: { truce_nope: '1' }, associations: [] }),
    ).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
  });

  it('batch-updates, reporting unknown ids as a 207', async () => {
    const id = sandbox.admin.create('contacts', { email: 'bu@example.test' });
    const result = await client.crm.contacts.batchApi.update({
      inputs: [
        { id, properties: { hs_lead_status: 'OPEN' } },
        { id: '42', properties: { hs_lead_status: 'OPEN' } },
      ],
    });
    expect(result.results[0]?.properties.hs_lead_status).toBe('OPEN');
    expect('errors' in result && result.errors?.[0]?.context).toEqual({ ids: ['42'] });
    expect(sandbox.portal.get('contacts', id)?.properties.hs_lead_status).toBe('OPEN');
  });

  it('searches with filters and sorts, 200 per page, and stops at 10,000 results', async () => {
    for (let i = 0; i < 450; i++) {
      sandbox.admin.create('contacts', {
        email: `search-${i}@paging.test`,
        lifecyclestage: i % 3 === 0 ? 'marketingqualifiedlead' : 'subscriber',
        num_conversion_events: String(i),
      });
    }
    const filterGroups = [
      {
        filters: [
          { propertyName: 'email', operator: 'CONTAINS_TOKEN' as never, value: '*@paging.test' },
          { propertyName: 'num_conversion_events', operator: 'GTE' as never, value: '0' },
        ],
      },
    ];
    const ids: string[] = [];
    let after: string | undefined = '0';
    let pages = 0;
    while (after !== undefined) {
      const page = await client.crm.contacts.searchApi.doSearch({
        filterGroups,
        sorts: ['-num_conversion_events'],
        properties: ['email', 'num_conversion_events'],
        limit: 200,
        after,
      });
      expect(page.total).toBe(450);
      ids.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(450);
    const mqls = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'lifecyclestage',
              operator: 'EQ' as never,
              value: 'marketingqualifiedlead',
            },
            { propertyName: 'email', operator: 'CONTAINS_TOKEN' as never, value: '*@paging.test' },
          ],
        },
      ],
      sorts: [],
      properties: ['num_conversion_events'],
      limit: 5,
      after: '0',
    });
    expect(mqls.total).toBe(150);
    expect(mqls.results.every((r) => Number(r.properties.num_conversion_events) % 3 === 0)).toBe(
      true,
    );
    await expect(
      client.crm.contacts.searchApi.doSearch({ filterGroups, limit: 200, after: '9900' }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      client.crm.contacts.searchApi.doSearch({ filterGroups, limit: 201, after: '0' }),
    ).rejects.toMatchObject({ code: 400 });
  });

  it('reads v4 associations with numeric toObjectId and HubSpot’s type ids, 207 for none', async () => {
    const contact = sandbox.admin.create('contacts', { email: 'assoc@example.test' });
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'Big one', amount: '1200' },
      associations: [
        {
          to: { id: contact },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 3 }],
        },
      ],
    });
    const lonely = sandbox.admin.create('deals', { dealname: 'Alone' });
    const response = await fetch(`${sandbox.url}/crm/v4/associations/deals/contacts/batch/read`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sandbox.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ inputs: [{ id: deal.id }, { id: lonely }] }),
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      results: Array<{
        from: { id: string };
        to: Array<{ toObjectId: unknown; associationTypes: unknown }>;
      }>;
      errors: Array<{ context: unknown }>;
    };
    expect(body.results).toEqual([
      {
        from: { id: deal.id },
        to: [
          {
            toObjectId: Number(contact),
            associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3 }],
          },
        ],
      },
    ]);
    expect(body.errors[0]?.context).toEqual({ fromObjectId: [lonely] });
    const viaClient = await client.crm.associations.v4.batchApi.getPage('contacts', 'deals', {
      inputs: [{ id: contact }],
    });
    expect(viaClient.results[0]?.to[0]?.associationTypes[0]?.typeId).toBe(4);
    expect(String(viaClient.results[0]?.to[0]?.toObjectId)).toBe(deal.id);
  });

  it('pages owners', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await client.crm.owners.ownersApi.getPage(undefined, after, 3);
      expect(page.results.length).toBeLessThanOrEqual(3);
      seen.push(...page.results.map((o) => o.id));
      after = page.paging?.next?.after;
    } while (after);
    expect(new Set(seen).size).toBe(8);
    expect(seen).toEqual(sandbox.seeded.owners.map((o) => o.id));
  });

  it('creates property groups and properties, 409 on a duplicate, then accepts writes to them', async () => {
    await client.crm.properties.groupsApi.create('contacts', { name: 'truce', label: 'Truce' });
    await expect(
      client.crm.properties.groupsApi.create('contacts', { name: 'truce', label: 'Truce' }),
    ).rejects.toMatchObject({ code: 409 });
    const spec = {
      name: 'truce_handoff_score',
      label: 'Truce handoff score',
      groupName: 'truce',
      type: 'number' as never,
      fieldType: 'number' as never,
    };
    const created = await client.crm.properties.coreApi.create('contacts', spec);
    expect(created.name).toBe('truce_handoff_score');
    await expect(client.crm.properties.coreApi.create('contacts', spec)).rejects.toMatchObject({
      code: 409,
      body: { category: 'OBJECT_ALREADY_EXISTS' },
    });
    const all = await client.crm.properties.coreApi.getAll('contacts');
    expect(all.results.map((p) => p.name)).toContain('truce_handoff_score');
    const id = sandbox.admin.create('contacts', { email: 'scored@example.test' });
    await client.crm.contacts.basicApi.update(id, { properties: { truce_handoff_score: '72' } });
    expect(sandbox.portal.get('contacts', id)?.properties.truce_handoff_score).toBe('72');
  });

  it('serves portal-specific pipeline stages whose metadata says which one is won', async () => {
    const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals');
    const stages = pipelines.results[0]?.stages ?? [];
    const won = stages.filter(
      (s) => s.metadata?.isClosed === 'true' && Number(s.metadata?.probability) === 1,
    );
    expect(won.map((s) => s.id)).toEqual([sandbox.seeded.pipeline.stages.won]);
    expect(stages.map((s) => s.id)).not.toContain('closedwon');
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'Won', dealstage: sandbox.seeded.pipeline.stages.won },
      associations: [],
    });
    expect(sandbox.portal.get('deals', deal.id)?.properties.hs_is_closed_won).toBe('true');
  });

  it('creates a task associated with a contact (type 204)', async () => {
    const contact = sandbox.admin.create('contacts', { email: 'task@example.test' });
    const task = await client.crm.objects.tasks.basicApi.create({
      properties: {
        hs_timestamp: new Date(0).toISOString(),
        hs_task_subject: 'Call the new MQL',
        hs_task_status: 'NOT_STARTED',
        hubspot_owner_id: sandbox.seeded.owners[0]?.id ?? '',
      },
      associations: [
        {
          to: { id: contact },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 204 }],
        },
      ],
    });
    expect(sandbox.portal.associations('tasks', task.id, 'contacts')).toEqual([
      { toId: contact, typeIds: [204] },
    ]);
    expect(sandbox.portal.associations('contacts', contact, 'tasks')).toEqual([
      { toId: task.id, typeIds: [203] },
    ]);
  });

  it('finds a task by a token inside its body, as a retried create looks for its marker', async () => {
    await client.crm.objects.tasks.basicApi.create({
      properties: { hs_task_subject: 'Follow up', hs_task_body: 'Call them.\n\n(truce0123abcd)' },
      associations: [],
    });
    const found = await client.crm.objects.tasks.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'hs_task_body',
              operator: 'CONTAINS_TOKEN' as never,
              value: 'truce0123abcd',
            },
          ],
        },
      ],
      properties: ['hs_task_subject'],
      limit: 1,
    });
    expect(found.results.map((r) => r.properties.hs_task_subject)).toEqual(['Follow up']);
  });

  it('computes line item amounts from price, quantity and discounts', async () => {
    const items = await client.crm.lineItems.batchApi.create({
      inputs: [
        {
          properties: { name: 'Seats', price: '100', quantity: '10', hs_discount_percentage: '15' },
          associations: [],
        },
        {
          properties: { name: 'Setup', price: '500', quantity: '1', discount: '50' },
          associations: [],
        },
      ],
    });
    const read = await client.crm.lineItems.batchApi.read({
      inputs: items.results.map((r) => ({ id: r.id })),
      properties: ['amount', 'price', 'quantity', 'discount', 'hs_discount_percentage'],
      propertiesWithHistory: [],
    });
    expect(read.results.map((r) => r.properties.amount).sort()).toEqual(['450', '850']);
  });

  it('answers 401 with HubSpot’s body for a missing or wrong token', async () => {
    const wrong = new Client({
      accessToken: 'nope',
      basePath: sandbox.url,
      numberOfApiCallRetries: 0,
    });
    await expect(wrong.crm.owners.ownersApi.getPage()).rejects.toMatchObject({
      code: 401,
      body: { category: 'INVALID_AUTHENTICATION' },
    });
    const bare = await fetch(`${sandbox.url}/crm/v3/owners`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
    });
  });
});

describe('sandbox object reads with associations and batch property creation', () => {
  let sandbox: Sandbox;
  let client: Client;
  beforeAll(async () => {
    sandbox = await createSandbox({ seed: 8 });
    client = sandboxClient(sandbox);
  });
  afterAll(() => sandbox.close());

  it('returns v3 associations on a single read and associates over the v4 default endpoint', async () => {
    const contact = sandbox.admin.create('contacts', { email: 'v4@example.test' });
    const company = sandbox.admin.create('companies', { name: 'Acme' });
    await client.crm.associations.v4.basicApi.createDefault(
      'contacts',
      contact,
      'companies',
      company,
    );
    const read = await client.crm.contacts.basicApi.getById(contact, ['email'], undefined, [
      'companies',
    ]);
    expect(read.associations?.companies?.results).toEqual([
      { id: company, type: 'contact_to_company' },
    ]);
    expect(sandbox.portal.associations('companies', company, 'contacts')).toEqual([
      { toId: contact, typeIds: [280] },
    ]);
  });

  it('answers 207 for a property batch create that repeats an existing name', async () => {
    const response = await fetch(`${sandbox.url}/crm/v3/properties/deals/batch/create`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sandbox.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        inputs: [
          {
            name: 'truce_credit',
            label: 'Credit',
            groupName: 'dealinformation',
            type: 'number',
            fieldType: 'number',
          },
          {
            name: 'amount',
            label: 'Amount',
            groupName: 'dealinformation',
            type: 'number',
            fieldType: 'number',
          },
        ],
      }),
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      results: Array<{ name: string }>;
      errors: Array<{ category: string }>;
    };
    expect(body.results.map((r) => r.name)).toEqual(['truce_credit']);
    expect(body.errors[0]?.category).toBe('OBJECT_ALREADY_EXISTS');
  });

  it('archives on delete: the record disappears from reads and search', async () => {
    const id = sandbox.admin.create('deals', { dealname: 'Gone' });
    await client.crm.deals.basicApi.archive(id);
    await expect(client.crm.deals.basicApi.getById(id)).rejects.toMatchObject({ code: 404 });
    const search = await client.crm.deals.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'dealname', operator: 'EQ' as never, value: 'Gone' }] },
      ],
    });
    expect(search.total).toBe(0);
  });
});
