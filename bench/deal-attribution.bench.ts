import { reconcileDealAttribution } from '../server/attribution/deal-attribution.service';
import { upsertTouches } from '../server/attribution/touchpoint.repository';
import { loadConfig } from '../server/config';
import {
  applyDealContactAssociation,
  applyExistenceChange,
  applyPropertyChange,
} from '../server/crm/crm-object.repository';
import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { attributeDealJourneys, type DealContact } from '../src/attribution/deal-journeys';
import type { JourneyModel } from '../src/attribution/journey-credit';
import { JOURNEY_MODELS } from '../src/attribution/models';
import type { Touch } from '../src/touchpoints/touch';
import type { Benchmark } from './registry';

const CONTACTS = 50;
const TOUCHES_PER_CONTACT = 100;
const CLOSE = Date.UTC(2026, 8, 1);
const DAY = 86_400_000;
const CHANNELS = ['organic_search', 'paid_search', 'paid_social', 'email', 'events', 'referral'];

/** A deterministic deal: 50 contacts × 100 touches over the year before close. */
function dealContacts(): DealContact[] {
  let seed = 42;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: CONTACTS }, (_, c) => ({
    contactId: String(1000 + c),
    createdAt: CLOSE - Math.floor(next() * 200) * DAY,
    touches: Array.from({ length: TOUCHES_PER_CONTACT }, (_, t) => ({
      id: String(c * TOUCHES_PER_CONTACT + t + 1),
      at: CLOSE - Math.floor(next() * 360 * DAY),
      channel: CHANNELS[Math.floor(next() * CHANNELS.length)]!,
      campaign: `campaign-${Math.floor(next() * 40)}`,
      kind: next() < 0.1 ? 'form_submission' : 'page_view_session',
    })),
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Attributing one deal with 50 contacts and 5,000 touches under all ten journey models (target < 50 ms):
 * the pure computation, against a baseline of only sorting those touches, and the service path on SQLite
 * (read touches, compute, replace 50,000 credit rows in one transaction).
 */
export const dealAttributionBenchmark: Benchmark = {
  name: 'deal-attribution',
  description:
    'one deal, 50 contacts, 5,000 touches, all journey models (pure and stored on SQLite)',
  async run(print) {
    const contacts = dealContacts();
    const settings = loadConfig({}).settings.attribution;
    const models = [...JOURNEY_MODELS] as JourneyModel[];
    const options = { halfLifeMs: settings.timeDecayHalfLifeDays * DAY, custom: settings.custom };
    const input = {
      dealId: '1',
      amountCents: 12_345_678,
      closedAt: CLOSE,
      dealCreatedAt: CLOSE - 30 * DAY,
      contacts,
    };

    const baseline: number[] = [];
    const pure: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      let started = performance.now();
      for (const contact of contacts) [...contact.touches].sort((a, b) => a.at - b.at);
      baseline.push(performance.now() - started);
      started = performance.now();
      const credits = attributeDealJourneys(input, models, options);
      pure.push(performance.now() - started);
      if (credits.size !== models.length) throw new Error('a model is missing');
    }
    print(
      `baseline (sort 5,000 touches per contact journey): median ${median(baseline).toFixed(2)} ms`,
    );
    print(
      `attributeDealJourneys, 10 models: median ${median(pure).toFixed(2)} ms (target < 50 ms)`,
    );

    const database = openDatabase({ dialect: 'sqlite', filename: ':memory:' });
    try {
      await migrateToLatest(database.db);
      const db = database.db;
      const base = {
        type: 'deal' as const,
        portalId: 1,
        objectId: 1,
        occurredAt: CLOSE,
        now: CLOSE,
      };
      await applyExistenceChange(db, { ...base, deleted: false, createdAt: CLOSE - 30 * DAY });
      await applyPropertyChange(db, { ...base, column: 'dealstage', value: 'won' });
      await applyPropertyChange(db, { ...base, column: 'closedate', value: CLOSE });
      for (const contact of contacts) {
        await applyDealContactAssociation(db, {
          portalId: 1,
          dealId: 1,
          contactId: Number(contact.contactId),
          associated: true,
          occurredAt: CLOSE,
          now: CLOSE,
        });
        const touches: Touch[] = contact.touches.map((touch) => ({
          contactId: contact.contactId,
          at: touch.at,
          kind: touch.kind as Touch['kind'],
          channel: touch.channel,
          campaign: touch.campaign,
          rawSource: {},
          matchedRule: 'explicit',
          idempotencyKey: `bench-${touch.id}`,
        }));
        await upsertTouches(db, 1, touches, 'offline', CLOSE);
      }
      const stored: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        await applyPropertyChange(db, {
          ...base,
          column: 'amount_cents',
          value: 10_000_000 + i,
          occurredAt: CLOSE + i + 1,
        });
        const started = performance.now();
        const outcome = await reconcileDealAttribution(
          db,
          { portalId: 1, dealId: 1 },
          { stageOutcome: () => 'won', settings, now: CLOSE },
        );
        stored.push(performance.now() - started);
        if (outcome !== 'attributed') throw new Error(`deal not attributed: ${outcome}`);
      }
      print(
        `reconcileDealAttribution on SQLite (read 5,000 touches, write 50,000 credits): median ${median(stored).toFixed(0)} ms`,
      );

      // The same deal with a list price (discount split over every credit), role labels on every contact
      // (weights read per deal) and write-back on (one outbox row per change): the extra work of issue 6's
      // price realisation, contact roles and write-back, measured against the plain runs above.
      await db
        .updateTable('deal')
        .set({
          list_price_cents: 11_000_000,
          line_discount_cents: 500_000,
          price_source: 'line_items',
        })
        .execute();
      const labels = ['Decision maker', 'Champion', 'Influencer', 'Budget holder'];
      for (const [index, contact] of contacts.entries()) {
        await db
          .updateTable('deal_contact')
          .set({ role_labels: JSON.stringify([labels[index % labels.length]]) })
          .where('contact_id', '=', Number(contact.contactId))
          .execute();
      }
      const extended = {
        ...settings,
        contactRoles: {
          weights: { 'Decision maker': 3, Champion: 2, Influencer: 0.5 },
          defaultWeight: 1,
        },
        writeBack: { enabled: true, model: 'w_shaped' as const },
      };
      const priced: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        await applyPropertyChange(db, {
          ...base,
          column: 'amount_cents',
          value: 10_000_000 + i,
          occurredAt: CLOSE + 100 + i,
        });
        const started = performance.now();
        const outcome = await reconcileDealAttribution(
          db,
          { portalId: 1, dealId: 1 },
          { stageOutcome: () => 'won', settings: extended, now: CLOSE + i },
        );
        priced.push(performance.now() - started);
        if (outcome !== 'attributed') throw new Error(`deal not attributed: ${outcome}`);
      }
      const credits = await db
        .selectFrom('attribution_credit')
        .select((eb) => eb.fn.sum<number>('discount_cents').as('discount'))
        .where('model', '=', 'linear')
        .executeTakeFirstOrThrow();
      print(
        `  with list price, role weights and write-back: median ${median(priced).toFixed(0)} ms (${(median(priced) / median(stored)).toFixed(2)}× the plain run; linear discount ${Number(credits.discount)} cents)`,
      );
    } finally {
      await database.close();
    }
  },
};
