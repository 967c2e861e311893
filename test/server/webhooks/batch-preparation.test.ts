import { sql } from 'kysely';

import {
  applyPropertyChange,
  applyPropertyChanges,
  findContact,
} from '../../../server/crm/crm-object.repository';
import { lockAllUntilCommit, lockUntilCommit } from '../../../server/db/advisory-lock';
import { webhookBatchSchema } from '../../../server/hubspot/webhook-event.schema';
import { registerStaticPortal } from '../../../server/portals/portal.repository';
import {
  type DispatchedEvent,
  type HandlerContext,
  WebhookDispatcher,
} from '../../../server/webhooks/dispatcher';
import { registerWebhookHandlers } from '../../../server/webhooks/handlers';
import { storeWebhookBatch } from '../../../server/webhooks/webhook-intake';
import { createTestDatabase, dialects, type TestDatabase } from '../../helpers/database';
import { testWebhookWorker } from '../../helpers/webhook-worker';
import { hubspotEvent, PORTAL_ID } from '../../helpers/webhooks';

const T0 = 1_764_200_000_000;
const NOW = T0 + 60_000;

/** The dispatcher as registered, with the preparers switched off: every handler does its own writes. */
class UnpreparedDispatcher extends WebhookDispatcher {
  override async prepare(): Promise<void> {}
}

/** The dispatcher as registered, counting how many events its preparers were given. */
class CountingDispatcher extends WebhookDispatcher {
  prepared = 0;
  override async prepare(events: readonly DispatchedEvent[], context: HandlerContext) {
    this.prepared += events.length;
    await super.prepare(events, context);
  }
}

const NOT_A_PROPERTY_CHANGE = { propertyName: undefined, propertyValue: undefined };

/**
 * Several events per object in one claimed batch, delivered out of order: stage changes through MQL and SQL
 * (handoff opens), lead-status touches, owners, deal properties, associations, creation and deletion; then a
 * second batch of changes older than what was applied (stale) and a few new ones.
 */
function mixedStream(): Record<string, unknown>[][] {
  const first: Record<string, unknown>[] = [];
  const second: Record<string, unknown>[] = [];
  const contactChange = (
    batch: Record<string, unknown>[],
    objectId: number,
    at: number,
    propertyName: string,
    propertyValue: string,
  ) => batch.push(hubspotEvent({ objectId, occurredAt: T0 + at, propertyName, propertyValue }));
  const dealChange = (
    batch: Record<string, unknown>[],
    objectId: number,
    at: number,
    propertyName: string,
    propertyValue: string,
  ) =>
    batch.push(
      hubspotEvent({
        subscriptionType: 'deal.propertyChange',
        objectId,
        occurredAt: T0 + at,
        propertyName,
        propertyValue,
      }),
    );
  for (let contact = 1; contact <= 6; contact += 1) {
    first.push(
      hubspotEvent({
        subscriptionType: 'contact.creation',
        objectId: contact,
        occurredAt: T0,
        ...NOT_A_PROPERTY_CHANGE,
      }),
    );
    contactChange(first, contact, 10, 'lifecyclestage', 'lead');
    contactChange(first, contact, 20 + contact, 'lifecyclestage', 'marketingqualifiedlead');
    contactChange(first, contact, 30, 'hs_lead_status', 'ATTEMPTED_TO_CONTACT');
    if (contact % 2 === 0)
      contactChange(first, contact, 40, 'lifecyclestage', 'salesqualifiedlead');
    contactChange(first, contact, 35, 'hubspot_owner_id', String(100 + contact));
    if (contact % 3 === 0) contactChange(second, contact, 5, 'lifecyclestage', 'subscriber');
    contactChange(second, contact, 60, 'hs_lead_status', 'CONNECTED');
  }
  for (let deal = 1; deal <= 3; deal += 1) {
    dealChange(first, deal, 10, 'amount', '100.50');
    dealChange(first, deal, 20, 'amount', '250');
    dealChange(first, deal, 15, 'dealstage', 'appointmentscheduled');
    dealChange(second, deal, 12, 'amount', '175');
    first.push(
      hubspotEvent({
        subscriptionType: 'contact.associationChange',
        objectId: deal,
        occurredAt: T0 + 25,
        fromObjectId: deal,
        toObjectId: deal,
        associationType: 'CONTACT_TO_DEAL',
        associationRemoved: false,
        ...NOT_A_PROPERTY_CHANGE,
      }),
    );
  }
  first.push(
    hubspotEvent({
      subscriptionType: 'contact.deletion',
      objectId: 5,
      occurredAt: T0 + 50,
      ...NOT_A_PROPERTY_CHANGE,
    }),
  );
  // Fixed event ids (each run stores the same stream) and a fixed shuffle, so arrival order differs from
  // occurrence order.
  let eventId = 0;
  return [first, second].map((batch) =>
    batch
      .map((event, i) => ({ event: { ...event, eventId: ++eventId }, key: (i * 7919) % 101 }))
      .sort((a, b) => a.key - b.key)
      .map(({ event }) => event),
  );
}

