import type { BulkColumn } from '../server/db/bulk-insert';
import { bulkInsert } from '../server/db/bulk-insert';
import type { DatabaseHandle } from '../server/db/database';
import { seededRandom } from '../src/handoff/seeded-random';

/**
 * A deterministic portal for the full-recomputation benchmark: 100,000 deals (30 % won, 45 % lost, 25 % open)
 * closing through 2026, 1–3 contacts each, 25,000 more contacts that never became a deal, and 1,000,000
 * touches spread evenly over all contacts (about 4.4 each) in the half year before their deal's close. Eight
 * channels, forty campaigns, EUR and USD deals. Written with the same bulk inserts the recomputation uses.
 */

export const DEALS = 100_000;
export const TOUCHES = 1_000_000;
const DEAL_LESS_CONTACTS = 25_000;
const DAY = 86_400_000;
const YEAR_START = Date.UTC(2026, 0, 1);
export const BENCH_NOW = Date.UTC(2027, 0, 15);
const CHANNELS = [
  'organic_search',
  'paid_search',
  'paid_social',
  'email',
  'events',
  'referral',
  'direct',
  'partner',
];

interface Deal {
  id: number;
  outcome: 'won' | 'lost' | 'open';
  at: number;
  cents: number;
  currency: string;
}

export async function seedRecomputeData(
  handle: DatabaseHandle,
  portalId: number,
): Promise<{ contacts: number; won: number }> {
  const next = seededRandom(7);
  const deals: Deal[] = [];
  const dealContacts: Array<[number, number]> = [];
  const contactEnd: number[] = [];
  let contactId = 0;
  for (let id = 1; id <= DEALS; id += 1) {
    const roll = next();
    const deal: Deal = {
      id,
      outcome: roll < 0.3 ? 'won' : roll < 0.75 ? 'lost' : 'open',
      at: YEAR_START + Math.floor(next() * 350) * DAY + Math.floor(next() * DAY),
      cents: 100_000 + Math.floor(next() * 5_000_000),
      currency: next() < 0.8 ? 'EUR' : 'USD',
    };
    deals.push(deal);
    const contacts = 1 + Math.floor(next() * 3);
    for (let c = 0; c < contacts; c += 1) {
      contactId += 1;
      dealContacts.push([id, contactId]);
      contactEnd[contactId] = deal.at;
    }
  }
  for (let c = 0; c < DEAL_LESS_CONTACTS; c += 1) {
    contactId += 1;
    contactEnd[contactId] = YEAR_START + Math.floor(next() * 330) * DAY;
  }
  const contacts = contactId;
  const db = handle.db;
  await db.transaction().execute(async (trx) => {
    await bulkInsert(trx, handle, 'deal', DEAL_COLUMNS(portalId), deals);
    await bulkInsert(
      trx,
      handle,
      'deal_attribution_state',
      STATE_COLUMNS(portalId),
      deals.map((deal) => ({ deal, status: deal.outcome === 'won' ? 'attributed' : deal.outcome })),
    );
    await bulkInsert(trx, handle, 'deal_contact', DEAL_CONTACT_COLUMNS(portalId), dealContacts);
    await bulkInsert(
      trx,
      handle,
      'contact',
      CONTACT_COLUMNS(portalId),
      Array.from({ length: contacts }, (_, index) => index + 1),
    );
  });
  // Touches in batches so the generator never holds a million rows.
  const BATCH = 100_000;
  for (let start = 0; start < TOUCHES; start += BATCH) {
    const touches: Array<{
      id: number;
      contact: number;
      at: number;
      channel: string;
      campaign: string | null;
    }> = [];
    for (let t = start; t < Math.min(TOUCHES, start + BATCH); t += 1) {
      const contact = 1 + Math.floor((t * contacts) / TOUCHES);
      const channel = CHANNELS[Math.floor(next() ** 1.5 * CHANNELS.length)]!;
      touches.push({
        id: t + 1,
        contact,
        at: (contactEnd[contact] as number) - Math.floor(next() * 180 * DAY),
        channel,
        campaign:
          next() < 0.1 ? null : `campaign ${String(Math.floor(next() * 40)).padStart(2, '0')}`,
      });
    }
    await db
      .transaction()
      .execute((trx) => bulkInsert(trx, handle, 'touchpoint', TOUCH_COLUMNS(portalId), touches));
  }
  return { contacts, won: deals.filter((deal) => deal.outcome === 'won').length };
}

