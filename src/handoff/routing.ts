import { DateTime } from 'luxon';

import { type ContactSnapshot, matchesCondition, propertyValue } from './contact-snapshot';
import type { OwnerSettings, RoutingSettings } from './handoff-settings';

/**
 * Picks the sales owner for a new handoff: keep the contact's owner when configured, otherwise the first
 * territory whose rule matches (falling back to every owner), then smooth weighted round-robin over the
 * owners of that pool who are not away. The rotation state is one counter per (pool, owner), stored by the
 * service; this function only returns the new values, so the pick is fair across restarts and replicas as
 * long as the service reads and writes the counters in one transaction. A new owner starts at 0 and nobody
 * else's counter moves, so adding or removing an owner never resets the rotation.
 */

export const DEFAULT_POOL = 'default';

export interface RotationCounter {
  readonly pool: string;
  readonly ownerId: string;
  /** Smooth weighted round-robin "current weight". */
  readonly current: number;
}

export interface RoutingRequest {
  readonly contact: ContactSnapshot;
  readonly settings: RoutingSettings;
  /** Time zone for owners without their own (the SLA default). */
  readonly defaultTimezone: string;
  readonly counters: readonly RotationCounter[];
  readonly now: number;
  /** Owners who must not get this lead (e.g. the one whose SLA just breached). */
  readonly excludeOwnerIds?: readonly string[];
}

export type RoutingDecision =
  | { readonly kind: 'kept'; readonly ownerId: string; readonly reason: string }
  | {
      readonly kind: 'assigned';
      readonly ownerId: string;
      readonly pool: string;
      readonly reason: string;
      /** Counters to write back (every eligible owner of the pool moves). */
      readonly counterUpdates: readonly RotationCounter[];
    }
  | { readonly kind: 'unassigned'; readonly reason: string };

export function routeLead(request: RoutingRequest): RoutingDecision {
  const { contact, settings, now } = request;
  const excluded = new Set(request.excludeOwnerIds ?? []);
  const away = (owner: OwnerSettings) => isAway(owner, now, request.defaultTimezone);
  const notes: string[] = [];

  const existing = propertyValue(contact, settings.ownerProperty);
  if (settings.keepExistingOwner && existing !== undefined && !excluded.has(existing)) {
    const configured = settings.owners.find((owner) => owner.id === existing);
    if (!configured || !away(configured))
      return { kind: 'kept', ownerId: existing, reason: `kept the contact's owner ${existing}` };
    notes.push(`owner ${existing} is away`);
  }

  const eligible = (ids: readonly string[]) =>
    settings.owners.filter(
      (owner) => ids.includes(owner.id) && !excluded.has(owner.id) && !away(owner),
    );

  for (const territory of settings.territories) {
    if (!matchesCondition(propertyValue(contact, territory.property), territory.when)) continue;
    const owners = eligible(territory.owners);
    if (owners.length > 0) {
      const name = territory.label ?? territory.id;
      return pick(owners, territory.id, request.counters, [...notes, `territory ${name}`]);
    }
    notes.push(`territory ${territory.label ?? territory.id} matched but every owner is away`);
  }

  const owners = eligible(settings.owners.map((owner) => owner.id));
  if (owners.length === 0)
    return {
      kind: 'unassigned',
      reason: [
        ...notes,
        settings.owners.length === 0 ? 'no owners configured' : 'every owner is away',
      ].join('; '),
    };
  return pick(owners, DEFAULT_POOL, request.counters, notes);
}

/** Whether the owner is away on the local date of `now` in their time zone (periods are inclusive). */
export function isAway(owner: OwnerSettings, now: number, defaultTimezone: string): boolean {
  if (owner.away.length === 0) return false;
  const today = DateTime.fromMillis(now, { zone: owner.timezone ?? defaultTimezone }).toISODate()!;
  return owner.away.some((period) => period.from <= today && today <= period.to);
}

function pick(
  owners: readonly OwnerSettings[],
  pool: string,
  counters: readonly RotationCounter[],
  notes: readonly string[],
): RoutingDecision {
  const totalWeight = owners.reduce((total, owner) => total + owner.weight, 0);
  const raised = owners.map((owner) => ({
    owner,
    current:
      (counters.find((c) => c.pool === pool && c.ownerId === owner.id)?.current ?? 0) +
      owner.weight,
  }));
  // Ties go to the owner listed first in the config, so the order is deterministic.
  const chosen = raised.reduce((best, candidate) =>
    candidate.current > best.current ? candidate : best,
  );
  const counterUpdates = raised.map(({ owner, current }) => ({
    pool,
    ownerId: owner.id,
    current: owner === chosen.owner ? current - totalWeight : current,
  }));
  const share = `weight ${chosen.owner.weight} of ${totalWeight} among ${owners.length} available owner(s)`;
  return {
    kind: 'assigned',
    ownerId: chosen.owner.id,
    pool,
    reason: [...notes, `round-robin in pool ${pool}: ${share}`].join('; '),
    counterUpdates,
  };
}
