import { reportClient } from '../../server/demo/demo-reports';
import type { DemoStack } from '../../server/demo/demo-stack';
import type { DecisionRecord } from './story-run';

/**
 * The final numbers of a story run, normalised so that two runs of the same scenario compare with `toEqual`:
 * HubSpot and Truce ids are replaced by the scenario's references (c12, d3), and only values that legitimately
 * differ between runs are dropped — times produced by the service's clock (assignment, SLA due, computed at)
 * and the delays derived from them — and hashes over generated row ids. Everything else (states, decisions, owners, scores, tasks, properties,
 * touches, credits, report rows) is kept as is.
 */
export interface StorySnapshot {
  readonly truceProperties: readonly string[];
  readonly handoffs: readonly Record<string, unknown>[];
  readonly decisions: readonly DecisionRecord[];
  readonly tasks: readonly Record<string, unknown>[];
  readonly contacts: Readonly<Record<string, Record<string, string | null>>>;
  readonly touchpoints: readonly Record<string, unknown>[];
  readonly credits: readonly Record<string, unknown>[];
  readonly dealStates: readonly Record<string, unknown>[];
  readonly attributionReport: unknown;
  readonly handoffReport: { readonly byOwner: unknown; readonly byCampaign: unknown };
  readonly outbox: Readonly<Record<string, number>>;
  readonly webhookEvents: Readonly<Record<string, number>>;
}

/** Properties Truce writes or reads back on a contact; `truce_sla_due` is a service time, kept as set/unset. */
const CONTACT_PROPERTIES = [
  'lifecyclestage',
  'hs_lead_status',
  'hubspot_owner_id',
  'truce_handoff_score',
  'truce_handoff_grade',
  'truce_handoff_status',
  'truce_reject_reason',
] as const;

/** Local times the service formats into task texts ("due 2026-07-03 14:00 (UTC)"). */
const FORMATTED_TIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2} \([^)]*\)/g;

