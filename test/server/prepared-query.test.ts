import { sql } from 'kysely';

import { preparedQuery } from '../../server/db/prepared-query';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/database';

const contactStage = preparedQuery((db, p: { portalId: number; contactId: number }) =>
  db
    .selectFrom('contact')
    .select(['contact_id', 'lifecyclestage'])
    .where('portal_id', '=', p.portalId)
    .where('contact_id', '=', p.contactId)
    // A constant between the values: it must stay in its place in every run.
    .where('deleted', '=', 0),
);

const upsertStage = preparedQuery(
  (db, p: { portalId: number; contactId: number; stage: string | null; now: number }) =>
    db
      .insertInto('contact')
      .values({
        portal_id: p.portalId,
        contact_id: p.contactId,
        lifecyclestage: p.stage,
        deleted: 0,
        updated_at: p.now,
      })
      .onConflict((oc) =>
        oc
          .columns(['portal_id', 'contact_id'])
          .doUpdateSet({ lifecyclestage: p.stage, updated_at: p.now }),
      ),
);

const echo = preparedQuery(
  (_db, p: { text: string }) => sql<{ echoed: string }>`select ${p.text} as echoed`,
);

describe.each(dialects)('preparedQuery on %s', (dialect) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });

  afterEach(async () => {
    await database.destroy();
  });

  it('runs one compiled statement with each call’s values, constants kept, inside and outside transactions', async () => {
    const { db } = database;
    await upsertStage(db, { portalId: 1, contactId: 10, stage: 'lead', now: 5 });
    await upsertStage(db, { portalId: 1, contactId: 11, stage: null, now: 5 });
    await db.transaction().execute(async (trx) => {
      const result = await upsertStage(trx, { portalId: 2, contactId: 10, stage: 'mql', now: 6 });
      expect(Number(result.numAffectedRows)).toBe(1);
    });
    await db
      .updateTable('contact')
      .set({ deleted: 1 })
      .where('portal_id', '=', 1)
      .where('contact_id', '=', 11)
      .execute();

    expect((await contactStage(db, { portalId: 1, contactId: 10 })).rows).toEqual([
      { contact_id: 10, lifecyclestage: 'lead' },
    ]);
    expect((await contactStage(db, { portalId: 2, contactId: 10 })).rows).toEqual([
      { contact_id: 10, lifecyclestage: 'mql' },
    ]);
    // Deleted: the constant `deleted = 0` still filters.
    expect((await contactStage(db, { portalId: 1, contactId: 11 })).rows).toEqual([]);
    expect((await echo(db, { text: 'a' })).rows).toEqual([{ echoed: 'a' }]);
    expect((await echo(db, { text: 'b' })).rows).toEqual([{ echoed: 'b' }]);
  });

  it('refuses a missing value instead of sending undefined to the driver', async () => {
    await expect(
      upsertStage(database.db, {
        portalId: 1,
        contactId: 10,
        stage: undefined as unknown as null,
        now: 5,
      }),
    ).rejects.toThrow('prepared query: no value for "stage"');
  });
});

describe('preparedQuery across databases', () => {
  it('compiles once per database, so each dialect gets its own SQL', async () => {
    const databases = await Promise.all(dialects.map((dialect) => createTestDatabase(dialect)));
    try {
      for (const [i, { db }] of databases.entries()) {
        expect((await echo(db, { text: `run ${i}` })).rows).toEqual([{ echoed: `run ${i}` }]);
      }
    } finally {
      await Promise.all(databases.map((database) => database.destroy()));
    }
  });
});