async function processStream(
  database: TestDatabase,
  dispatcher: WebhookDispatcher,
): Promise<Record<string, unknown[]>> {
  await registerStaticPortal(database.db, PORTAL_ID, T0);
  const worker = testWebhookWorker(database, NOW, registerWebhookHandlers(dispatcher));
  for (const batch of mixedStream()) {
    await storeWebhookBatch(database, webhookBatchSchema.parse(batch), NOW);
    expect(await worker.drain()).toBe(batch.length);
  }
  const { db } = database;
  const table = async (name: string, order: string) =>
    (await sql.raw(`select * from ${name} order by ${order}`).execute(db)).rows;
  return {
    contacts: await table('contact', 'portal_id, contact_id'),
    deals: await table('deal', 'portal_id, deal_id'),
    dealContacts: await table('deal_contact', 'portal_id, deal_id, contact_id'),
    handoffs: await table('handoff', 'portal_id, contact_id, episode'),
    history: (await table('handoff_history', 'handoff_id, id')).map((row) => {
      const { id: _id, ...rest } = row as Record<string, unknown>;
      return rest;
    }),
    jobs: await table('attribution_job', 'portal_id, kind, object_id'),
    events: await table('webhook_event', 'event_id'),
  };
}

describe.each(dialects)('batch preparation on %s', (dialect) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });

  afterEach(async () => {
    await database.destroy();
  });

  it('writes many property changes in one statement with the same newer-wins outcome as one by one', async () => {
    const { db } = database;
    const base = { type: 'contact' as const, portalId: 1, column: 'lifecyclestage' as const };
    await applyPropertyChange(db, { ...base, objectId: 1, value: 'lead', occurredAt: 100, now: 1 });
    await applyPropertyChange(db, { ...base, objectId: 2, value: 'lead', occurredAt: 300, now: 1 });
    const applied = await applyPropertyChanges(
      db,
      'contact',
      'lifecyclestage',
      [
        { portalId: 1, objectId: 1, value: 'customer', occurredAt: 200 }, // newer: applied
        { portalId: 1, objectId: 2, value: 'subscriber', occurredAt: 200 }, // older: stale
        { portalId: 1, objectId: 3, value: null, occurredAt: 200 }, // new contact, cleared value
        { portalId: 2, objectId: 1, value: 'lead', occurredAt: 50 }, // same id, other portal
      ],
      7,
    );
    expect(applied).toEqual([true, false, true, true]);
    const stage = async (portalId: number, contactId: number) => {
      const contact = await findContact(db, portalId, contactId);
      return [contact?.lifecyclestage, Number(contact?.lifecyclestage_at)];
    };
    expect(await stage(1, 1)).toEqual(['customer', 200]);
    expect(await stage(1, 2)).toEqual(['lead', 300]);
    expect(await stage(1, 3)).toEqual([null, 200]);
    expect(await stage(2, 1)).toEqual(['lead', 50]);
  });

  it('leaves every table exactly as handlers applying each event on their own would', async () => {
    const counting = new CountingDispatcher();
    const prepared = await processStream(database, counting);
    expect(counting.prepared).toBeGreaterThan(0);
    await database.destroy();
    database = await createTestDatabase(dialect);
    const unprepared = await processStream(database, new UnpreparedDispatcher());
    expect(prepared).toEqual(unprepared);
    // Not a vacuous comparison: episodes opened, late changes were stale, deals and associations applied.
    expect(prepared.handoffs!.length).toBe(6);
    const outcomes = prepared.events!.map((row) => (row as { outcome: string }).outcome);
    expect(outcomes).toEqual(expect.arrayContaining(['applied', 'stale']));
    expect(prepared.dealContacts!.length).toBe(3);
    expect(prepared.deals).toEqual(
      expect.arrayContaining([expect.objectContaining({ deal_id: 1, amount_cents: 25_000 })]),
    );
  });
});

(dialects.includes('postgres') ? describe : describe.skip)('lockAllUntilCommit on postgres', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
  });

  afterEach(async () => {
    await database.destroy();
  });

  const waitingForAdvisoryLocks = async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`.execute(
      database.db,
    );
    return rows[0]!.n;
  };

  it('holds every key until commit; another transaction taking one of them waits for it', async () => {
    const order: string[] = [];
    let commitFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => {
      commitFirst = resolve;
    });
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => {
      firstLocked = resolve;
    });
    const first = database.db.transaction().execute(async (trx) => {
      await lockAllUntilCommit(trx, 'test:batch', ['b', 'a', 'c', 'a']);
      // Already held by this transaction: no statement, no wait.
      await lockUntilCommit(trx, 'test:batch', 'c');
      firstLocked();
      await firstMayCommit;
      order.push('first commits');
    });
    await locked;
    const second = database.db.transaction().execute(async (trx) => {
      await lockUntilCommit(trx, 'test:batch', 'b');
      order.push('second got b');
    });
    while ((await waitingForAdvisoryLocks()) === 0) await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    commitFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first commits', 'second got b']);
  });
});
