import { readFileSync } from 'node:fs';
import path from 'node:path';

import YAML from 'yaml';
import { z } from 'zod';

import { JOURNEY_MODELS } from '../src/attribution/models';
import { DATA_DRIVEN_MODELS } from '../src/attribution/period-attribution';
import { handoffSettingsSchema } from '../src/handoff/handoff-settings';
import {
  contactRolesSettingsSchema,
  priceRealisationSettingsSchema,
  writeBackSettingsSchema,
} from './attribution/deal-extras.schema';
import { jsonDepth } from './http/json-depth';
import { REQUIRED_SCOPES } from './hubspot-project/project-files';
import { KeyringError, parseKeyring } from './security/token-cipher';
import { touchpointsSettingsSchema } from './touchpoints/channel-rules.schema';

/**
 * Loads Truce's configuration once at start: the environment (secrets, endpoints, ports) and the optional
 * `TRUCE_CONFIG` file (the business rules both teams agree on). Every problem is reported at once; the result
 * is frozen and injected, so nothing else reads `process.env`.
 */

const DATABASE_URL_SCHEMES = ['file:', 'sqlite:', 'postgres:', 'postgresql:'] as const;

/**
 * SQLite's `synchronous` in WAL mode. `normal`: a commit is in the OS before the answer, so it survives a crash
 * or SIGKILL of the process, but the last commits can be lost if the machine loses power. `full`: every commit
 * is fsynced before the answer, surviving power loss too, at the cost of one fsync per transaction (the webhook
 * inbox's group commit shares one fsync among concurrent batches).
 */
export const SQLITE_SYNCHRONOUS_MODES = ['normal', 'full'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];

const databaseUrl = z
  .string()
  .min(1)
  .refine(
    (value) => isBarePath(value) || DATABASE_URL_SCHEMES.some((scheme) => value.startsWith(scheme)),
    { message: 'must be a SQLite file path (file:…, sqlite:…) or a postgres:// URL' },
  );

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const optionalUrl = z
  .string()
  .url('must be an absolute URL')
  .transform((value) => value.replace(/\/+$/, ''));

