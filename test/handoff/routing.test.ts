import { handoffSettingsSchema, type RoutingSettings } from '../../src/handoff/handoff-settings';
import {
  isAway,
  type RotationCounter,
  routeLead,
  type RoutingDecision,
} from '../../src/handoff/routing';

const NOW = Date.parse('2026-11-20T12:00:00Z');

function routing(input: object): RoutingSettings {
  return handoffSettingsSchema.parse({ routing: input }).routing;
}

/** Runs n assignments the way the service does: read counters, route, write the updates back. */
function simulate(
  settings: RoutingSettings,
  n: number,
  counters = new Map<string, RotationCounter>(),
  contact: Record<string, string> = {},
): { counts: Map<string, number>; counters: Map<string, RotationCounter> } {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i += 1) {
    const decision = routeLead({
      contact: { properties: contact },
      settings,
      defaultTimezone: 'UTC',
      counters: [...counters.values()],
      now: NOW,
    });
    if (decision.kind !== 'assigned') throw new Error(decision.reason);
    counts.set(decision.ownerId, (counts.get(decision.ownerId) ?? 0) + 1);
    for (const update of decision.counterUpdates)
      counters.set(`${update.pool}/${update.ownerId}`, update);
  }
  return { counts, counters };
}

describe('routeLead: weighted round-robin', () => {
  const weighted = routing({
    owners: [
      { id: 'ana', weight: 5 },
      { id: 'ben', weight: 3 },
      { id: 'cai', weight: 1 },
      { id: 'dee', weight: 1 },
    ],
  });

  it('gives each owner their weight share over 10,000 assignments (within 2 %)', () => {
    const { counts } = simulate(weighted, 10_000);
    for (const [owner, share] of [
      ['ana', 0.5],
      ['ben', 0.3],
      ['cai', 0.1],
      ['dee', 0.1],
    ] as const) {
      expect(Math.abs((counts.get(owner) ?? 0) / 10_000 - share)).toBeLessThanOrEqual(0.02);
    }
  });

  it('interleaves owners instead of handing out runs (smooth round-robin)', () => {
    const order: string[] = [];
    const counters = new Map<string, RotationCounter>();
    for (let i = 0; i < 10; i += 1) {
      const decision = routeLead({
        contact: { properties: {} },
        settings: weighted,
        defaultTimezone: 'UTC',
        counters: [...counters.values()],
        now: NOW,
      }) as Extract<RoutingDecision, { kind: 'assigned' }>;
      order.push(decision.ownerId);
      decision.counterUpdates.forEach((u) => counters.set(u.ownerId, u));
    }
    expect(order).toEqual(['ana', 'ben', 'ana', 'cai', 'ana', 'ben', 'dee', 'ana', 'ben', 'ana']);
  });

  it('does not reset anyone when an owner is added or removed', () => {
    const two = routing({ owners: [{ id: 'ana' }, { id: 'ben' }] });
    const { counters } = simulate(two, 7);
    const before = new Map(counters);
    const three = routing({ owners: [{ id: 'ana' }, { id: 'ben' }, { id: 'cai' }] });
    const decision = routeLead({
      contact: { properties: {} },
      settings: three,
      defaultTimezone: 'UTC',
      counters: [...counters.values()],
      now: NOW,
    }) as Extract<RoutingDecision, { kind: 'assigned' }>;
    // ana and ben continue from their stored counters (+1 each); the newcomer starts at 0 (+1).
    const expected = new Map([
      ['ana', before.get('default/ana')!.current + 1],
      ['ben', before.get('default/ben')!.current + 1],
      ['cai', 1],
    ]);
    expected.set(decision.ownerId, expected.get(decision.ownerId)! - 3);
    expect(decision.counterUpdates.map((u) => [u.ownerId, u.current])).toEqual([
      ...expected.entries(),
    ]);

    // After the change the three converge to equal thirds.
    const { counts } = simulate(three, 9_000, counters);
    for (const owner of ['ana', 'ben', 'cai'])
      expect(Math.abs(counts.get(owner)! / 9_000 - 1 / 3)).toBeLessThan(0.02);
    // Removing ben leaves ana's and cai's rotation as it was.
    const { counts: afterRemoval } = simulate(
      routing({ owners: [{ id: 'ana' }, { id: 'cai' }] }),
      1_000,
      counters,
    );
    expect(afterRemoval.get('ana')! + afterRemoval.get('cai')!).toBe(1_000);
    expect(Math.abs(afterRemoval.get('ana')! - 500)).toBeLessThanOrEqual(1);
  });
});

