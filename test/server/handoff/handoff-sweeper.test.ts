import { handoffHistory } from '../../../server/handoff/handoff.repository';
import { routeInTransaction } from '../../../server/handoff/handoff-routing';
import { createHandoffSweeper } from '../../../server/handoff/handoff-sweeper';
import { createLogger } from '../../../server/logger';
import { handoffSettingsSchema } from '../../../src/handoff/handoff-settings';
import { createTestDatabase, dialects, type TestDatabase } from '../../helpers/database';

const PORTAL = 4242;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

const settings = handoffSettingsSchema.parse({
  routing: {
    keepExistingOwner: false,
    owners: [{ id: '9' }, { id: '10' }, { id: '11', weight: 2 }],
  },
  sla: { escalation: { action: 'reassign' } },
});

describe.each(dialects)('handoff sweeper and routing on %s', (dialect) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });

  afterEach(async () => {
    await database.destroy();
  });

  const insertPending = async (contactId: number, ownerId: string) =>
    (
      await database.db
        .insertInto('handoff')
        .values({
          portal_id: PORTAL,
          contact_id: contactId,
          episode: 1,
          status: 'pending',
          trigger_at: T0,
          scoring_attempts: 0,
          next_attempt_at: T0,
          score: 55,
          grade: 'B',
          explanation: JSON.stringify({
            score: { rules: { reasons: [] }, learnedWeight: 0 },
            routingProperties: {},
          }),
          owner_id: ownerId,
          assigned_at: T0,
          sla_due_at: T0 + HOUR,
          sla_reminder_at: T0,
          created_at: T0,
          updated_at: T0,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  it('two replicas sweeping at once breach once and reassign to another owner', async () => {
    const id = await insertPending(501, '9');
    const now = T0 + 2 * HOUR;
    const sweeper = () =>
      createHandoffSweeper({
        database,
        logger: createLogger('silent'),
        now: () => now,
        settings,
        pollIntervalMs: 1000,
      });
    const results = await Promise.all([sweeper().sweepOnce(), sweeper().sweepOnce()]);
    expect(results.reduce((total, result) => total + result.breached, 0)).toBe(1);

    const row = await database.db
      .selectFrom('handoff')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'breached', breached_at: T0 + HOUR, escalated_at: now });
    expect(row.owner_id).not.toBe('9');
    const writes = await database.db
      .selectFrom('hubspot_outbox')
      .select(['idempotency_key', 'payload'])
      .orderBy('id')
      .execute();
    expect(writes.map((write) => write.idempotency_key)).toEqual([
      `handoff-${id}:escalation-task`,
      `handoff-${id}:breach`,
    ]);
    expect(JSON.parse(writes[0]!.payload)).toMatchObject({ ownerId: row.owner_id });
    expect(JSON.parse(writes[1]!.payload)).toEqual({
      contactId: '501',
      properties: { truce_handoff_status: 'breached', hubspot_owner_id: row.owner_id },
    });
    expect((await handoffHistory(database.db, id)).map((entry) => entry.event)).toEqual([
      'breach',
      'assign',
    ]);
  });

  it('routing from two replicas at once keeps the weighted rotation exact', async () => {
    const route = () =>
      database.db.transaction().execute((trx) =>
        routeInTransaction(trx, {
          portalId: PORTAL,
          contact: { properties: {} },
          settings,
          now: T0,
          rowLocks: database.supportsRowLocks,
        }),
      );
    const picks: string[] = [];
    const replica = async () => {
      for (let index = 0; index < 20; index += 1) {
        const decision = await route();
        if (decision.kind !== 'unassigned') picks.push(decision.ownerId);
      }
    };
    await Promise.all([replica(), replica()]);
    const count = (ownerId: string) => picks.filter((pick) => pick === ownerId).length;
    // Weights 1:1:2 over 40 picks: exactly 10, 10 and 20 when no two replicas read the same counters.
    expect([count('9'), count('10'), count('11')]).toEqual([10, 10, 20]);
    // …and the rotation is back where a sequential run of 40 picks leaves it: every counter at 0.
    const counters = await database.db.selectFrom('routing_counter').select('current').execute();
    expect(counters.map((counter) => Number(counter.current))).toEqual([0, 0, 0]);
  });
});