const DEAL_COLUMNS = (portalId: number): BulkColumn<Deal>[] => [
  { name: 'portal_id', type: 'bigint', value: () => portalId },
  { name: 'deal_id', type: 'bigint', value: (deal) => deal.id },
  { name: 'dealstage', type: 'text', value: (deal) => deal.outcome },
  { name: 'dealstage_at', type: 'bigint', value: (deal) => deal.at },
  { name: 'amount_cents', type: 'bigint', value: (deal) => deal.cents },
  {
    name: 'closedate',
    type: 'bigint',
    value: (deal) => (deal.outcome === 'open' ? null : deal.at),
  },
  { name: 'deal_currency_code', type: 'text', value: (deal) => deal.currency },
  { name: 'created_at', type: 'bigint', value: (deal) => deal.at - 60 * DAY },
  { name: 'deleted', type: 'integer', value: () => 0 },
  { name: 'updated_at', type: 'bigint', value: (deal) => deal.at },
];

const STATE_COLUMNS = (portalId: number): BulkColumn<{ deal: Deal; status: string }>[] => [
  { name: 'portal_id', type: 'bigint', value: () => portalId },
  { name: 'deal_id', type: 'bigint', value: (row) => row.deal.id },
  { name: 'status', type: 'text', value: (row) => row.status },
  { name: 'inputs_hash', type: 'text', value: () => 'seeded' },
  { name: 'contacts', type: 'integer', value: () => 0 },
  { name: 'touches', type: 'integer', value: () => 0 },
  { name: 'computed_at', type: 'bigint', value: () => 0 },
];

const DEAL_CONTACT_COLUMNS = (portalId: number): BulkColumn<[number, number]>[] => [
  { name: 'portal_id', type: 'bigint', value: () => portalId },
  { name: 'deal_id', type: 'bigint', value: (row) => row[0] },
  { name: 'contact_id', type: 'bigint', value: (row) => row[1] },
  { name: 'associated', type: 'integer', value: () => 1 },
  { name: 'changed_at', type: 'bigint', value: () => 0 },
  { name: 'updated_at', type: 'bigint', value: () => 0 },
];

const CONTACT_COLUMNS = (portalId: number): BulkColumn<number>[] => [
  { name: 'portal_id', type: 'bigint', value: () => portalId },
  { name: 'contact_id', type: 'bigint', value: (id) => id },
  { name: 'created_at', type: 'bigint', value: () => YEAR_START - 30 * DAY },
  { name: 'deleted', type: 'integer', value: () => 0 },
  { name: 'updated_at', type: 'bigint', value: () => 0 },
];

const TOUCH_COLUMNS = (
  portalId: number,
): BulkColumn<{
  id: number;
  contact: number;
  at: number;
  channel: string;
  campaign: string | null;
}>[] => [
  { name: 'portal_id', type: 'bigint', value: () => portalId },
  { name: 'contact_id', type: 'bigint', value: (t) => t.contact },
  { name: 'at', type: 'bigint', value: (t) => t.at },
  { name: 'kind', type: 'text', value: () => 'page_view_session' },
  { name: 'channel', type: 'text', value: (t) => t.channel },
  { name: 'campaign', type: 'text', value: (t) => t.campaign },
  { name: 'matched_rule', type: 'text', value: () => 'explicit' },
  { name: 'raw_source', type: 'text', value: () => '{}' },
  { name: 'origin', type: 'text', value: () => 'offline' },
  { name: 'idempotency_key', type: 'text', value: (t) => `bench-${t.id}` },
  { name: 'created_at', type: 'bigint', value: () => 0 },
  { name: 'updated_at', type: 'bigint', value: () => 0 },
];
