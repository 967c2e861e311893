import { createHash } from 'node:crypto';

import type { Kysely, Transaction } from 'kysely';

import type { DealWriteBackValues } from '../../src/attribution/deal-write-back';
import type { Database } from '../db/schema';
import { TRUCE_GROUP } from '../handoff/handoff-properties';
import { enqueueOutbox } from '../outbox/outbox.repository';
import type { OutboxPayload } from '../outbox/outbox-operations';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The optional write-back of a won deal's attribution to Truce's own deal properties, through the outbox.
 * The values last queued are kept on the deal's attribution state, so a recomputation that lands on the same
 * values queues nothing and each change queues exactly one `deal.update`.
 */

const TRUCE_DEAL_PROPERTIES_VERSION = 1;

function truceDealProperties(): OutboxPayload<'properties.ensure'> {
  return {
    objectType: 'deals',
    group: { ...TRUCE_GROUP },
    properties: [
      {
        name: 'truce_primary_campaign',
        label: 'Truce primary campaign',
        type: 'string',
        fieldType: 'text',
        description:
          'The campaign with the largest attributed credit (model set in attribution.writeBack)',
      },
      {
        name: 'truce_first_touch_channel',
        label: 'Truce first-touch channel',
        type: 'string',
        fieldType: 'text',
        description: "Channel of the first touch over all the deal's contacts",
      },
      {
        name: 'truce_last_touch_channel',
        label: 'Truce last-touch channel',
        type: 'string',
        fieldType: 'text',
        description: "Channel of the last touch before close over all the deal's contacts",
      },
    ],
  };
}

/** Queues the creation of the deal properties once per definition version (like the contact properties). */
export async function ensureTruceDealProperties(
  db: Db,
  portalId: number,
  now: number,
): Promise<boolean> {
  return enqueueOutbox(
    db,
    {
      portalId,
      idempotencyKey: `properties.ensure:deals:truce:v${TRUCE_DEAL_PROPERTIES_VERSION}`,
      operation: 'properties.ensure',
      payload: truceDealProperties(),
    },
    now,
  );
}

/**
 * Queues one `deal.update` when the values differ from those last queued for the deal. Call inside the
 * transaction that stores the deal's credits, after its attribution state row is written.
 */
export async function enqueueDealWriteBack(
  trx: Db,
  target: { portalId: number; dealId: number },
  values: DealWriteBackValues,
  now: number,
): Promise<boolean> {
  const text = JSON.stringify(values);
  const state = await trx
    .selectFrom('deal_attribution_state')
    .select('written_back')
    .where('portal_id', '=', target.portalId)
    .where('deal_id', '=', target.dealId)
    .executeTakeFirst();
  if (state?.written_back === text) return false;
  // The previous values are part of the key: A → B → A queues three writes, a redelivery none.
  const digest = createHash('sha256')
    .update(`${state?.written_back ?? ''}\u0000${text}`)
    .digest('hex')
    .slice(0, 16);
  await enqueueOutbox(
    trx,
    {
      portalId: target.portalId,
      idempotencyKey: `deal.write-back:${target.dealId}:${now}:${digest}`,
      operation: 'deal.update',
      payload: { dealId: String(target.dealId), properties: { ...values } },
    },
    now,
  );
  await trx
    .updateTable('deal_attribution_state')
    .set({ written_back: text })
    .where('portal_id', '=', target.portalId)
    .where('deal_id', '=', target.dealId)
    .execute();
  return true;
}
