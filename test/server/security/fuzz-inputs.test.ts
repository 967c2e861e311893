import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import fc from 'fast-check';
import YAML from 'yaml';

import { InputError } from '../../../server/attribution/input-error';
import { readJourneyFile } from '../../../server/attribution/journey-file';
import { readPathFile } from '../../../server/attribution/path-file';
import { parseSpendCsv } from '../../../server/attribution/spend-csv';
import { ConfigError, loadConfig } from '../../../server/config';
import { AppError } from '../../../server/http/app-error';
import { jsonDepth, MAX_JSON_DEPTH } from '../../../server/http/json-depth';
import { verifyHubSpotRequest } from '../../../server/hubspot/webhook-signature';
import { parseWebhookBatch } from '../../../server/webhooks/webhook-intake';
import { hubspotEvent } from '../../helpers/webhooks';

/**
 * Property-based fuzzing of every parser that reads outside input. The property is always the same: the
 * parser returns a value or refuses with its own error type and a readable reason; it never throws anything
 * else (a crash in the CLI, a 500 in the service). Runs are seeded so a failure reproduces; `FUZZ_RUNS`
 * raises the count for a longer local run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const params = { numRuns: RUNS, seed: SEED };

const dir = mkdtempSync(path.join(tmpdir(), 'truce-fuzz-'));
let fileCounter = 0;
function tempFile(text: string, extension: string): string {
  fileCounter += 1;
  const file = path.join(dir, `input-${fileCounter}.${extension}`);
  writeFileSync(file, text);
  return file;
}

/** Text that looks like the format often enough to get past the first line: pieces of it plus noise. */
function textFrom(pieces: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...pieces) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(''));
}

const SECRET = 'fuzz-client-secret';
const NOW = 1_764_100_000_000;
const URL_BASE = 'https://truce.example.com';

function signed(method: string, url: string, body: Buffer, timestamp: string): string {
  return createHmac('sha256', SECRET)
    .update(`${method}${url}`)
    .update(body)
    .update(timestamp)
    .digest('base64');
}

describe('fuzz: the HubSpot signature verifier', () => {
  const headerValue = fc.oneof(
    fc.string(),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.constant(undefined),
    fc.base64String(),
    fc.stringMatching(/^\d{1,20}$/),
  );
  const headers = fc.record(
    {
      'x-hubspot-signature-v3': headerValue,
      'x-hubspot-signature': headerValue,
      'x-hubspot-signature-version': fc.oneof(fc.constantFrom('v1', 'v2', 'v3', 'V1'), fc.string()),
      'x-hubspot-request-timestamp': headerValue,
    },
    { requiredKeys: [] },
  );

  it('never throws and never accepts a request it did not sign, whatever the headers', () => {
    fc.assert(
      fc.property(
        headers,
        fc.string(),
        fc.webUrl({ withQueryParameters: true }),
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        (bag, method, url, body, allowLegacy) => {
          const result = verifyHubSpotRequest({
            method,
            url,
            rawBody: Buffer.from(body),
            headers: bag as Record<string, string | string[] | undefined>,
            clientSecret: SECRET,
            now: NOW,
            allowLegacy,
          });
          expect(result.ok).toBe(false);
        },
      ),
      params,
    );
  });

  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    path: fc.webPath(),
    query: fc.webQueryParameters(),
    body: fc.uint8Array({ maxLength: 300 }),
    skew: fc.integer({ min: -5 * 60_000, max: 5 * 60_000 }),
  });

  it('accepts a v3 signature inside ±5 minutes and refuses it once any signed byte changes', () => {
    fc.assert(
      fc.property(request, fc.nat(), fc.nat(255), (req, position, flip) => {
        const url = `${URL_BASE}${req.path}${req.query ? `?${req.query}` : ''}`;
        const body = Buffer.from(req.body);
        const timestamp = String(NOW + req.skew);
        const signature = signed(req.method, url, body, timestamp);
        const verify = (changes: {
          body?: Buffer;
          url?: string;
          timestamp?: string;
          now?: number;
        }) =>
          verifyHubSpotRequest({
            method: req.method,
            url: changes.url ?? url,
            rawBody: changes.body ?? body,
            headers: {
              'x-hubspot-signature-v3': signature,
              'x-hubspot-request-timestamp': changes.timestamp ?? timestamp,
            },
            clientSecret: SECRET,
            now: changes.now ?? NOW,
          });
        expect(verify({})).toEqual({ ok: true, version: 'v3' });

        if (body.length > 0 && flip > 0) {
          const tampered = Buffer.from(body);
          const at = position % body.length;
          tampered[at] = (tampered[at]! + flip) % 256;
          expect(verify({ body: tampered })).toEqual({ ok: false, reason: 'signature_mismatch' });
        }
        expect(verify({ url: `${url}x` })).toEqual({ ok: false, reason: 'signature_mismatch' });
        expect(verify({ timestamp: String(NOW + req.skew + 1 + (position % 1000)) })).toMatchObject(
          {
            ok: false,
          },
        );
        // The same signed request, replayed later than the window allows.
        expect(verify({ now: NOW + req.skew + 5 * 60_000 + 1 + position })).toEqual({
          ok: false,
          reason: 'timestamp_out_of_range',
        });
      }),
      params,
    );
  });
});

