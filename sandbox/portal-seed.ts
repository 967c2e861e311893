import { iso } from './hubspot-wire';
import type { Portal } from './portal';
import type { WireOwner, WirePipeline } from './portal-definitions';
import type { Rng } from './rng';

const FIRST_NAMES = [
  'Ava',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Pablo',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
  'Umar',
  'Vera',
  'Wen',
  'Yara',
];
const LAST_NAMES = [
  'Adler',
  'Brandt',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jansen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Rossi',
  'Silva',
  'Tanaka',
  'Weber',
];
const DOMAINS = [
  'acme.test',
  'globex.test',
  'initech.test',
  'umbrella.test',
  'hooli.test',
  'stark.test',
];

export function personName(rng: Rng): { firstname: string; lastname: string } {
  return { firstname: rng.pick(FIRST_NAMES), lastname: rng.pick(LAST_NAMES) };
}

/** Unique per index, so 10,000 seeded contacts never collide on email. */
export function emailFor(firstname: string, lastname: string, index: number, rng: Rng): string {
  return `${firstname}.${lastname}.${index}@${rng.pick(DOMAINS)}`.toLowerCase();
}

export interface SeededOwner {
  readonly id: string;
  readonly userId: number;
  readonly email: string;
  readonly name: string;
}

export function addOwners(
  portal: Portal,
  rng: Rng,
  count: number,
  createdAt: number,
): SeededOwner[] {
  const owners: SeededOwner[] = [];
  for (let i = 0; i < count; i++) {
    const { firstname, lastname } = personName(rng);
    const id = String(rng.int(10_000_000, 99_999_999));
    const userId = rng.int(1_000_000, 9_999_999);
    const email = `${firstname}.${lastname}.${i}@sales.sandbox.test`.toLowerCase();
    const owner: WireOwner = {
      id,
      userId,
      userIdIncludingInactive: userId,
      email,
      firstName: firstname,
      lastName: lastname,
      type: 'PERSON',
      archived: false,
      createdAt: iso(createdAt),
      updatedAt: iso(createdAt),
      teams: [{ id: '1001', name: 'Sales', primary: true }],
    };
    portal.definitions.addOwner(owner);
    owners.push({ id, userId, email, name: `${firstname} ${lastname}` });
  }
  return owners;
}

export interface SeededPipeline {
  readonly pipelineId: string;
  /** Stage ids by role; the ids are random numbers, as in a portal whose pipeline was customised. */
  readonly stages: {
    readonly discovery: string;
    readonly proposal: string;
    readonly negotiation: string;
    readonly won: string;
    readonly lost: string;
  };
}

/**
 * A sales pipeline whose stage ids are portal-specific numbers (never `closedwon`), so a client must read
 * `metadata.isClosed` and `metadata.probability` to know which stage is won.
 */
export function addDealPipeline(portal: Portal, rng: Rng, createdAt: number): SeededPipeline {
  const pipelineId = String(rng.int(100_000_000, 999_999_999));
  const stageId = () => String(rng.int(100_000_000, 999_999_999));
  const stages = {
    discovery: stageId(),
    proposal: stageId(),
    negotiation: stageId(),
    won: stageId(),
    lost: stageId(),
  };
  const rows: Array<[string, string, string, boolean]> = [
    [stages.discovery, 'Discovery', '0.2', false],
    [stages.proposal, 'Proposal sent', '0.5', false],
    [stages.negotiation, 'Negotiation', '0.8', false],
    [stages.won, 'Signed', '1.0', true],
    [stages.lost, 'Not a fit', '0.0', true],
  ];
  const pipeline: WirePipeline = {
    id: pipelineId,
    label: 'New business',
    displayOrder: 0,
    archived: false,
    createdAt: iso(createdAt),
    updatedAt: iso(createdAt),
    stages: rows.map(([id, label, probability, isClosed], displayOrder) => ({
      id,
      label,
      displayOrder,
      archived: false,
      createdAt: iso(createdAt),
      updatedAt: iso(createdAt),
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
      metadata: { isClosed: String(isClosed), probability },
    })),
  };
  portal.definitions.addPipeline('deals', pipeline);
  return { pipelineId, stages };
}

const SOURCES = ['ORGANIC_SEARCH', 'DIRECT_TRAFFIC', 'REFERRALS', 'OFFLINE'] as const;

/** Pre-existing contacts (imported before the app was installed): no webhooks, IMPORT in their history. */
export function addBackgroundContacts(portal: Portal, rng: Rng, count: number): string[] {
  const ids: string[] = [];
  const start = portal.count('contacts');
  for (let i = 0; i < count; i++) {
    const { firstname, lastname } = personName(rng);
    const record = portal.create(
      'contacts',
      {
        email: emailFor(firstname, lastname, start + i, rng),
        firstname,
        lastname,
        lifecyclestage: rng.chance(0.7) ? 'subscriber' : 'lead',
        hs_analytics_source: rng.pick(SOURCES),
      },
      { source: 'IMPORT' },
    );
    ids.push(record.id);
  }
  return ids;
}
