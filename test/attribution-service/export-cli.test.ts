import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import ExcelJS from 'exceljs';

import { reconcileDealAttribution } from '../../server/attribution/deal-attribution.service';
import { upsertTouches } from '../../server/attribution/touchpoint.repository';
import {
  applyDealContactAssociation,
  applyExistenceChange,
  applyPropertyChange,
} from '../../server/crm/crm-object.repository';
import { openDatabase } from '../../server/db/database';
import { migrateToLatest } from '../../server/db/migrate';
import { testConfig } from '../helpers/config';
import { spawnTruce } from '../helpers/process';

const PORTAL = 777;
const DAY = 86_400_000;
const CLOSE = Date.UTC(2026, 8, 1);

/** A SQLite file with one won deal (two touches of one contact, 10,000 cents), attributed by the service code. */
async function seededDatabase(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'truce-export-')), 'truce.sqlite');
  const database = openDatabase({ dialect: 'sqlite', filename: file });
  const db = database.db;
  await migrateToLatest(db);
  const base = {
    type: 'deal' as const,
    portalId: PORTAL,
    objectId: 1,
    occurredAt: CLOSE,
    now: CLOSE,
  };
  await applyExistenceChange(db, { ...base, deleted: false, createdAt: CLOSE - DAY });
  await applyPropertyChange(db, { ...base, column: 'amount_cents', value: 10_000 });
  await applyPropertyChange(db, { ...base, column: 'dealstage', value: 'won' });
  await applyPropertyChange(db, { ...base, column: 'closedate', value: CLOSE });
  await applyDealContactAssociation(db, {
    portalId: PORTAL,
    dealId: 1,
    contactId: 5,
    associated: true,
    occurredAt: CLOSE,
    now: CLOSE,
  });
  const touch = (at: number, channel: string, campaign: string) => ({
    contactId: '5',
    at,
    kind: 'offline' as const,
    channel,
    campaign,
    rawSource: {},
    matchedRule: 'explicit',
    idempotencyKey: `t-${at}`,
  });
  await upsertTouches(
    db,
    PORTAL,
    [touch(CLOSE - 10 * DAY, 'events', 'Expo'), touch(CLOSE - 2 * DAY, 'paid_search', 'Brand')],
    'offline',
    CLOSE,
  );
  const settings = testConfig().settings.attribution;
  expect(
    await reconcileDealAttribution(
      db,
      { portalId: PORTAL, dealId: 1 },
      { stageOutcome: (deal) => (deal.dealstage === 'won' ? 'won' : 'open'), settings, now: CLOSE },
    ),
  ).toBe('attributed');
  await database.close();
  return file;
}

describe('truce export and truce spend import', () => {
  jest.setTimeout(60_000);

  it('writes every model to an xlsx workbook that reads back, with imported spend', async () => {
    const file = await seededDatabase();
    const env = { DATABASE_URL: file, HUBSPOT_PORTAL_ID: String(PORTAL) };
    const dir = path.dirname(file);

    const bad = path.join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'campaign,period,currency,amount\nExpo,2026-Q3,EUR,100\nBrand,2026-Q3,EUR,-5\n',
    );
    const refused = spawnTruce(['spend', 'import', bad], env);
    expect(await refused.exited).toBe(2);
    expect(refused.output()).toMatch(/line 3: cents: must not be negative/);

    const good = path.join(dir, 'spend.csv');
    writeFileSync(good, 'campaign,period,currency,amount\nExpo,2026-Q3,USD,40.50\n');
    const imported = spawnTruce(['spend', 'import', good], env);
    expect(await imported.exited).toBe(0);

    const out = path.join(dir, 'attribution.xlsx');
    const exported = spawnTruce(
      [
        'export',
        '--model',
        'all',
        '--from',
        '2026-Q3',
        '--to',
        '2026-Q3',
        '--format',
        'xlsx',
        '--out',
        out,
      ],
      env,
    );
    expect(await exported.exited).toBe(0);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheet = workbook.getWorksheet('models side by side')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['currency', 'campaign', 'first net']);
    const rows = new Map<string, unknown[]>();
    for (let index = 2; index <= sheet.rowCount; index += 1) {
      const values = (sheet.getRow(index).values as unknown[]).slice(1);
      rows.set(String(values[1]), values);
    }
    // first touch: all 100.00 to Expo; last touch: all to Brand.
    const column = (name: string) => header.indexOf(name);
    expect(rows.get('Expo')![column('first net')]).toBe(100);
    expect(rows.get('Brand')![column('first net')]).toBe(0);
    expect(rows.get('Brand')![column('last net')]).toBe(100);
    expect(rows.get('Expo')![column('spend')]).toBe(40.5);

    const backwards = spawnTruce(['export', '--from', '2026-Q4', '--to', '2026-Q3'], env);
    expect(await backwards.exited).toBe(2);
    expect(backwards.output()).toMatch(/from 2026-Q4 is after to 2026-Q3/);
  });
});
