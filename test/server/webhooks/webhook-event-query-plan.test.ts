import { openDatabase } from '../../../server/db/database';
import { migrateToLatest } from '../../../server/db/migrate';
import { latestHandoff } from '../../../server/handoff/handoff.repository';
import { webhookBatchSchema } from '../../../server/hubspot/webhook-event.schema';
import { registerStaticPortal } from '../../../server/portals/portal.repository';
import {
  completeClaimedEvents,
  inboxStats,
} from '../../../server/webhooks/webhook-event.repository';
import { storeWebhookBatch } from '../../../server/webhooks/webhook-intake';
import { capturePreparedStatements, queryPlan } from '../../helpers/sqlite-plan';
import { testWebhookWorker } from '../../helpers/webhook-worker';
import { hubspotEvent, PORTAL_ID } from '../../helpers/webhooks';

// SQLite only: PostgreSQL keeps statistics (autovacuum) and plans these by primary key on its own. SQLite has
// none unless someone runs ANALYZE, and then chooses indexes by rule.
describe('webhook inbox queries on SQLite', () => {
  it('completes claimed events by primary key, not by walking the waiting events', async () => {
    const database = openDatabase({ dialect: 'sqlite', filename: ':memory:' });
    try {
      await migrateToLatest(database.db);
      // The worker completes the events it applied in groups of 10 on SQLite.
      const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
      const sqlite = database.sqlite!;
      const { statements } = await capturePreparedStatements(sqlite, () =>
        database.db
          .transaction()
          .execute((trx) => completeClaimedEvents(trx, { ids, workerId: 'w', now: 5 })),
      );
      const update = statements.find((text) => /^update "webhook_event"/i.test(text));
      expect(update).toBeDefined();
      const plan = queryPlan(sqlite, update!, [
        'done',
        'applied',
        5,
        null,
        null,
        ...ids,
        'w',
        'pending',
        'failed',
      ]);
      expect(plan).toEqual([expect.stringMatching(/USING INTEGER PRIMARY KEY/)]);
    } finally {
      await database.close();
    }
  });

  it("looks up a contact's current episode with a literal LIMIT (a bound one made it 8× slower)", async () => {
    const database = openDatabase({ dialect: 'sqlite', filename: ':memory:' });
    try {
      await migrateToLatest(database.db);
      const { statements } = await capturePreparedStatements(database.sqlite!, () =>
        latestHandoff(database.db, 1, 2),
      );
      expect(statements).toEqual([expect.stringMatching(/ limit 1$/)]);
    } finally {
      await database.close();
    }
  });

  it("reads back a new episode's early touches through the contact index, not by walking processed events", async () => {
    const database = openDatabase({ dialect: 'sqlite', filename: ':memory:' });
    try {
      await migrateToLatest(database.db);
      await registerStaticPortal(database.db, PORTAL_ID, 1);
      const now = 1_764_000_100_000;
      await storeWebhookBatch(
        database,
        webhookBatchSchema.parse([
          hubspotEvent({
            objectId: 9,
            occurredAt: now - 1000,
            propertyValue: 'marketingqualifiedlead',
          }),
        ]),
        now,
      );
      const sqlite = database.sqlite!;
      const worker = testWebhookWorker(database, now);
      const { result: drained, statements } = await capturePreparedStatements(sqlite, () =>
        worker.drain(),
      );
      expect(drained).toBe(1);
      const readBack = statements.find((text) => /^select "property_name"/i.test(text));
      expect(readBack).toBeDefined();
      const parameters = (readBack!.match(/\?/g) ?? []).map(() => 1);
      const plan = queryPlan(sqlite, readBack!, parameters);
      expect(plan).toEqual([expect.stringMatching(/USING INDEX webhook_event_contact_change/)]);
    } finally {
      await database.close();
    }
  });

  it('counts the waiting and dead events for /metrics through the status index, never the done ones', async () => {
    const database = openDatabase({ dialect: 'sqlite', filename: ':memory:' });
    try {
      await migrateToLatest(database.db);
      const sqlite = database.sqlite!;
      // 2,000 done events, 3 waiting (one of them failed once) and 1 dead.
      sqlite.exec(
        `with recursive s(i) as (select 1 union all select i + 1 from s where i < 2006)
         insert into webhook_event (portal_id, subscription_id, event_id, occurred_at, object_id, property_name,
           subscription_type, object_type, change, payload, status, attempts, next_attempt_at, received_at)
         select 1, 1, i, i, i, 'p', 'contact.propertyChange', 'contact', 'propertyChange', '{}',
           case when i <= 2000 then 'done' when i <= 2002 then 'pending' when i = 2003 then 'failed'
             else 'dead' end, 1, i, 1000 + i from s where i <= 2004`,
      );
      const { result: stats, statements } = await capturePreparedStatements(sqlite, () =>
        inboxStats(database.db),
      );
      expect(stats).toEqual({
        counts: { pending: 2, failed: 1, dead: 1 },
        oldestWaitingReceivedAt: 1000 + 2001,
      });
      expect(statements).toHaveLength(1);
      const plan = queryPlan(sqlite, statements[0]!, ['pending', 'failed', 'dead']);
      expect(plan).toEqual(
        expect.arrayContaining([
          // A search of the index by status, not a scan of the inbox.
          expect.stringMatching(
            /^SEARCH webhook_event USING (COVERING )?INDEX webhook_event_due \(status=\?\)/,
          ),
        ]),
      );
    } finally {
      await database.close();
    }
  });
});
