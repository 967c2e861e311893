import { databaseUnavailable } from '../../../server/db/database-unavailable';
import { testConfig } from '../../helpers/config';
import { startTestService, type TestService } from '../../helpers/service';
import {
  errorOf,
  hubspotEvent,
  postWebhook,
  storedEventCount,
  webhookEnv,
} from '../../helpers/webhooks';

const T0 = 1_764_100_000_000;

describe('databaseUnavailable', () => {
  it.each([
    ['SQLite busy (another writer holds the lock)', { code: 'SQLITE_BUSY' }, 'SQLITE_BUSY'],
    ['SQLite disk full', { code: 'SQLITE_FULL' }, 'SQLITE_FULL'],
    ['SQLite extended I/O error', { code: 'SQLITE_IOERR_WRITE' }, 'SQLITE_IOERR_WRITE'],
    ['PostgreSQL admin shutdown', { code: '57P01' }, '57P01'],
    ['PostgreSQL starting up', { code: '57P03' }, '57P03'],
    ['PostgreSQL connection failure class', { code: '08006' }, '08006'],
    ['connection refused', { code: 'ECONNREFUSED' }, 'ECONNREFUSED'],
    ['pg dropped connection', new Error('Connection terminated unexpectedly'), 'connection_lost'],
    [
      'several addresses refused',
      Object.assign(new Error(''), { errors: [{ code: 'ECONNREFUSED' }] }),
      'ECONNREFUSED',
    ],
  ])('%s is unavailability', (_label, error, reason) => {
    expect(databaseUnavailable(error)).toEqual({ reason });
  });

  it.each([
    ['a constraint violation', { code: 'SQLITE_CONSTRAINT_UNIQUE' }],
    ['a PostgreSQL syntax error', { code: '42601' }],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an object', 'SQLITE_BUSY'],
  ])('%s is not', (_label, error) => {
    expect(databaseUnavailable(error)).toBeUndefined();
  });
});

describe('webhook intake when SQLite refuses the write', () => {
  let running: TestService;

  beforeAll(async () => {
    running = await startTestService(testConfig(webhookEnv()), 'sqlite', {
      now: () => T0,
      startWorkers: false,
    });
  });

  afterAll(async () => {
    await running.stop();
  });

  const storedCount = () => storedEventCount(running.database.db);

  it('answers 503 database_unavailable on a full disk, stores nothing, and stores the redelivery once space is back', async () => {
    const sqlite = running.database.sqlite!;
    const before = await storedCount();
    // A database that may not grow by one page: every insert that needs a page fails with SQLITE_FULL.
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    const batch = Array.from({ length: 80 }, (_, i) =>
      hubspotEvent({ objectId: 9000 + i, propertyValue: 'x'.repeat(400) }),
    );
    sqlite.pragma(`max_page_count = ${pages}`);
    try {
      const refused = await postWebhook(running.baseUrl, batch, { timestamp: T0 });
      expect(refused.status).toBe(503);
      const error = await errorOf(refused);
      expect(error.code).toBe('database_unavailable');
      expect(error.message).toMatch(/SQLITE_FULL/);
      expect(await storedCount()).toBe(before);
    } finally {
      sqlite.pragma('max_page_count = 1073741823');
    }
    const redelivered = await postWebhook(running.baseUrl, batch, { timestamp: T0 });
    expect(redelivered.status).toBe(204);
    expect(await storedCount()).toBe(before + batch.length);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
