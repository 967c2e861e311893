import { type BulkColumn, bulkInsert } from '../../server/db/bulk-insert';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/database';

interface Touch {
  readonly contact: number;
  readonly campaign: string | null;
  readonly note: string | null;
  readonly cost: number | null;
}

const COLUMNS: readonly BulkColumn<Touch>[] = [
  { name: 'portal_id', type: 'bigint', value: () => 7 },
  { name: 'contact_id', type: 'bigint', value: (row) => row.contact },
  { name: 'at', type: 'bigint', value: (row) => 1_767_225_600_000 + row.contact },
  { name: 'kind', type: 'text', value: () => 'offline' },
  { name: 'channel', type: 'text', value: () => 'events' },
  { name: 'campaign', type: 'text', value: (row) => row.campaign },
  { name: 'matched_rule', type: 'text', value: () => 'rule' },
  { name: 'raw_source', type: 'text', value: () => '{}' },
  { name: 'cost_cents', type: 'bigint', value: (row) => row.cost },
  { name: 'note', type: 'text', value: (row) => row.note },
  { name: 'origin', type: 'text', value: () => 'api' },
  { name: 'idempotency_key', type: 'text', value: (row) => `k${row.contact}` },
  { name: 'created_at', type: 'bigint', value: () => 1_767_225_600_000 },
  { name: 'updated_at', type: 'bigint', value: () => 1_767_225_600_000 },
];

// Values an array literal must quote or escape: separators, braces, quotes, backslashes, the word NULL,
// the empty string, blanks, newlines and non-ASCII text.
const AWKWARD = [
  'a,b',
  '{x}',
  'say "hi"',
  'back\\slash',
  '\\"',
  'NULL',
  '',
  ' padded ',
  'line\nbreak',
  'Ünïcødé ✓',
];

describe.each(dialects)('bulk insert on %s', (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.destroy();
  });

  it('stores awkward text, nulls and numbers exactly, across several statements', async () => {
    // More rows than one PostgreSQL statement takes (20,000), so the batches are exercised too.
    const rows: Touch[] = Array.from({ length: 20_003 }, (_, index) => ({
      contact: index + 1,
      campaign: index % 3 === 0 ? null : AWKWARD[index % AWKWARD.length]!,
      note: index % 5 === 0 ? null : `${AWKWARD[(index + 3) % AWKWARD.length]!}${index}`,
      cost: index % 4 === 0 ? null : index * 1_000_003,
    }));
    await database.db
      .transaction()
      .execute((trx) => bulkInsert(trx, database, 'touchpoint', COLUMNS, rows));

    const stored = await database.db
      .selectFrom('touchpoint')
      .select(['contact_id', 'campaign', 'note', 'cost_cents'])
      .orderBy('contact_id')
      .execute();
    expect(
      stored.map((row) => ({
        contact: Number(row.contact_id),
        campaign: row.campaign,
        note: row.note,
        cost: row.cost_cents === null ? null : Number(row.cost_cents),
      })),
    ).toEqual(rows);
  });
});
