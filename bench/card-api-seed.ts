import { type Kysely, sql } from 'kysely';

import type { Database } from '../server/db/schema';
import { JOURNEY_MODELS } from '../src/attribution/models';

export const SEED = {
  portalId: 62515,
  deals: 100_000,
  contactsPerDeal: 2,
  touchesPerContact: 3,
  /** Deal d is won when d % 5 = 0, lost when d % 5 = 1, open otherwise. */
  now: Date.UTC(2026, 8, 1),
} as const;

const DAY_MS = 86_400_000;
const CHANNELS = ['organic_search', 'paid_search', 'paid_social', 'email', 'events', 'referral'];

/**
 * Seeds SEED.deals deals with their contacts, touches, stored credits (every journey model, for won deals)
 * and one handoff episode per odd contact, each table with one INSERT … SELECT over a generated series: the
 * same SQL on SQLite and PostgreSQL (a recursive CTE both understand), so seeding takes seconds.
 */
export async function seedCardData(db: Kysely<Database>): Promise<Record<string, number>> {
  const deals = SEED.deals;
  const contacts = deals * SEED.contactsPerDeal;
  // Literals, not parameters: PostgreSQL cannot type a bare parameter in a select list, and a day in
  // milliseconds times a day count overflows its 32-bit integer unless cast.
  const portalId = sql.lit(SEED.portalId);
  const now = sql.raw(String(SEED.now));
  const DAY = sql.raw(`cast(${DAY_MS} as bigint)`);
  const series = (count: number) =>
    sql`with recursive seq(n) as (select 1 union all select n + 1 from seq where n < ${sql.lit(count)})`;
  const channel = sql.raw(
    `case (n + t) % ${CHANNELS.length} ${CHANNELS.map((name, i) => `when ${i} then '${name}'`).join(' ')} end`,
  );
  const outcome = (column: string) =>
    sql.raw(
      `case ${column} % 5 when 0 then 'closedwon' when 1 then 'closedlost' else 'appointmentscheduled' end`,
    );
  await sql`${series(deals)}
    insert into deal (portal_id, deal_id, dealstage, dealstage_at, amount_cents, amount_cents_at,
      closedate, closedate_at, pipeline, pipeline_at, deal_currency_code, deal_currency_code_at,
      created_at, deleted, existence_at, updated_at)
    select ${portalId}, n, ${outcome('n')}, ${now}, 100000 + (n % 997) * 100, ${now},
      ${now} - (n % 90) * ${DAY}, ${now}, 'default', ${now}, 'USD', ${now},
      ${now} - (120 + n % 200) * ${DAY}, 0, ${now}, ${now}
    from seq`.execute(db);
  await sql`${series(contacts)}
    insert into contact (portal_id, contact_id, lifecyclestage, lifecyclestage_at, created_at,
      deleted, existence_at, updated_at)
    select ${portalId}, n, 'salesqualifiedlead', ${now}, ${now} - (150 + n % 200) * ${DAY}, 0, ${now}, ${now}
    from seq`.execute(db);
  await sql`${series(contacts)}
    insert into deal_contact (portal_id, deal_id, contact_id, associated, changed_at, updated_at)
    select ${portalId}, (n + 1) / 2, n, 1, ${now}, ${now} from seq`.execute(db);
  const touchIndex = sql.raw(
    Array.from({ length: SEED.touchesPerContact }, (_, t) => `select ${t} as t`).join(
      ' union all ',
    ),
  );
  await sql`${series(contacts)}
    insert into touchpoint (portal_id, contact_id, at, kind, channel, campaign, matched_rule,
      raw_source, origin, idempotency_key, created_at, updated_at)
    select ${portalId}, n, ${now} - (100 + (n * 7 + t * 13) % 200) * ${DAY} - t * 3600000,
      case t when 0 then 'form_submission' else 'page_view_session' end, ${channel},
      'campaign-' || ((n + t) % 40), 'explicit', '{}', 'offline', 'bench-' || n || '-' || t,
      ${now}, ${now}
    from seq cross join (${touchIndex}) k`.execute(db);
  const models = sql.join(
    JOURNEY_MODELS.map((model) => sql`select ${sql.lit(model)} as model`),
    sql` union all `,
  );
  await sql`insert into deal_attribution_state (portal_id, deal_id, status, inputs_hash, amount_cents,
      currency, closed_at, contacts, touches, computed_at)
    select portal_id, deal_id, 'attributed', 'bench', amount_cents, 'USD', closedate,
      ${sql.lit(SEED.contactsPerDeal)}, ${sql.lit(SEED.contactsPerDeal * SEED.touchesPerContact)}, ${now}
    from deal where portal_id = ${portalId} and deal_id % 5 = 0`.execute(db);
  await sql`insert into deal_attribution_state (portal_id, deal_id, status, inputs_hash, contacts,
      touches, computed_at)
    select portal_id, deal_id, 'lost', 'lost', 0, 0, ${now}
    from deal where portal_id = ${portalId} and deal_id % 5 = 1`.execute(db);
  // Contact n belongs to deal (n + 1) / 2, so the won deals' touches are found without a join (which the
  // SQLite planner, without statistics, would run as a nested scan).
  await sql`insert into attribution_credit (portal_id, deal_id, model, touchpoint_id, contact_id,
      campaign, channel, currency, gross_cents, discount_cents, net_cents, closed_at, period, computed_at)
    select tp.portal_id, (tp.contact_id + 1) / 2, m.model, tp.id, tp.contact_id, tp.campaign, tp.channel,
      'USD', 1000, 0, 1000, ${now}, '2026-Q3', ${now}
    from touchpoint tp cross join (${models}) m
    where tp.portal_id = ${portalId} and ((tp.contact_id + 1) / 2) % 5 = 0`.execute(db);
  await sql`${series(contacts / 2)}
    insert into handoff (portal_id, contact_id, episode, status, trigger_at, next_attempt_at,
      scored_at, score, grade, owner_id, assignment_reason, assigned_at, sla_due_at, created_at, updated_at)
    select ${portalId}, 2 * n - 1, 1, case n % 3 when 0 then 'pending' when 1 then 'accepted' else 'breached' end,
      ${now} - (n % 30) * ${DAY}, ${now}, ${now} - (n % 30) * ${DAY}, 40 + n % 60, 'B', '9', 'round_robin',
      ${now} - (n % 30) * ${DAY}, ${now} - (n % 30) * ${DAY} + 14400000, ${now}, ${now}
    from seq`.execute(db);
  const counts: Record<string, number> = {};
  for (const table of [
    'deal',
    'contact',
    'deal_contact',
    'touchpoint',
    'attribution_credit',
    'handoff',
  ] as const) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.count);
  }
  return counts;
}