const envSchema = z.object({
  PORT: port.default(3000),
  DATABASE_URL: databaseUrl.default('./data/truce.sqlite'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  SQLITE_SYNCHRONOUS: z.enum(SQLITE_SYNCHRONOUS_MODES).default('normal'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HUBSPOT_PORTAL_ID: z.coerce.number().int().positive().optional(),
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  HUBSPOT_ACCESS_TOKEN: z.string().min(1).optional(),
  HUBSPOT_API_BASE: optionalUrl.default('https://api.hubapi.com'),
  HUBSPOT_AUTH: z.enum(['static', 'oauth']).default('static'),
  HUBSPOT_CLIENT_ID: z.string().min(1).optional(),
  HUBSPOT_AUTHORIZE_URL: optionalUrl.default('https://app.hubspot.com/oauth/authorize'),
  TRUCE_ENCRYPTION_KEY: z.string().min(1).optional(),
  PUBLIC_BASE_URL: optionalUrl.optional(),
  TRUCE_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  TRUCE_API_KEYS: z
    .string()
    .optional()
    .describe('PORTAL_ID:KEY pairs, comma-separated: one bearer key per portal'),
  TRUCE_CONFIG: z.string().min(1).optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
});

const weight = z.number().min(0, 'must not be negative');

const attributionSettingsSchema = z
  .object({
    timeDecayHalfLifeDays: z
      .number()
      .positive()
      .default(7)
      .describe('time-decay model: a touch this many days before close counts half'),
    custom: z
      .object({
        positions: z
          .object({
            firstTouch: weight.default(0.3),
            leadCreation: weight.default(0.3),
            opportunityCreation: weight.default(0.3),
            closedWon: weight.default(0),
            other: weight.default(0.1).describe('split equally over touches holding no milestone'),
          })
          .strict()
          .default({
            firstTouch: 0.3,
            leadCreation: 0.3,
            opportunityCreation: 0.3,
            closedWon: 0,
            other: 0.1,
          }),
        kinds: z
          .record(z.string(), weight)
          .default({})
          .describe('multiplier per touch kind (e.g. form_submission: 2); unlisted kinds use 1'),
      })
      .strict()
      .default({
        positions: {
          firstTouch: 0.3,
          leadCreation: 0.3,
          opportunityCreation: 0.3,
          closedWon: 0,
          other: 0.1,
        },
        kinds: {},
      }),
    lookbackDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(365)
      .describe('touches older than this before the close do not count for a deal'),
    models: z
      .array(z.enum(JOURNEY_MODELS))
      .min(1)
      .default([...JOURNEY_MODELS])
      .describe('journey models computed and stored for every closed-won deal'),
    dataDriven: z
      .object({
        models: z
          .array(z.enum(DATA_DRIVEN_MODELS))
          .default(['markov', 'shapley'])
          .describe('data-driven models computed per period over won, lost and stale journeys'),
        markovOrder: z.number().int().min(1).max(4).default(1),
        staleDays: z
          .number()
          .int()
          .min(1)
          .max(3650)
          .default(90)
          .describe(
            'an open deal without a stage change, or a contact without a deal, this long is non-converting',
          ),
      })
      .strict()
      .prefault({})
      .describe('Markov and Shapley per reporting period (truce attribute-period)'),
    defaultCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR')
      .default('USD')
      .describe('currency of deals without deal_currency_code (single-currency portals)'),
    timeZone: z
      .string()
      .default('UTC')
      .describe('the portal time zone reporting periods (2026-Q3) are cut in'),
    pipelineCacheMs: z
      .number()
      .int()
      .min(0)
      .default(600_000)
      .describe("how long a portal's deal pipelines (which stages are closed-won) are reused"),
    worker: z
      .object({
        batchSize: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(100)
          .describe('contacts or deals per claim'),
        pollIntervalMs: z.number().int().min(10).default(1_000),
        claimLeaseMs: z.number().int().min(1_000).default(60_000),
        maxAttempts: z.number().int().min(1).max(100).default(10),
        retryBaseMs: z.number().int().min(1).default(2_000),
        retryMaxMs: z.number().int().min(1).default(3_600_000),
      })
      .strict()
      .prefault({}),
    priceRealisation: priceRealisationSettingsSchema.prefault({}),
    contactRoles: contactRolesSettingsSchema.prefault({}),
    writeBack: writeBackSettingsSchema.prefault({}),
  })
  .strict();

/**
 * The business rules file. Sections are added by the capabilities that use them; unknown top-level keys are
 * refused so a typo does not silently fall back to a default.
 */
export const settingsFileSchema = z
  .object({
    webhooks: z
      .object({
        allowLegacySignatures: z
          .boolean()
          .default(false)
          .describe('accept v1/v2 signatures (no timestamp, so no replay protection)'),
        trustProxyHeaders: z
          .boolean()
          .default(false)
          .describe(
            'rebuild the public URL from X-Forwarded-Proto/Host when PUBLIC_BASE_URL is unset',
          ),
        maxAttempts: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(8)
          .describe('processing attempts before an event is dead'),
        batchSize: z.number().int().min(1).max(1000).default(100).describe('events per claim'),
        claimLeaseMs: z
          .number()
          .int()
          .min(100)
          .default(60_000)
          .describe("after this long a claimer's unfinished events go back to the queue (crash)"),
        pollIntervalMs: z
          .number()
          .int()
          .min(10)
          .default(1000)
          .describe('how often the worker looks for due retries when nothing woke it'),
        workerConcurrency: z
          .number()
          .int()
          .min(1)
          .max(16)
          .default(2)
          .describe('claim loops per process on PostgreSQL (SQLite always runs one)'),
        // 0.75: processing an event costs two to three times what acknowledging it does, so at this share the
        // worker keeps up with HubSpot's full concurrency while acknowledgements stay around 100 ms (BENCHMARKS.md,
        // soak).
        workerShare: z
          .number()
          .min(0.05)
          .max(0.95)
          .default(0.75)
          .describe(
            'share of the event loop the worker keeps while webhook requests are in flight (intake gets the rest)',
          ),
        retryBaseMs: z
          .number()
          .int()
          .min(1)
          .default(1000)
          .describe('first retry delay, doubled per attempt'),
        retryMaxMs: z.number().int().min(1).default(3_600_000).describe('longest retry delay'),
        // At least 2 days: the inbox is also the dedupe record, and HubSpot redelivers for up to 24 hours; a
        // redelivery of a pruned event would be stored and processed again.
        retentionDays: z
          .number()
          .refine((days) => days === 0 || days >= 2, 'must be 0 (keep forever) or at least 2')
          .default(30)
          .describe(
            'processed events are deleted this many days after processing (0 keeps them forever); dead and waiting events are kept',
          ),
      })
      .strict()
      .default({
        allowLegacySignatures: false,
        trustProxyHeaders: false,
        maxAttempts: 8,
        batchSize: 100,
        claimLeaseMs: 60_000,
        pollIntervalMs: 1000,
        workerConcurrency: 2,
        workerShare: 0.75,
        retryBaseMs: 1000,
        retryMaxMs: 3_600_000,
        retentionDays: 30,
      }),
    hubspot: z
      .object({
        requestsPerTenSeconds: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(100)
          .describe("this process's share of the account's rolling 10-second request budget"),
        outbox: z
          .object({
            maxAttempts: z.number().int().min(1).max(100).default(15),
            baseDelayMs: z.number().int().min(1).default(2_000),
            maxDelayMs: z
              .number()
              .int()
              .min(1)
              .default(10 * 60_000),
            batchSize: z.number().int().min(1).max(500).default(25),
            pollIntervalMs: z.number().int().min(10).default(1_000),
            leaseMs: z.number().int().min(1_000).default(60_000),
            requestTimeoutMs: z.number().int().min(100).default(20_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    oauth: z
      .object({
        scopes: z
          .array(z.string().min(1))
          .min(1)
          .default([...REQUIRED_SCOPES])
          .describe('scopes asked for at install (HUBSPOT_AUTH=oauth)'),
        optionalScopes: z.array(z.string().min(1)).default([]),
        stateTtlSeconds: z
          .number()
          .int()
          .min(60)
          .max(3600)
          .default(600)
          .describe('how long an install link stays valid'),
        refreshMarginSeconds: z
          .number()
          .int()
          .min(10)
          .max(1800)
          .default(300)
          .describe('refresh an access token this long before it expires'),
        refreshLeaseMs: z.number().int().min(1000).max(120_000).default(30_000),
        purgeRetentionDays: z
          .number()
          .int()
          .min(0)
          .max(3650)
          .default(30)
          .describe('a deactivated portal can be purged this many days after deactivation'),
      })
      .strict()
      .prefault({}),
    touchpoints: touchpointsSettingsSchema.prefault({}),
    handoff: handoffSettingsSchema
      .prefault({})
      .describe('lead handoff: trigger, scoring, routing, SLA and decisions (src/handoff)'),
    attribution: attributionSettingsSchema.default(attributionSettingsSchema.parse({})),
  })
  .strict();

export type Settings = z.infer<typeof settingsFileSchema>;

export type DatabaseConfig =
  | {
      readonly dialect: 'sqlite';
      readonly filename: string;
      /** Default `normal`; see SQLITE_SYNCHRONOUS_MODES. */
      readonly synchronous?: SqliteSynchronous;
    }
  | { readonly dialect: 'postgres'; readonly connectionString: string; readonly poolSize: number };

export interface OAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** TRUCE_ENCRYPTION_KEY as given (validated); parse it with `parseKeyring`. */
  readonly encryptionKey: string;
  readonly authorizeUrl: string;
  /** PUBLIC_BASE_URL + /oauth/callback: what HubSpot redirects to and the app's `redirectUrls` lists. */
  readonly redirectUri: string;
}

export interface HubSpotConfig {
  /** static: one private-app token; oauth: many portals install the app (see `oauth`). */
  readonly auth: 'static' | 'oauth';
  readonly oauth: OAuthConfig | undefined;
  readonly portalId: number | undefined;
  readonly clientSecret: string | undefined;
  readonly accessToken: string | undefined;
  readonly apiBase: string;
}

export interface Config {
  readonly port: number;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  readonly database: DatabaseConfig;
  readonly hubspot: HubSpotConfig;
  readonly publicBaseUrl: string | undefined;
  readonly apiKey: string | undefined;
  /** TRUCE_API_KEYS: bearer keys each scoped to one portal (several accounts on one service). */
  readonly portalApiKeys: readonly { readonly portalId: number; readonly key: string }[];
  readonly shutdownGraceMs: number;
  readonly settings: Settings;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Reads the TRUCE_CONFIG file; injected so tests need no files. */
  readonly readFile?: (file: string) => string;
}

export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const readFile = options.readFile ?? ((file: string) => readFileSync(file, 'utf8'));
  const problems: string[] = [];

  const envResult = envSchema.safeParse(withoutEmptyValues(env));
  if (!envResult.success) problems.push(...describeIssues(envResult.error.issues));

  let settings: Settings | undefined;
  const settingsFile = env.TRUCE_CONFIG?.trim();
  if (settingsFile) {
    const parsedFile = readSettingsFile(settingsFile, readFile);
    if (typeof parsedFile === 'string') {
      problems.push(parsedFile);
    } else {
      const settingsResult = settingsFileSchema.safeParse(parsedFile.value ?? {});
      if (settingsResult.success) settings = settingsResult.data;
      else
        problems.push(
          ...describeIssues(settingsResult.error.issues, `TRUCE_CONFIG (${settingsFile})`),
        );
    }
  } else {
    settings = settingsFileSchema.parse({});
  }

  if (envResult.success) {
    problems.push(...oauthProblems(envResult.data));
    problems.push(...parsePortalApiKeys(envResult.data.TRUCE_API_KEYS ?? '').problems);
  }
  if (problems.length > 0 || !envResult.success || !settings) throw new ConfigError(problems);

  const values = envResult.data;
  return deepFreeze({
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    database: toDatabaseConfig(
      values.DATABASE_URL,
      values.DATABASE_POOL_SIZE,
      values.SQLITE_SYNCHRONOUS,
    ),
    hubspot: {
      auth: values.HUBSPOT_AUTH,
      oauth:
        values.HUBSPOT_AUTH === 'oauth'
          ? {
              clientId: values.HUBSPOT_CLIENT_ID!,
              clientSecret: values.HUBSPOT_CLIENT_SECRET!,
              encryptionKey: values.TRUCE_ENCRYPTION_KEY!,
              authorizeUrl: values.HUBSPOT_AUTHORIZE_URL,
              redirectUri: `${values.PUBLIC_BASE_URL!}/oauth/callback`,
            }
          : undefined,
      portalId: values.HUBSPOT_PORTAL_ID,
      clientSecret: values.HUBSPOT_CLIENT_SECRET,
      accessToken: values.HUBSPOT_ACCESS_TOKEN,
      apiBase: values.HUBSPOT_API_BASE,
    },
    publicBaseUrl: values.PUBLIC_BASE_URL,
    apiKey: values.TRUCE_API_KEY,
    portalApiKeys: parsePortalApiKeys(values.TRUCE_API_KEYS ?? '').keys,
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    settings,
  });
}

const MAX_SETTINGS_DEPTH = 64;
/** `62515:key-one,62516:key-two`; problems name the entry by position, never by its key. */
function parsePortalApiKeys(raw: string): {
  keys: { portalId: number; key: string }[];
  problems: string[];
} {
  const keys: { portalId: number; key: string }[] = [];
  const problems: string[] = [];
  raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const portalId = Number(entry.slice(0, colon));
      const key = entry.slice(colon + 1);
      if (colon <= 0 || !Number.isSafeInteger(portalId) || portalId <= 0)
        problems.push(`TRUCE_API_KEYS: entry ${index + 1} must be PORTAL_ID:KEY`);
      else if (key.length < 16)
        problems.push(
          `TRUCE_API_KEYS: the key of entry ${index + 1} must be at least 16 characters`,
        );
      else if (keys.some((other) => other.key === key))
        problems.push(`TRUCE_API_KEYS: entry ${index + 1} repeats another entry's key`);
      else keys.push({ portalId, key });
    });
  return { keys, problems };
}

/** OAuth needs the app's credentials, a key to seal tokens with and a public URL to come back to. */
function oauthProblems(values: z.infer<typeof envSchema>): string[] {
  const problems: string[] = [];
  if (values.TRUCE_ENCRYPTION_KEY !== undefined) {
    try {
      parseKeyring(values.TRUCE_ENCRYPTION_KEY);
    } catch (error) {
      if (!(error instanceof KeyringError)) throw error;
      problems.push(`TRUCE_ENCRYPTION_KEY: ${error.message}`);
    }
  }
  if (values.HUBSPOT_AUTH !== 'oauth') return problems;
  for (const name of [
    'HUBSPOT_CLIENT_ID',
    'HUBSPOT_CLIENT_SECRET',
    'TRUCE_ENCRYPTION_KEY',
    'PUBLIC_BASE_URL',
  ] as const) {
    if (values[name] === undefined) problems.push(`${name}: required when HUBSPOT_AUTH=oauth`);
  }
  if (values.HUBSPOT_PORTAL_ID !== undefined)
    problems.push(
      'HUBSPOT_PORTAL_ID: names the one account of HUBSPOT_AUTH=static; OAuth portals register at install',
    );
  if (values.HUBSPOT_ACCESS_TOKEN !== undefined)
    problems.push(
      'HUBSPOT_ACCESS_TOKEN: a private-app token is for HUBSPOT_AUTH=static; OAuth portals get their tokens at install',
    );
  return problems;
}

function readSettingsFile(
  file: string,
  readFile: (file: string) => string,
): { value: unknown } | string {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    return `TRUCE_CONFIG: cannot read ${file}: ${(error as Error).message}`;
  }
  // The YAML parser runs out of memory on a few thousand unclosed `[`; no rules file nests this deep.
  if (jsonDepth(text, MAX_SETTINGS_DEPTH) > MAX_SETTINGS_DEPTH) {
    return `TRUCE_CONFIG: ${file} nests brackets deeper than ${MAX_SETTINGS_DEPTH} levels`;
  }
  try {
    const isJson = path.extname(file).toLowerCase() === '.json';
    return { value: isJson ? JSON.parse(text) : YAML.parse(text) };
  } catch (error) {
    return `TRUCE_CONFIG: ${file} is not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`;
  }
}

function toDatabaseConfig(
  url: string,
  poolSize: number,
  synchronous: SqliteSynchronous,
): DatabaseConfig {
  if (url.startsWith('postgres:') || url.startsWith('postgresql:')) {
    return { dialect: 'postgres', connectionString: url, poolSize };
  }
  const filename = url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:(\/\/)?/, '');
  return { dialect: 'sqlite', filename, synchronous };
}

function isBarePath(value: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(value) || value === ':memory:';
}

function describeIssues(issues: readonly z.core.$ZodIssue[], prefix?: string): string[] {
  return issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${prefix ? `${prefix} ` : ''}${where}: ${issue.message}`;
  });
}

function withoutEmptyValues(env: Env): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') result[key] = value;
  }
  return result;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
