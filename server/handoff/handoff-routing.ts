import type { Transaction } from 'kysely';

import type { ContactSnapshot } from '../../src/handoff/contact-snapshot';
import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import { routeLead, type RoutingDecision } from '../../src/handoff/routing';
import type { Database } from '../db/schema';
import { readRoutingCounters, writeRoutingCounters } from './handoff.repository';

/**
 * Routes a lead with the portal's rotation counters read and written in the caller's transaction (locked on
 * PostgreSQL), so every replica and restart continues the same rotation.
 */
export async function routeInTransaction(
  trx: Transaction<Database>,
  request: {
    portalId: number;
    contact: ContactSnapshot;
    settings: Pick<HandoffSettings, 'routing' | 'sla'>;
    now: number;
    rowLocks: boolean;
    excludeOwnerIds?: readonly string[];
  },
): Promise<RoutingDecision> {
  const counters = await readRoutingCounters(trx, request.portalId, request.rowLocks);
  const decision = routeLead({
    contact: request.contact,
    settings: request.settings.routing,
    defaultTimezone: request.settings.sla.timezone,
    counters,
    now: request.now,
    ...(request.excludeOwnerIds ? { excludeOwnerIds: request.excludeOwnerIds } : {}),
  });
  if (decision.kind === 'assigned')
    await writeRoutingCounters(trx, request.portalId, decision.counterUpdates, request.now);
  return decision;
}
