import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { openDatabase } from '../../../server/db/database';
import { migrateToLatest } from '../../../server/db/migrate';
import { registerStaticPortal } from '../../../server/portals/portal.repository';
import { insertWebhookEvents } from '../../../server/webhooks/webhook-event.repository';
import { storeWebhookBatch } from '../../../server/webhooks/webhook-intake';
import { spawnTruce } from '../../helpers/process';
import { hubspotEvent, PORTAL_ID } from '../../helpers/webhooks';

function tempFile(name: string): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'truce-cli-')), name);
}

describe('truce replay', () => {
  it('stores valid batches through the same validation, reports duplicates and bad lines by number', async () => {
    const databaseFile = tempFile('replay.sqlite');
    const good = [hubspotEvent({ objectId: 1 }), hubspotEvent({ objectId: 2 })];
    const file = tempFile('batches.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify(good),
        '',
        '[{"eventId": 1,',
        JSON.stringify(Array.from({ length: 101 }, () => hubspotEvent())),
        JSON.stringify([hubspotEvent({ portalId: 999 })]),
        JSON.stringify([...good, hubspotEvent({ objectId: 3 })]),
      ].join('\n'),
    );
    const run = spawnTruce(['replay', file], {
      DATABASE_URL: databaseFile,
      HUBSPOT_PORTAL_ID: String(PORTAL_ID),
    });
    expect(await run.exited).toBe(2);
    const output = run.output();
    expect(output).toMatch(
      /replayed 2 batch\(es\), 5 event\(s\): 3 stored, 2 already in the inbox; 3 bad line\(s\)/,
    );
    expect(output).toMatch(/line 3: request body is not valid JSON/);
    expect(output).toMatch(
      /line 4: not a valid webhook batch: \(body\): a batch holds at most 100 events/,
    );
    expect(output).toMatch(/line 5: Truce is not installed for portal 999/);

    const database = openDatabase({ dialect: 'sqlite', filename: databaseFile });
    try {
      const rows = await database.db
        .selectFrom('webhook_event')
        .select(['object_id', 'status'])
        .orderBy('object_id')
        .execute();
      expect(rows).toEqual([
        { object_id: 1, status: 'pending' },
        { object_id: 2, status: 'pending' },
        { object_id: 3, status: 'pending' },
      ]);
    } finally {
      await database.close();
    }
  });
});

describe('truce events', () => {
  it('lists dead events and requeues them with `retry --id` and `retry --all`', async () => {
    const databaseFile = tempFile('events.sqlite');
    const database = openDatabase({ dialect: 'sqlite', filename: databaseFile });
    let ids: number[];
    try {
      await migrateToLatest(database.db);
      await registerStaticPortal(database.db, PORTAL_ID, 0);
      await storeWebhookBatch(
        database,
        [1, 2, 3].map((objectId) => hubspotEvent({ objectId })) as never,
        Date.now(),
      );
      await database.db
        .updateTable('webhook_event')
        .set({ status: 'dead', attempts: 8, last_error: 'handler exploded' })
        .where('object_id', 'in', [1, 2])
        .execute();
      ids = (
        await database.db
          .selectFrom('webhook_event')
          .select('id')
          .where('status', '=', 'dead')
          .orderBy('id')
          .execute()
      ).map((row) => row.id);
    } finally {
      await database.close();
    }
    const env = { DATABASE_URL: databaseFile };

    const list = spawnTruce(['events', '--dead'], env);
    expect(await list.exited).toBe(0);
    expect(list.output()).toMatch(
      new RegExp(
        `^${ids[0]}\\t${PORTAL_ID}\\tcontact.propertyChange\\t1\\tlifecyclestage\\t.*\\t8\\thandler exploded$`,
        'm',
      ),
    );
    expect(list.output().trim().split('\n')).toHaveLength(3);

    const usage = spawnTruce(['events', 'retry'], env);
    expect(await usage.exited).toBe(2);

    const one = spawnTruce(['events', 'retry', '--id', String(ids[0])], env);
    expect(await one.exited).toBe(0);
    expect(one.output()).toMatch(/requeued 1 event/);

    const all = spawnTruce(['events', 'retry', '--all'], env);
    expect(await all.exited).toBe(0);
    expect(all.output()).toMatch(/requeued 1 event/);

    const empty = spawnTruce(['events', '--dead'], env);
    expect(await empty.exited).toBe(0);
    expect(empty.output()).toMatch(/no dead events/);
  });

  it('prunes processed events older than the retention with `prune`, and only counts them with `--dry-run`', async () => {
    const databaseFile = tempFile('prune.sqlite');
    const database = openDatabase({ dialect: 'sqlite', filename: databaseFile });
    const day = 86_400_000;
    const now = Date.now();
    const row = (objectId: number, status: 'done' | 'dead', daysAgo: number) => {
      const at = now - daysAgo * day;
      return {
        portal_id: PORTAL_ID,
        subscription_id: 1,
        event_id: objectId,
        occurred_at: at,
        object_id: objectId,
        property_name: '',
        subscription_type: 'contact.creation',
        object_type: 'contact',
        change: 'creation',
        payload: '{}',
        status,
        attempts: 1,
        next_attempt_at: at,
        received_at: at,
        processed_at: status === 'done' ? at : null,
      };
    };
    const left = async () => {
      const open = openDatabase({ dialect: 'sqlite', filename: databaseFile });
      try {
        const rows = await open.db
          .selectFrom('webhook_event')
          .select('object_id')
          .orderBy('object_id')
          .execute();
        return rows.map((r) => r.object_id);
      } finally {
        await open.close();
      }
    };
    try {
      await migrateToLatest(database.db);
      await insertWebhookEvents(database.db, [
        row(1, 'done', 40),
        row(2, 'done', 31),
        row(3, 'done', 20),
        row(4, 'dead', 40),
      ]);
    } finally {
      await database.close();
    }
    const env = { DATABASE_URL: databaseFile };

    const tooYoung = spawnTruce(['events', 'prune', '--older-than', '1'], env);
    expect(await tooYoung.exited).toBe(2);
    expect(tooYoung.output()).toMatch(/at least 2/);

    const dryRun = spawnTruce(['events', 'prune', '--dry-run'], env);
    expect(await dryRun.exited).toBe(0);
    expect(dryRun.output()).toMatch(/would delete 2 processed event\(s\) older than 30 day\(s\)/);
    expect(await left()).toEqual([1, 2, 3, 4]);

    const prune = spawnTruce(['events', 'prune', '--older-than', '35'], env);
    expect(await prune.exited).toBe(0);
    expect(prune.output()).toMatch(/deleted 1 processed event\(s\) older than 35 day\(s\)/);
    expect(await left()).toEqual([2, 3, 4]);
  });
});
