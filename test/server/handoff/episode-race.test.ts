import { sql } from 'kysely';

import { latestHandoff } from '../../../server/handoff/handoff.repository';
import { webhookBatchSchema } from '../../../server/hubspot/webhook-event.schema';
import { registerStaticPortal } from '../../../server/portals/portal.repository';
import { storeWebhookBatch } from '../../../server/webhooks/webhook-intake';
import { createTestDatabase, dialects, type TestDatabase } from '../../helpers/database';
import { testWebhookWorker } from '../../helpers/webhook-worker';
import { hubspotEvent, PORTAL_ID } from '../../helpers/webhooks';

const T0 = 1_764_200_000_000;
const NOW = T0 + 60_000;
const CONTACT = 77;

/**
 * The scoring worker, the SLA sweeper and the card decide on an episode in their own transactions, without the
 * webhook worker's contact lock. A rep's touch processed while one of them is changing the episode must wait
 * for that change and apply to its outcome, not be dropped because the episode left the status it was read in.
 */
(dialects.includes('postgres') ? describe : describe.skip)(
  'a contact change racing another writer of its episode (postgres)',
  () => {
    let database: TestDatabase;

    beforeEach(async () => {
      database = await createTestDatabase('postgres');
    });

    afterEach(async () => {
      await database.destroy();
    });

    const waitingForRowLocks = async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype in ('transactionid', 'tuple') and not granted`.execute(
        database.db,
      );
      return rows[0]!.n;
    };

    it('records a touch processed while the episode is being assigned', async () => {
      const { db } = database;
      await registerStaticPortal(db, PORTAL_ID, T0);
      const worker = testWebhookWorker(database, NOW);
      const contactChange = (eventId: number, at: number, propertyName: string, value: string) =>
        hubspotEvent({
          eventId,
          objectId: CONTACT,
          occurredAt: T0 + at,
          propertyName,
          propertyValue: value,
        });
      await storeWebhookBatch(
        database,
        webhookBatchSchema.parse([
          contactChange(1, 10, 'lifecyclestage', 'marketingqualifiedlead'),
        ]),
        NOW,
      );
      expect(await worker.drain()).toBe(1);
      const opened = await latestHandoff(db, PORTAL_ID, CONTACT);
      expect(opened?.status).toBe('scoring');

      // The scoring worker assigns the episode; its transaction is still open when the touch is processed.
      let commitAssignment!: () => void;
      const assignmentMayCommit = new Promise<void>((resolve) => {
        commitAssignment = resolve;
      });
      let assigned!: () => void;
      const assignmentWritten = new Promise<void>((resolve) => {
        assigned = resolve;
      });
      const assignment = db.transaction().execute(async (trx) => {
        await trx
          .updateTable('handoff')
          .set({ status: 'pending', owner_id: '9', assigned_at: T0 + 20, updated_at: T0 + 20 })
          .where('id', '=', opened!.id)
          .where('status', '=', 'scoring')
          .execute();
        assigned();
        await assignmentMayCommit;
      });
      await assignmentWritten;

      await storeWebhookBatch(
        database,
        webhookBatchSchema.parse([contactChange(2, 30, 'hs_lead_status', 'ATTEMPTED_TO_CONTACT')]),
        NOW,
      );
      const touch = worker.drain();
      while ((await waitingForRowLocks()) === 0) await new Promise((r) => setTimeout(r, 10));
      commitAssignment();
      await assignment;
      expect(await touch).toBe(1);

      const row = await latestHandoff(db, PORTAL_ID, CONTACT);
      expect(row).toMatchObject({ status: 'pending', owner_id: '9' });
      expect(Number(row?.first_touch_at)).toBe(T0 + 30);
      expect(row?.first_touch_source).toBe('hs_lead_status');
    });
  },
);