describe('routeLead: eligibility, territories and existing owners', () => {
  const settings = routing({
    keepExistingOwner: true,
    owners: [
      { id: 'de-1', timezone: 'Europe/Berlin', away: [{ from: '2026-11-20', to: '2026-11-27' }] },
      { id: 'de-2', timezone: 'Europe/Berlin' },
      { id: 'us-1', timezone: 'America/New_York' },
      {
        id: 'us-2',
        timezone: 'America/New_York',
        away: [{ from: '2026-11-21', to: '2026-11-21' }],
      },
    ],
    territories: [
      {
        id: 'dach',
        label: 'DACH',
        property: 'country',
        when: { op: 'in', values: ['Germany', 'Austria'] },
        owners: ['de-1', 'de-2'],
      },
      {
        id: 'na',
        property: 'country',
        when: { op: 'in', values: ['United States'] },
        owners: ['us-2'],
      },
    ],
  });

  const route = (
    properties: Record<string, string>,
    extra: { now?: number; exclude?: string[] } = {},
  ) =>
    routeLead({
      contact: { properties },
      settings,
      defaultTimezone: 'UTC',
      counters: [],
      now: extra.now ?? NOW,
      excludeOwnerIds: extra.exclude,
    });

  it.each([
    [
      'keeps the existing owner',
      { hubspot_owner_id: 'us-1' },
      'kept',
      'us-1',
      /kept the contact's owner us-1/,
    ],
    ['keeps an owner Truce does not know', { hubspot_owner_id: '999' }, 'kept', '999', /kept/],
    [
      're-routes when the existing owner is away',
      { hubspot_owner_id: 'de-1', country: 'Germany' },
      'assigned',
      'de-2',
      /owner de-1 is away; territory DACH/,
    ],
    [
      'territory skips the away owner',
      { country: 'austria' },
      'assigned',
      'de-2',
      /territory DACH/,
    ],
    [
      'territory match wins over the default pool',
      { country: 'United States' },
      'assigned',
      'us-2',
      /territory na/,
    ],
    [
      'no territory → every available owner',
      { country: 'France' },
      'assigned',
      'de-2',
      /round-robin in pool default/,
    ],
    [
      '"Select" country matches no territory',
      { country: 'Select' },
      'assigned',
      'de-2',
      /pool default/,
    ],
  ])('%s', (_label, properties, kind, ownerId, reason) => {
    const decision = route(properties);
    expect(decision.kind).toBe(kind);
    expect(decision.kind !== 'unassigned' && decision.ownerId).toBe(ownerId);
    expect(decision.reason).toMatch(reason);
  });

  it('falls back to the default pool when every territory owner is away', () => {
    const saturday = Date.parse('2026-11-21T15:00:00Z');
    const decision = route({ country: 'United States' }, { now: saturday });
    expect(decision).toMatchObject({ kind: 'assigned', pool: 'default' });
    expect(decision.reason).toMatch(/territory na matched but every owner is away/);
  });

  it('never picks an excluded owner (reassignment after a breach)', () => {
    expect(route({ hubspot_owner_id: 'de-2' }, { exclude: ['de-2'] })).toMatchObject({
      ownerId: 'us-1',
    });
  });

  it('says why nobody was assigned', () => {
    expect(
      routeLead({
        contact: { properties: {} },
        settings: routing({}),
        defaultTimezone: 'UTC',
        counters: [],
        now: NOW,
      }),
    ).toEqual({ kind: 'unassigned', reason: 'no owners configured' });
    expect(route({}, { exclude: ['de-2', 'us-1', 'us-2'] })).toEqual({
      kind: 'unassigned',
      reason: 'every owner is away',
    });
  });

  it('reads away periods on the owner’s own calendar day', () => {
    const owner = settings.owners[3]!; // us-2 away on 2026-11-21 New York time
    expect(isAway(owner, Date.parse('2026-11-21T04:59:00Z'), 'UTC')).toBe(false); // still the 20th in NY
    expect(isAway(owner, Date.parse('2026-11-21T05:00:00Z'), 'UTC')).toBe(true);
    expect(isAway(owner, Date.parse('2026-11-22T04:59:00Z'), 'UTC')).toBe(true);
    expect(isAway(owner, Date.parse('2026-11-22T05:00:00Z'), 'UTC')).toBe(false);
  });
});