describe('fuzz: JSON depth guard', () => {
  const depthOf = (value: unknown): number =>
    value !== null && typeof value === 'object'
      ? 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf))
      : 0;

  it('measures exactly the nesting of any JSON value, brackets inside strings not counted', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expect(jsonDepth(JSON.stringify(value))).toBe(depthOf(value));
      }),
      params,
    );
  });

  it('stops early: a 10 MB bomb is judged from its first bytes', () => {
    const bomb = Buffer.alloc(10 * 1024 * 1024, '[');
    expect(jsonDepth(bomb, MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
  });
});

describe('fuzz: the webhook batch schema', () => {
  const expectBatchOrRefusal = (text: string) => {
    try {
      const batch = parseWebhookBatch(text);
      expect(batch.length).toBeGreaterThanOrEqual(1);
      expect(batch.length).toBeLessThanOrEqual(100);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
      expect((error as AppError).message).toMatch(
        /^(not a valid webhook batch|request body is not valid JSON): ./,
      );
    }
  };

  it('any text: a batch or a 400 with the reason', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), expectBatchOrRefusal), params);
  });

  it('any JSON value: a batch or a 400 with the reason', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectBatchOrRefusal(JSON.stringify(value))),
      params,
    );
  });

  it('HubSpot-like events with any field replaced by any JSON value: a batch or a 400', () => {
    const field = fc.constantFrom(...Object.keys(hubspotEvent()), '__proto__', 'constructor');
    const event = fc
      .tuple(fc.array(fc.tuple(field, fc.jsonValue({ maxDepth: 3 })), { maxLength: 4 }))
      .map(([changes]) => {
        const base = hubspotEvent();
        for (const [key, value] of changes) base[key] = value;
        return base;
      });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 120 }), (events) =>
        expectBatchOrRefusal(JSON.stringify(events)),
      ),
      { ...params, numRuns: Math.ceil(RUNS / 3) },
    );
  });
});

describe('fuzz: path and journey files', () => {
  const expectRowsOrInputError = async (read: () => Promise<void>, file: string) => {
    try {
      await read();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message.startsWith(`${file}:`)).toBe(true);
      expect((error as InputError).problem.length).toBeGreaterThan(0);
    }
  };

  it('path files: rows or an InputError naming the file and line', async () => {
    const text = textFrom([
      'path,total_conversions,total_conversion_value,total_null\n',
      'path;total_conversions\n',
      '\uFEFF',
      'A > B',
      ' > ',
      ',',
      ';',
      '"',
      '""',
      '1',
      '-3',
      '1e400',
      'NaN',
      '\r\n',
      '\n',
    ]);
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom('>', '|', ' ', ''), async (content, separator) => {
        const file = tempFile(content, 'csv');
        await expectRowsOrInputError(
          () =>
            readPathFile(file, { separator }, (row) =>
              expect(row.conversions).toBeGreaterThanOrEqual(0),
            ),
          file,
        );
      }),
      params,
    );
  });

  it('journey files: journeys or an InputError naming the file and line', async () => {
    const touch = fc.record(
      {
        at: fc.oneof(fc.integer(), fc.string(), fc.constant('2026-01-01T00:00:00Z')),
        channel: fc.oneof(fc.string(), fc.constant('paid_search')),
        campaign: fc.string(),
        kind: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const journey = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer()),
        converted: fc.oneof(fc.boolean(), fc.anything()),
        value: fc.oneof(fc.double(), fc.anything()),
        touches: fc.oneof(fc.array(touch, { maxLength: 4 }), fc.anything()),
        closedAt: fc.oneof(fc.integer(), fc.string()),
      },
      { requiredKeys: [] },
    );
    const line = fc.oneof(
      journey.map((value) => JSON.stringify(value)),
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 6 }), async (lines) => {
        const file = tempFile(lines.join('\n'), 'jsonl');
        await expectRowsOrInputError(
          () => readJourneyFile(file, (parsed) => expect(parsed.touches.length).toBeGreaterThan(0)),
          file,
        );
      }),
      params,
    );
  });
});

