import nock from 'nock';

import {
  cardErrorBodySchema,
  contactHandoffViewSchema,
} from '../../../server/card/card-contract.schema';
import { handoffHistory } from '../../../server/handoff/handoff.repository';
import { ensureTruceProperties } from '../../../server/handoff/handoff-setup';
import { taskMarker } from '../../../server/outbox/outbox-executors';
import { testConfig } from '../../helpers/config';
import { dialects } from '../../helpers/database';
import { cardRequest, HANDOFF_SETTINGS_YAML } from '../../helpers/handoff';
import { startTestService, type TestService } from '../../helpers/service';
import {
  hubspotEvent,
  PORTAL_ID,
  postWebhook,
  settingsFile,
  webhookEnv,
} from '../../helpers/webhooks';

const API = 'https://api.hubapi.test';
const API_KEY = 'report-key-0123456789abcdef';
const HOUR = 3_600_000;
/** Monday 2 November 2026, 09:00 UTC: the start of a working day (and in the real past, so no rate pause waits). */
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

interface OutboxRow {
  idempotency_key: string;
  operation: string;
  payload: unknown;
  status: string;
}

describe.each(dialects)('lead handoff in the service on %s', (dialect) => {
  let running: TestService;
  let clock = T0;

  beforeAll(async () => {
    const config = testConfig(
      webhookEnv({
        HUBSPOT_ACCESS_TOKEN: 'test-token',
        HUBSPOT_API_BASE: API,
        TRUCE_API_KEY: API_KEY,
        TRUCE_CONFIG: settingsFile(HANDOFF_SETTINGS_YAML),
      }),
    );
    running = await startTestService(config, dialect, { now: () => clock, startWorkers: false });
  });

  afterAll(async () => {
    await running.stop();
  });

  const db = () => running.database.db;
  const service = () => running.service;

  beforeEach(async () => {
    clock = T0;
    nock.cleanAll();
    for (const table of [
      'webhook_event',
      'contact',
      'handoff',
      'handoff_history',
      'routing_counter',
    ] as const)
      await db().deleteFrom(table).execute();
    await db().deleteFrom('hubspot_outbox').where('operation', '!=', 'properties.ensure').execute();
    // The start-up properties.ensure stays for the first test to inspect; delivering it is the outbox's test.
    await db()
      .updateTable('hubspot_outbox')
      .set({ status: 'done' })
      .where('operation', '=', 'properties.ensure')
      .execute();
  });

  afterEach(() => {
    nock.cleanAll();
  });

  const outbox = async (): Promise<OutboxRow[]> =>
    (
      await db()
        .selectFrom('hubspot_outbox')
        .select(['idempotency_key', 'operation', 'payload', 'status'])
        .where('operation', '!=', 'properties.ensure')
        .orderBy('id')
        .execute()
    ).map((row) => ({ ...row, payload: JSON.parse(row.payload) as unknown }));

  const episodes = () => db().selectFrom('handoff').selectAll().orderBy('id').execute();

  const mql = (contactId: number, occurredAt = clock, extra: Record<string, unknown> = {}) =>
    hubspotEvent({
      objectId: contactId,
      propertyName: 'lifecyclestage',
      propertyValue: 'marketingqualifiedlead',
      occurredAt,
      ...extra,
    });

  const deliverWebhooks = async (events: unknown[]) => {
    const response = await postWebhook(running.baseUrl, events, { timestamp: clock });
    expect(response.status).toBe(204);
    await service().webhookWorker.drain();
  };

  const contact = (id: number, properties: Record<string, string>) => ({
    id: String(id),
    properties: { hs_object_id: String(id), ...properties },
    propertiesWithHistory: {
      recent_conversion_date: [
        {
          value: properties.recent_conversion_date ?? '',
          timestamp: new Date(T0 - HOUR).toISOString(),
          sourceType: 'FORM',
        },
      ],
    },
    createdAt: new Date(T0 - 30 * 24 * HOUR).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    archived: false,
  });

  const VP = {
    jobtitle: 'VP Sales',
    num_conversion_events: '2',
    recent_conversion_date: String(T0 - 24 * HOUR),
    hs_analytics_source: 'PAID_SEARCH',
    hs_analytics_first_touch_converting_campaign: 'Spring webinar',
  };

  const batchReadReply = (contacts: ReturnType<typeof contact>[]) => ({
    status: 'COMPLETE',
    results: contacts,
    startedAt: new Date(T0).toISOString(),
    completedAt: new Date(T0).toISOString(),
  });

  /** MQL webhook for 501, one batch read answered with `properties`, scored. */
  const scoredHandoff = async (properties: Record<string, string> = VP) => {
    await deliverWebhooks([mql(501)]);
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .reply(200, batchReadReply([contact(501, properties)]));
    expect(await service().handoffWorker!.scoreOnce()).toEqual({
      assigned: 1,
      unassigned: 0,
      retried: 0,
      missing: 0,
    });
    const [episode] = await episodes();
    return episode!;
  };

  it('queues Truce property group and properties once on start, with the reason codes as options', async () => {
    const rows = await db()
      .selectFrom('hubspot_outbox')
      .selectAll()
      .where('operation', '=', 'properties.ensure')
      .execute();
    expect(rows).toHaveLength(1);
    const payload = JSON.parse(rows[0]!.payload) as {
      group: unknown;
      properties: { name: string; options?: { value: string }[] }[];
    };
    expect(payload.group).toEqual({ name: 'truce', label: 'Truce' });
    expect(payload.properties.map((property) => property.name)).toEqual([
      'truce_handoff_score',
      'truce_handoff_grade',
      'truce_handoff_status',
      'truce_sla_due',
      'truce_reject_reason',
    ]);
    expect(payload.properties[4]!.options!.map((option) => option.value)).toEqual([
      'bad_fit',
      'no_intent',
      'duplicate',
      'unreachable',
      'competitor',
      'student_or_job_seeker',
    ]);
    // A restart (or a second replica) enqueues nothing new.
    expect(await ensureTruceProperties(db(), PORTAL_ID, testConfigSettings(), clock)).toBe(false);
  });

  it('MQL webhook → one batch read → score → owner → properties and task written to HubSpot exactly', async () => {
    await deliverWebhooks([mql(501), mql(502)]);
    expect((await episodes()).map((episode) => episode.status)).toEqual(['scoring', 'scoring']);

    let readBody:
      { inputs: unknown; properties: string[]; propertiesWithHistory: string[] } | undefined;
    const read = nock(API, { reqheaders: { authorization: 'Bearer test-token' } })
      .post('/crm/v3/objects/contacts/batch/read', (body: typeof readBody) => {
        readBody = body;
        return true;
      })
      .query(true)
      .reply(200, batchReadReply([contact(501, VP), contact(502, { jobtitle: 'Student' })]));
    expect(await service().handoffWorker!.scoreOnce()).toEqual({
      assigned: 2,
      unassigned: 0,
      retried: 0,
      missing: 0,
    });
    expect(read.isDone()).toBe(true);
    expect(readBody!.inputs).toEqual([{ id: '501' }, { id: '502' }]);
    expect(readBody!.properties).toEqual(
      expect.arrayContaining(['jobtitle', 'num_conversion_events', 'recent_conversion_date']),
    );
    expect(readBody!.propertiesWithHistory).toEqual(['recent_conversion_date']);

    const [first, second] = await episodes();
    const dueAt = T0 + 4 * HOUR;
    expect(first).toMatchObject({
      status: 'pending',
      score: 50,
      grade: 'B',
      owner_id: '9',
      sla_due_at: dueAt,
      sla_reminder_at: dueAt - HOUR,
      source: 'PAID_SEARCH',
      campaign: 'Spring webinar',
    });
    expect(second).toMatchObject({ status: 'pending', score: 0, grade: 'C', owner_id: '10' });

    const contactBodies: Record<string, unknown> = {};
    const taskBodies: { properties: Record<string, string>; associations: unknown }[] = [];
    const writes = nock(API)
      .patch(/\/crm\/v3\/objects\/contacts\/50[12]/, (body: unknown) => {
        contactBodies[JSON.stringify(body)] = body;
        return true;
      })
      .times(2)
      .reply(200, { id: '501', properties: {} })
      .post('/crm/v3/objects/tasks', (body: (typeof taskBodies)[number]) => {
        taskBodies.push(body);
        return true;
      })
      .times(2)
      .reply(201, { id: '7001', properties: {} });
    expect(await service().outbox!.drainOnce()).toEqual({ delivered: 4, retried: 0, dead: 0 });
    expect(writes.isDone()).toBe(true);
    expect(Object.values(contactBodies)).toContainEqual({
      properties: {
        truce_handoff_score: '50',
        truce_handoff_grade: 'B',
        truce_handoff_status: 'pending',
        truce_sla_due: String(dueAt),
        hubspot_owner_id: '9',
      },
    });
    const task = taskBodies.find((body) => body.properties.hubspot_owner_id === '9')!;
    expect(task.properties).toEqual({
      hs_timestamp: new Date(dueAt).toISOString(),
      hs_task_subject: 'Follow up: new MQL, grade B (score 50)',
      hs_task_body: expect.stringContaining(
        `(${taskMarker(`handoff-${first!.id}:task`)})`,
      ) as string,
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'MEDIUM',
      hs_task_type: 'TODO',
      hubspot_owner_id: '9',
    });
    expect(task.properties.hs_task_body).toContain('Job title contains VP: +30');
    expect(task.associations).toEqual([
      {
        to: { id: '501' },
        types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }],
      },
    ]);
    expect((await handoffHistory(db(), first!.id)).map((entry) => entry.event)).toEqual([
      'open',
      'assign',
    ]);
  });

  it('a redelivered MQL event opens no second episode and writes no second task', async () => {
    const first = mql(501);
    await scoredHandoff();
    // Same event again (intake dedupe) and the same change under another event id (handler dedupe).
    await deliverWebhooks([first, mql(501, T0)]);
    clock += 60_000;
    await deliverWebhooks([mql(501, T0)]);
    expect(await service().handoffWorker!.scoreOnce()).toEqual({
      assigned: 0,
      unassigned: 0,
      retried: 0,
      missing: 0,
    });
    expect(await episodes()).toHaveLength(1);
    expect((await outbox()).filter((row) => row.operation === 'task.create')).toHaveLength(1);
  });

  it('re-qualifying after going back to marketing opens a new episode', async () => {
    const episode = await scoredHandoff();
    clock += HOUR;
    await deliverWebhooks([
      hubspotEvent({
        objectId: 501,
        propertyName: 'lifecyclestage',
        propertyValue: 'lead',
        occurredAt: clock,
      }),
    ]);
    expect((await episodes())[0]!.status).toBe('recycled');
    clock += HOUR;
    await deliverWebhooks([mql(501, clock)]);
    const all = await episodes();
    expect(all.map((row) => [row.id === episode.id, row.episode, row.status])).toEqual([
      [true, 1, 'recycled'],
      [false, 2, 'scoring'],
    ]);
  });

  it('waits out a HubSpot 429 on the read and on the task, then writes the task once', async () => {
    await deliverWebhooks([mql(501)]);
    const limited = {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      policyName: 'TEN_SECONDLY_ROLLING',
      category: 'RATE_LIMITS',
    };
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .reply(429, limited)
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .reply(200, batchReadReply([contact(501, VP)]));
    expect((await service().handoffWorker!.scoreOnce()).retried).toBe(1);
    expect(await service().handoffWorker!.scoreOnce()).toMatchObject({ assigned: 0, retried: 0 });
    clock += 10_001;
    expect((await service().handoffWorker!.scoreOnce()).assigned).toBe(1);

    let tasksCreated = 0;
    nock(API)
      .patch('/crm/v3/objects/contacts/501')
      .reply(200, { id: '501', properties: {} })
      .post('/crm/v3/objects/tasks')
      .reply(429, limited)
      .post('/crm/v3/objects/tasks')
      .reply(() => {
        tasksCreated += 1;
        return [201, { id: '7001', properties: {} }];
      });
    expect(await service().outbox!.drainOnce()).toEqual({ delivered: 1, retried: 1, dead: 0 });
    clock += 10_001;
    expect(await service().outbox!.drainOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(tasksCreated).toBe(1);
    expect((await outbox()).every((row) => row.status === 'done')).toBe(true);
  });

  it('HubSpot down for 10 minutes: nothing is lost, everything is written once when it is back', async () => {
    await deliverWebhooks([mql(501)]);
    const outageEnds = clock + 10 * 60_000;
    const calls = { reads: 0, failed: 0, contactWrites: 0, tasks: 0 };
    const down = () => {
      calls.failed += 1;
      return [503, { status: 'error', message: 'Service Unavailable' }] as [number, unknown];
    };
    nock(API)
      .persist()
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .reply(() => {
        if (clock < outageEnds) return down();
        calls.reads += 1;
        return [200, batchReadReply([contact(501, VP)])];
      })
      .patch('/crm/v3/objects/contacts/501')
      .reply(() => {
        if (clock < outageEnds) return down();
        calls.contactWrites += 1;
        return [200, { id: '501', properties: {} }];
      })
      .post('/crm/v3/objects/tasks')
      .reply(() => {
        if (clock < outageEnds) return down();
        calls.tasks += 1;
        return [201, { id: '7001', properties: {} }];
      });
    while (clock < outageEnds + 20 * 60_000) {
      await service().handoffWorker!.scoreOnce();
      await service().outbox!.drainOnce();
      clock += 15_000;
    }
    expect(calls.failed).toBeGreaterThan(3);
    expect(calls).toMatchObject({ reads: 1, contactWrites: 1, tasks: 1 });
    expect((await episodes())[0]!.status).toBe('pending');
    expect((await outbox()).map((row) => row.status)).toEqual(['done', 'done']);
  });

  it('detects the first touch from hs_lead_status leaving NEW, and then never breaches', async () => {
    const episode = await scoredHandoff();
    clock += HOUR;
    await deliverWebhooks([
      hubspotEvent({
        objectId: 501,
        propertyName: 'hs_lead_status',
        propertyValue: 'IN_PROGRESS',
        occurredAt: clock,
      }),
    ]);
    const [touched] = await episodes();
    expect(touched).toMatchObject({
      status: 'pending',
      first_touch_at: T0 + HOUR,
      first_touch_source: 'hs_lead_status',
    });
    clock = Number(episode.sla_due_at) + HOUR;
    expect(await service().handoffSweeper.sweepOnce()).toEqual({ reminded: 0, breached: 0 });
  });

  it('keeps a first touch that came before scoring, so the SLA is met once assigned', async () => {
    await deliverWebhooks([mql(501)]);
    clock += 60_000;
    await deliverWebhooks([
      hubspotEvent({
        objectId: 501,
        propertyName: 'notes_last_contacted',
        propertyValue: String(clock),
        occurredAt: clock,
      }),
    ]);
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read')
      .query(true)
      .reply(200, batchReadReply([contact(501, VP)]));
    expect((await service().handoffWorker!.scoreOnce()).assigned).toBe(1);
    expect((await episodes())[0]).toMatchObject({
      status: 'pending',
      first_touch_at: T0 + 60_000,
      first_touch_source: 'notes_last_contacted',
    });
    clock = T0 + 10 * HOUR;
    expect(await service().handoffSweeper.sweepOnce()).toEqual({ reminded: 0, breached: 0 });
  });

  it('a touch delivered before the MQL change that opened its episode still counts as the first touch', async () => {
    // HubSpot delivers out of order: the rep's touch (a minute after the MQL) is processed first, when there
    // is no episode yet; the MQL arrives afterwards.
    await deliverWebhooks([
      hubspotEvent({
        objectId: 501,
        propertyName: 'notes_last_contacted',
        propertyValue: String(T0 + 60_000),
        occurredAt: T0 + 60_000,
      }),
    ]);
    expect(await episodes()).toEqual([]);
    await deliverWebhooks([mql(501, T0)]);
    expect((await episodes())[0]).toMatchObject({
      status: 'scoring',
      first_touch_at: T0 + 60_000,
      first_touch_source: 'notes_last_contacted',
    });
  });

  it('a rep rejecting in HubSpot (lead status UNQUALIFIED) closes the episode and sends the lead back', async () => {
    const episode = await scoredHandoff();
    clock += HOUR;
    await deliverWebhooks([
      hubspotEvent({
        objectId: 501,
        propertyName: 'hs_lead_status',
        propertyValue: 'UNQUALIFIED',
        occurredAt: clock,
      }),
    ]);
    expect((await episodes())[0]).toMatchObject({
      status: 'rejected',
      decision: 'rejected',
      decided_by: 'hubspot',
      reason_code: null,
      first_touch_at: clock,
    });
    expect((await outbox()).at(-1)).toMatchObject({
      idempotency_key: `handoff-${episode.id}:reject`,
      payload: {
        contactId: '501',
        properties: { truce_handoff_status: 'rejected', lifecyclestage: 'lead' },
      },
    });
  });

  it('reminds once before the due time, and on breach escalates to the manager', async () => {
    const episode = await scoredHandoff();
    const dueAt = Number(episode.sla_due_at);
    clock = dueAt - 30 * 60_000;
    expect(await service().handoffSweeper.sweepOnce()).toEqual({ reminded: 1, breached: 0 });
    expect(await service().handoffSweeper.sweepOnce()).toEqual({ reminded: 0, breached: 0 });
    clock = dueAt + 60_000;
    expect(await service().handoffSweeper.sweepOnce()).toEqual({ reminded: 0, breached: 1 });
    expect(await service().handoffSweeper.sweepOnce()).toEqual({ reminded: 0, breached: 0 });
    expect((await episodes())[0]).toMatchObject({
      status: 'breached',
      breached_at: dueAt,
      escalated_at: clock,
    });
    const writes = await outbox();
    const keys = writes.map((row) => row.idempotency_key);
    expect(keys).toEqual([
      `handoff-${episode.id}:assign`,
      `handoff-${episode.id}:task`,
      `handoff-${episode.id}:reminder`,
      `handoff-${episode.id}:escalation-task`,
      `handoff-${episode.id}:breach`,
    ]);
    expect(writes[2]!.payload).toMatchObject({ ownerId: '9', dueAt, priority: 'HIGH' });
    expect(writes[3]!.payload).toMatchObject({
      ownerId: '900',
      contactId: '501',
      priority: 'HIGH',
    });
    expect(writes[4]!.payload).toEqual({
      contactId: '501',
      properties: { truce_handoff_status: 'breached' },
    });
  });

  const viewPath = '/api/card/contacts/501/handoff?userId=77&portalId=' + PORTAL_ID;
  const acceptPath = '/api/card/contacts/501/handoff/accept?userId=77&portalId=' + PORTAL_ID;
  const rejectPath = '/api/card/contacts/501/handoff/reject?userId=77&portalId=' + PORTAL_ID;

  const report = async (query: string) => {
    const response = await fetch(`${running.baseUrl}/api/v1/reports/handoffs?${query}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(response.status).toBe(200);
    return response;
  };

  it('the card shows the handoff; accept writes SQL to HubSpot and counts in the report', async () => {
    const episode = await scoredHandoff();
    clock += HOUR;
    const viewResponse = await cardRequest(running.baseUrl, 'GET', viewPath, { timestamp: clock });
    expect(viewResponse.status).toBe(200);
    const view = contactHandoffViewSchema.parse(await viewResponse.json());
    expect(view).toMatchObject({
      contactId: '501',
      handoff: {
        id: String(episode.id),
        status: 'pending',
        score: { value: 50, grade: 'B' },
        owner: { id: '9', name: null },
        assignedAt: T0,
        sla: { state: 'due', dueAt: T0 + 4 * HOUR, firstTouchAt: null, repDelayMs: HOUR },
        decision: null,
        canDecide: true,
      },
      now: clock,
    });
    expect(view.handoff!.score.reasons[0]).toEqual({
      label: 'Job title contains VP',
      points: 30,
      source: 'rule',
    });
    expect(view.touchpoints).toEqual([]);

    const accepted = await cardRequest(running.baseUrl, 'POST', acceptPath, {
      timestamp: clock,
      body: { handoffId: String(episode.id) },
    });
    expect(accepted.status).toBe(200);
    const after = contactHandoffViewSchema.parse(await accepted.json());
    expect(after.handoff).toMatchObject({
      status: 'accepted',
      canDecide: false,
      sla: { state: 'met', firstTouchAt: clock },
      decision: {
        outcome: 'accepted',
        decidedBy: { id: '77' },
        decidedAt: clock,
        reasonCode: null,
      },
    });

    let written: unknown[] = [];
    nock(API)
      // The decision's stage is written only while the contact has not moved past the handoff.
      .get('/crm/v3/objects/contacts/501')
      .query(true)
      .reply(200, { id: '501', properties: { lifecyclestage: 'marketingqualifiedlead' } })
      .patch('/crm/v3/objects/contacts/501', (body: unknown) => {
        written.push(body);
        return true;
      })
      .times(2)
      .reply(200, { id: '501', properties: {} })
      .post('/crm/v3/objects/tasks')
      .reply(201, { id: '7001', properties: {} });
    // Writes to one contact go out in queue order: the accept's write follows in the next drain.
    const first = await service().outbox!.drainOnce();
    const second = await service().outbox!.drainOnce();
    expect(first.delivered + second.delivered).toBe(3);
    expect(written).toContainEqual({
      properties: { truce_handoff_status: 'accepted', lifecyclestage: 'salesqualifiedlead' },
    });

    // HubSpot echoes Truce's own write as a webhook: nothing changes.
    written = [];
    await deliverWebhooks([
      hubspotEvent({
        objectId: 501,
        propertyName: 'lifecyclestage',
        propertyValue: 'salesqualifiedlead',
        occurredAt: clock + 1000,
      }),
    ]);
    expect((await episodes())[0]!.status).toBe('accepted');

    const reportResponse = await report('from=2026-11-01&to=2026-12-01&period=month&by=source');
    const json = (await reportResponse.json()) as {
      rows: {
        key: string;
        mqls: number;
        accepted: number;
        convertedToSql: number;
        slaCompliancePct: number;
      }[];
    };
    expect(json.rows).toEqual([
      expect.objectContaining({
        period: '2026-11',
        key: 'PAID_SEARCH',
        mqls: 1,
        assigned: 1,
        accepted: 1,
        rejected: 0,
        convertedToSql: 1,
        slaCompliancePct: 100,
        medianRepDelayMs: HOUR,
      }),
    ]);
  });

  it("the card's timeline lists the contact's captured touchpoints, oldest first, and no one else's", async () => {
    await scoredHandoff();
    const touch = (
      contactId: number,
      at: number,
      kind: string,
      channel: string,
      campaign: string | null,
      key: string,
    ) => ({
      portal_id: PORTAL_ID,
      contact_id: contactId,
      at,
      kind,
      channel,
      campaign,
      matched_rule: 'test',
      raw_source: '{}',
      cost_cents: null,
      cost_currency: null,
      note: null,
      origin: 'offline',
      idempotency_key: key,
      created_at: clock,
      updated_at: clock,
    });
    await db()
      .insertInto('touchpoint')
      .values([
        touch(501, T0 - 2 * HOUR, 'form_submission', 'Paid search', 'spring-webinar', 'a'),
        touch(501, T0 - 5 * HOUR, 'ad_click', 'Paid social', null, 'b'),
        touch(502, T0 - HOUR, 'email_click', 'Email', 'newsletter', 'c'),
      ])
      .execute();
    const response = await cardRequest(running.baseUrl, 'GET', viewPath, { timestamp: clock });
    const view = contactHandoffViewSchema.parse(await response.json());
    expect(
      view.touchpoints.map(({ occurredAt, kind, channel, campaign, label }) => ({
        occurredAt,
        kind,
        channel,
        campaign,
        label,
      })),
    ).toEqual([
      {
        occurredAt: T0 - 5 * HOUR,
        kind: 'ad_click',
        channel: 'Paid social',
        campaign: null,
        label: 'Ad click · Paid social',
      },
      {
        occurredAt: T0 - 2 * HOUR,
        kind: 'form_submission',
        channel: 'Paid search',
        campaign: { id: 'spring-webinar', name: 'spring-webinar' },
        label: 'Form submission · Paid search · spring-webinar',
      },
    ]);
  });

  it("names the deciding rep from the card's signed body when the URL carries no user", async () => {
    // HubSpot does not document userId/userEmail query parameters on hubspot.fetch (HUBSPOT.md §2), so the
    // card also sends its context.user in the signed body.
    const episode = await scoredHandoff();
    clock += HOUR;
    const noUserPath = `/api/card/contacts/501/handoff/reject?portalId=${PORTAL_ID}`;
    const forgedBody = await cardRequest(running.baseUrl, 'POST', noUserPath, {
      timestamp: clock,
      body: {
        handoffId: String(episode.id),
        reasonCode: 'bad_fit',
        note: '',
        actor: { id: '88', name: 'Sam Rep' },
      },
      secret: 'not-the-client-secret',
    });
    expect(forgedBody.status).toBe(401);
    const rejected = await cardRequest(running.baseUrl, 'POST', noUserPath, {
      timestamp: clock,
      body: {
        handoffId: String(episode.id),
        reasonCode: 'bad_fit',
        note: '',
        actor: { id: '88', name: 'Sam Rep' },
      },
    });
    expect(rejected.status).toBe(200);
    expect(contactHandoffViewSchema.parse(await rejected.json()).handoff!.decision).toMatchObject({
      outcome: 'rejected',
      decidedBy: { id: '88', name: 'Sam Rep' },
    });
    const history = await service()
      .database.db.selectFrom('handoff_history')
      .select(['actor'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(history.actor).toBe('88');

    const badActor = await cardRequest(running.baseUrl, 'POST', noUserPath, {
      timestamp: clock,
      body: { handoffId: String(episode.id), actor: { id: '88', name: 'x', role: 'admin' } },
    });
    expect(badActor.status).toBe(400);
  });

  it("prefers the signed URL's userId over the body's actor", async () => {
    const episode = await scoredHandoff();
    clock += HOUR;
    const accepted = await cardRequest(running.baseUrl, 'POST', acceptPath, {
      timestamp: clock,
      body: { handoffId: String(episode.id), actor: { id: '88', name: 'Sam Rep' } },
    });
    expect(accepted.status).toBe(200);
    expect(contactHandoffViewSchema.parse(await accepted.json()).handoff!.decision).toMatchObject({
      decidedBy: { id: '77' },
    });
  });

  it('reject stores the reason, writes the stage and reason to HubSpot, and the CSV report counts it', async () => {
    const episode = await scoredHandoff({
      ...VP,
      hs_analytics_first_touch_converting_campaign: '=HYPERLINK("x")',
    });
    clock += 2 * HOUR;
    const rejected = await cardRequest(running.baseUrl, 'POST', rejectPath, {
      timestamp: clock,
      body: { handoffId: String(episode.id), reasonCode: 'bad_fit', note: 'Ten employees' },
    });
    expect(rejected.status).toBe(200);
    expect(contactHandoffViewSchema.parse(await rejected.json()).handoff!.decision).toEqual({
      outcome: 'rejected',
      decidedBy: { id: '77', name: null },
      decidedAt: clock,
      reasonCode: 'bad_fit',
      reasonLabel: 'Bad fit',
      note: 'Ten employees',
    });
    const writes = await outbox();
    expect(writes.at(-1)).toMatchObject({
      idempotency_key: `handoff-${episode.id}:reject`,
      payload: {
        contactId: '501',
        properties: {
          truce_handoff_status: 'rejected',
          lifecyclestage: 'lead',
          truce_reject_reason: 'bad_fit',
        },
      },
    });
    // The echo of the stage Truce wrote is not read as "went back to marketing".
    await deliverWebhooks([
      hubspotEvent({
        objectId: 501,
        propertyName: 'lifecyclestage',
        propertyValue: 'lead',
        occurredAt: clock + 1000,
      }),
      hubspotEvent({
        objectId: 501,
        propertyName: 'truce_reject_reason',
        propertyValue: 'bad_fit',
        occurredAt: clock + 1000,
      }),
    ]);
    expect((await episodes())[0]).toMatchObject({ status: 'rejected', reason_code: 'bad_fit' });

    const csv = await (await report('format=csv&from=2026-11-01&to=2026-12-01&by=campaign')).text();
    const [header, line] = csv.trim().split('\n');
    expect(header).toBe(
      'period,campaign,mqls,assigned,accepted,rejected,rejected_bad_fit,rejected_no_intent,rejected_duplicate,rejected_unreachable,rejected_competitor,rejected_student_or_job_seeker,breached,converted_to_sql,median_system_delay_ms,p90_system_delay_ms,median_rep_delay_ms,p90_rep_delay_ms,sla_compliance_pct',
    );
    expect(line).toBe(
      `2026-11,"'=HYPERLINK(""x"")",1,1,0,1,1,0,0,0,0,0,0,0,0,0,${2 * HOUR},${2 * HOUR},100`,
    );
  });

  describe('bad input changes nothing', () => {
    const snapshot = async () => ({ episodes: await episodes(), outbox: await outbox() });

    it('unknown reason code → 400, decision on a closed episode → 409, stale handoff → 409', async () => {
      const episode = await scoredHandoff();
      const before = await snapshot();
      const unknown = await cardRequest(running.baseUrl, 'POST', rejectPath, {
        timestamp: clock,
        body: { handoffId: String(episode.id), reasonCode: 'too_expensive', note: '' },
      });
      expect(unknown.status).toBe(400);
      expect(cardErrorBodySchema.parse(await unknown.json()).error.code).toBe('invalid_request');
      const stale = await cardRequest(running.baseUrl, 'POST', acceptPath, {
        timestamp: clock,
        body: { handoffId: String(episode.id + 1000) },
      });
      expect(stale.status).toBe(409);
      expect(cardErrorBodySchema.parse(await stale.json()).error.code).toBe('handoff_changed');
      expect(await snapshot()).toEqual(before);

      expect(
        (
          await cardRequest(running.baseUrl, 'POST', acceptPath, {
            timestamp: clock,
            body: { handoffId: String(episode.id) },
          })
        ).status,
      ).toBe(200);
      const decided = await snapshot();
      const again = await cardRequest(running.baseUrl, 'POST', rejectPath, {
        timestamp: clock,
        body: { handoffId: String(episode.id), reasonCode: 'bad_fit', note: '' },
      });
      expect(again.status).toBe(409);
      expect(cardErrorBodySchema.parse(await again.json()).error.code).toBe(
        'handoff_already_decided',
      );
      expect(await snapshot()).toEqual(decided);
    });

    it("another portal's contact → 404; forged or expired signature → 401", async () => {
      const episode = await scoredHandoff();
      const before = await snapshot();
      const body = { handoffId: String(episode.id) };
      const otherPortal = await cardRequest(
        running.baseUrl,
        'POST',
        '/api/card/contacts/501/handoff/accept?userId=77&portalId=999',
        { timestamp: clock, body },
      );
      expect(otherPortal.status).toBe(404);
      expect(cardErrorBodySchema.parse(await otherPortal.json()).error.code).toBe('not_found');
      const forged = await cardRequest(running.baseUrl, 'POST', acceptPath, {
        timestamp: clock,
        body,
        secret: 'not-the-client-secret',
      });
      expect(forged.status).toBe(401);
      expect(cardErrorBodySchema.parse(await forged.json()).error.code).toBe('invalid_signature');
      const expired = await cardRequest(running.baseUrl, 'POST', acceptPath, {
        timestamp: clock - 10 * 60_000,
        body,
      });
      expect(expired.status).toBe(401);
      const unsigned = await fetch(`${running.baseUrl}${viewPath}`);
      expect(unsigned.status).toBe(401);
      expect(await snapshot()).toEqual(before);
    });

    it('the report needs the bearer key', async () => {
      const response = await fetch(`${running.baseUrl}/api/v1/reports/handoffs`);
      expect(response.status).toBe(401);
    });
  });
});

function testConfigSettings() {
  return testConfig({ TRUCE_CONFIG: settingsFile(HANDOFF_SETTINGS_YAML) }).settings.handoff;
}