function byKey<T extends Record<string, unknown>>(rows: T[]): T[] {
  return rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

export async function storySnapshot(
  stack: DemoStack,
  decisions: readonly DecisionRecord[],
): Promise<StorySnapshot> {
  const { db } = stack.service.database;
  const { portal } = stack.sandbox;
  const contactRef = new Map([...stack.state.contacts].map(([ref, id]) => [id, ref]));
  const dealRef = new Map([...stack.state.deals].map(([ref, id]) => [id, ref]));
  const refOfContact = (id: number | string | null) =>
    id === null ? null : (contactRef.get(String(id)) ?? `unknown:${id}`);
  const refOfDeal = (id: number | string) => dealRef.get(String(id)) ?? `unknown:${id}`;

  const handoffRows = await db.selectFrom('handoff').selectAll().execute();
  const history = await db
    .selectFrom('handoff_history')
    .select(['handoff_id', 'event', 'from_status', 'to_status', 'actor'])
    .orderBy('handoff_id')
    .orderBy('id')
    .execute();
  const handoffs = byKey(
    handoffRows.map((row) => ({
      contact: refOfContact(row.contact_id),
      episode: row.episode,
      status: row.status,
      score: row.score,
      grade: row.grade,
      owner: row.owner_id,
      assignmentReason: row.assignment_reason,
      reminded: row.reminder_sent_at !== null,
      breached: row.breached_at !== null,
      escalated: row.escalated_at !== null,
      firstTouch: row.first_touch_at,
      firstTouchSource: row.first_touch_source,
      decision: row.decision,
      reasonCode: row.reason_code,
      decidedBy: row.decided_by,
      // Card decisions happen at the service's clock (the test's wait steps move it): present or not.
      decided: row.decided_at !== null,
      sql: row.sql_at !== null,
      triggerAt: row.trigger_at,
      source: row.source,
      campaign: row.campaign,
      history: history
        .filter((entry) => entry.handoff_id === row.id)
        .map(
          (entry) => `${entry.event}:${entry.from_status ?? ''}>${entry.to_status}@${entry.actor}`,
        ),
    })),
  );

  const tasks = byKey(
    portal.list('tasks').map((task) => ({
      contacts: portal
        .associations('tasks', task.id, 'contacts')
        .map((link) => refOfContact(link.toId))
        .sort(),
      owner: task.properties.hubspot_owner_id ?? null,
      subject: (task.properties.hs_task_subject ?? '').replace(FORMATTED_TIME, '<time>'),
      body: (task.properties.hs_task_body ?? '').replace(FORMATTED_TIME, '<time>'),
      status: task.properties.hs_task_status ?? null,
      priority: task.properties.hs_task_priority ?? null,
    })),
  );

  const contacts: Record<string, Record<string, string | null>> = {};
  for (const [ref, id] of [...stack.state.contacts].sort(([a], [b]) => a.localeCompare(b))) {
    const record = portal.get('contacts', id);
    const values: Record<string, string | null> = {};
    for (const name of CONTACT_PROPERTIES) values[name] = record?.properties[name] ?? null;
    values.truce_sla_due = record?.properties.truce_sla_due ? 'set' : null;
    contacts[ref] = values;
  }

  const touchpoints = byKey(
    (
      await db
        .selectFrom('touchpoint')
        .select([
          'contact_id',
          'at',
          'kind',
          'channel',
          'campaign',
          'matched_rule',
          'origin',
          'idempotency_key',
        ])
        .execute()
    ).map((row) => ({ ...row, contact_id: refOfContact(row.contact_id) })),
  );

  const creditRows = await db
    .selectFrom('attribution_credit')
    .select(['deal_id', 'model', 'campaign', 'channel', 'currency', 'period', 'closed_at'])
    .select((eb) => [
      eb.fn.sum<number>('gross_cents').as('gross'),
      eb.fn.sum<number>('discount_cents').as('discount'),
      eb.fn.sum<number>('net_cents').as('net'),
      eb.fn.countAll<number>().as('rows'),
    ])
    .groupBy(['deal_id', 'model', 'campaign', 'channel', 'currency', 'period', 'closed_at'])
    .execute();
  const credits = byKey(
    creditRows.map((row) => ({
      deal: refOfDeal(row.deal_id),
      model: row.model,
      campaign: row.campaign,
      channel: row.channel,
      currency: row.currency,
      period: row.period,
      closedAt: Number(row.closed_at),
      gross: Number(row.gross),
      discount: Number(row.discount),
      net: Number(row.net),
      rows: Number(row.rows),
    })),
  );
  const dealStates = byKey(
    (await db.selectFrom('deal_attribution_state').selectAll().execute()).map((row) => ({
      deal: refOfDeal(row.deal_id),
      status: row.status,
      // inputs_hash covers the touchpoints' row ids, which follow processing order: left out.
      amount: row.amount_cents,
      currency: row.currency,
      closedAt: row.closed_at,
      contacts: row.contacts,
      touches: row.touches,
    })),
  );

  const { quarterStart, quarterEnd } = stack.scenario.setup;
  const client = reportClient(stack.serviceUrl, stack.apiKey);
  const attributionReport = await client.json('/api/v1/reports/attribution', {
    from: new Date(quarterStart).toISOString().slice(0, 10),
    to: new Date(quarterEnd + 365 * 86_400_000).toISOString().slice(0, 10),
    model: 'all',
    by: 'campaign',
    format: 'json',
  });
  const window = {
    from: new Date(quarterStart).toISOString(),
    to: new Date(quarterEnd).toISOString(),
    period: 'quarter',
  };
  // The delays are measured on the service's clock (assignment waits for scoring), so they are the one part
  // of the report that legitimately moves when HubSpot was down; the counts and SLA compliance must not.
  const withoutDelays = (rows: readonly Record<string, unknown>[]) =>
    rows.map(
      ({ medianSystemDelayMs, p90SystemDelayMs, medianRepDelayMs, p90RepDelayMs, ...rest }) => {
        void medianSystemDelayMs;
        void p90SystemDelayMs;
        void medianRepDelayMs;
        void p90RepDelayMs;
        return rest;
      },
    );
  const byOwner = (await client.handoffs({ ...window, by: 'owner' })).rows;
  const byCampaign = (await client.handoffs({ ...window, by: 'campaign' })).rows;

  const count = async (table: 'hubspot_outbox' | 'webhook_event', column: 'status') => {
    const rows = await db
      .selectFrom(table)
      .select([column])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy(column)
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  };

  return {
    truceProperties: portal.definitions
      .properties('contacts')
      .filter((property) => property.groupName === 'truce')
      .map((property) => property.name)
      .sort(),
    handoffs,
    decisions: [...decisions],
    tasks,
    contacts,
    touchpoints,
    credits,
    dealStates,
    attributionReport,
    handoffReport: {
      byOwner: withoutDelays(byOwner as unknown as Record<string, unknown>[]),
      byCampaign: withoutDelays(byCampaign as unknown as Record<string, unknown>[]),
    },
    outbox: await count('hubspot_outbox', 'status'),
    webhookEvents: await count('webhook_event', 'status'),
  };
}
