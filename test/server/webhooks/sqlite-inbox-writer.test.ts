import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type DatabaseHandle, openDatabase } from '../../../server/db/database';
import { migrateToLatest } from '../../../server/db/migrate';
import { registerStaticPortal } from '../../../server/portals/portal.repository';
import { sqliteInboxWriter } from '../../../server/webhooks/sqlite-inbox-writer';
import { parseWebhookBatch, storeWebhookBatch } from '../../../server/webhooks/webhook-intake';
import { hubspotEvent, PORTAL_ID } from '../../helpers/webhooks';

// The group commit is SQLite's (PostgreSQL stores each batch in one statement of its own): these tests run on a
// SQLite file in WAL mode, as the service does.
describe('SQLite inbox group commit', () => {
  let database: DatabaseHandle;

  beforeEach(async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'truce-group-')), 'inbox.sqlite');
    database = openDatabase({ dialect: 'sqlite', filename: file });
    await migrateToLatest(database.db);
    await registerStaticPortal(database.db, PORTAL_ID, 1_000);
  });

  afterEach(() => database.close());

  const storedObjectIds = () =>
    database
      .sqlite!.prepare('select object_id from webhook_event order by object_id')
      .pluck()
      .all();

  it('commits concurrent batches together: when the first is acknowledged, the others are on disk too', async () => {
    const batches = [1, 2, 3].map((objectId) =>
      parseWebhookBatch(JSON.stringify([hubspotEvent({ objectId }), hubspotEvent({ objectId })])),
    );
    let seenAtFirstAck: unknown[] = [];
    const first = storeWebhookBatch(database, batches[0]!, 2_000).then((result) => {
      seenAtFirstAck = storedObjectIds();
      return result;
    });
    const results = await Promise.all([
      first,
      storeWebhookBatch(database, batches[1]!, 2_000),
      storeWebhookBatch(database, batches[2]!, 2_000),
    ]);
    expect(results.map((result) => result.stored)).toEqual([2, 2, 2]);
    expect(seenAtFirstAck).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('refuses a batch of a portal that is not installed without touching the batches committed with it', async () => {
    const outcomes = await Promise.allSettled([
      storeWebhookBatch(
        database,
        parseWebhookBatch(JSON.stringify([hubspotEvent({ objectId: 1 })])),
        2_000,
      ),
      storeWebhookBatch(
        database,
        parseWebhookBatch(
          JSON.stringify([
            hubspotEvent({ objectId: 2 }),
            hubspotEvent({ objectId: 3, portalId: 999 }),
          ]),
        ),
        2_000,
      ),
      storeWebhookBatch(
        database,
        parseWebhookBatch(JSON.stringify([hubspotEvent({ objectId: 4 })])),
        2_000,
      ),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(outcomes[1]).toMatchObject({
      reason: { status: 404, message: expect.stringMatching(/not installed for portal 999/) },
    });
    expect(storedObjectIds()).toEqual([1, 4]);
  });

  it('counts redeliveries inside one group as duplicates, not as new events', async () => {
    const events = [hubspotEvent({ objectId: 7 }), hubspotEvent({ objectId: 8 })];
    const results = await Promise.all([
      storeWebhookBatch(database, parseWebhookBatch(JSON.stringify(events)), 2_000),
      storeWebhookBatch(database, parseWebhookBatch(JSON.stringify(events)), 2_000),
    ]);
    expect(results.map((result) => [result.stored, result.duplicates])).toEqual([
      [2, 0],
      [0, 2],
    ]);
    expect(storedObjectIds()).toEqual([7, 8]);
  });

  it('when the group transaction fails, retries each batch alone so only the bad one fails', async () => {
    const writer = sqliteInboxWriter(database.db, database.sqlite!);
    const row = (eventId: number, payload: string | null) => ({
      portal_id: PORTAL_ID,
      subscription_id: 1001,
      event_id: eventId,
      occurred_at: 1_764_000_000_000,
      object_id: eventId,
      property_name: 'lifecyclestage',
      subscription_type: 'contact.propertyChange',
      object_type: 'contact',
      change: 'propertyChange',
      // payload is NOT NULL: a null makes that batch's insert fail inside the shared transaction.
      payload: payload as string,
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: 2_000,
      received_at: 2_000,
    });
    const outcomes = await Promise.allSettled([
      writer.write({ portalIds: [PORTAL_ID], rows: [row(1, '{}')] }),
      writer.write({ portalIds: [PORTAL_ID], rows: [row(2, '{}'), row(3, null)] }),
      writer.write({ portalIds: [PORTAL_ID], rows: [row(4, '{}')] }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(outcomes[1]).toMatchObject({ reason: { code: 'SQLITE_CONSTRAINT_NOTNULL' } });
    expect(storedObjectIds()).toEqual([1, 4]);
  });
});