describe('fuzz: the spend CSV import', () => {
  it('entries or a list of problems, never an exception', () => {
    const text = textFrom([
      'campaign,period,currency,amount,source\n',
      'campaign,period,currency,amount\n',
      'Webinar',
      '2026-Q3',
      '2026-13',
      'EUR',
      'eur',
      '1250.50',
      '-1',
      '99999999999999999999',
      ',',
      '"',
      '\n',
      '\r\n',
      '=HYPERLINK("x")',
    ]);
    fc.assert(
      fc.property(text, (content) => {
        const result = parseSpendCsv(content, 'UTC');
        if (result.ok) {
          for (const entry of result.entries) {
            expect(Number.isSafeInteger(entry.cents) && entry.cents >= 0).toBe(true);
            expect(entry.periodEnd).toBeGreaterThan(entry.periodStart);
          }
        } else {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const problem of result.problems) expect(problem.trim().length).toBeGreaterThan(0);
        }
      }),
      params,
    );
  });

  it('a malformed CSV is a problem line, not a crash', () => {
    expect(
      parseSpendCsv('campaign,period,currency,amount\n"Webinar,2026-Q3,EUR,10\n', 'UTC'),
    ).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^not readable as CSV: .*quote/i)],
    });
    expect(
      parseSpendCsv('campaign,period,currency,amount\nWebinar,2026-Q3\n', 'UTC'),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe('fuzz: the config loader', () => {
  const expectConfigOrProblems = (load: () => unknown) => {
    try {
      load();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems } = error as ConfigError;
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) expect(problem).toMatch(/^\S.*: ./s);
    }
  };

  const ENV_NAMES = [
    'PORT',
    'DATABASE_URL',
    'DATABASE_POOL_SIZE',
    'LOG_LEVEL',
    'HUBSPOT_PORTAL_ID',
    'HUBSPOT_CLIENT_SECRET',
    'HUBSPOT_ACCESS_TOKEN',
    'HUBSPOT_API_BASE',
    'PUBLIC_BASE_URL',
    'TRUCE_API_KEY',
    'SHUTDOWN_GRACE_MS',
  ];

  it('any environment: a config or a ConfigError listing each problem', () => {
    const value = fc.oneof(
      fc.string(),
      fc.stringMatching(/^-?\d{0,12}$/),
      fc.webUrl(),
      fc.constant(' '),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...ENV_NAMES), value), (env) =>
        expectConfigOrProblems(() => loadConfig(env)),
      ),
      params,
    );
  });

  it('any rules file (YAML or JSON, any shape): a config or a ConfigError', () => {
    const known = fc.constantFrom(
      'webhooks',
      'touchpoints',
      'handoff',
      'attribution',
      'scoring',
      'sla',
    );
    const settings = fc.oneof(
      fc.dictionary(known, fc.anything({ maxDepth: 4 })),
      fc.jsonValue({ maxDepth: 5 }),
    );
    const file = fc.oneof(
      settings.map((value) => ({ name: 'rules.yaml', text: YAML.stringify(value) })),
      settings.map((value) => ({ name: 'rules.json', text: JSON.stringify(value) ?? '' })),
      fc.string({ unit: 'binary' }).map((text) => ({ name: 'rules.yaml', text })),
      fc
        .integer({ min: 1, max: 20_000 })
        .map((depth) => ({ name: 'rules.yaml', text: '['.repeat(depth) })),
    );
    fc.assert(
      fc.property(file, ({ name, text }) =>
        expectConfigOrProblems(() => loadConfig({ TRUCE_CONFIG: name }, { readFile: () => text })),
      ),
      params,
    );
  });
});
