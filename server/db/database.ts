import { mkdirSync } from 'node:fs';
import path from 'node:path';

import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, type SqliteDatabase, SqliteDialect } from 'kysely';
import type pg from 'pg';

import type { DatabaseConfig } from '../config';
import type { Database } from './schema';

export type Dialect = DatabaseConfig['dialect'];

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** True when several processes may share the database (row claims need `FOR UPDATE SKIP LOCKED`). */
  readonly supportsRowLocks: boolean;
  /**
   * SQLite only: the raw driver, for hot paths that reuse a prepared statement (Kysely prepares every query
   * anew). Use it only inside `db.connection().execute(...)`, which holds Kysely's lock on the one connection;
   * otherwise a statement could land inside someone else's open transaction.
   */
  readonly sqlite?: SQLite.Database;
  close(): Promise<void>;
}

/** Distinct SQL texts kept prepared; queries with variable-length IN lists make the set open-ended. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs as much as running a small statement, and
 * the service runs the same few dozen statements all day. This keeps the most recent ones prepared. Safe
 * because Kysely serialises all use of the one connection, so a cached statement is never run twice at once.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (statement) {
        // Map keeps insertion order: re-inserting marks it most recently used.
        cache.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

const PG_INT8_OID = 20;
const PG_NUMERIC_OID = 1700;

/**
 * Opens the database named by the config. SQLite runs in WAL mode with a busy timeout so readers never block
 * the single writer and a second process waits instead of failing; PostgreSQL gets a pool of the configured
 * size and returns BIGINT as JavaScript numbers (ids and millisecond times stay far below 2^53).
 */
export function openDatabase(
  config: DatabaseConfig,
  options: { searchPath?: string } = {},
): DatabaseHandle {
  if (config.dialect === 'sqlite') {
    if (config.filename !== ':memory:')
      mkdirSync(path.dirname(path.resolve(config.filename)), { recursive: true });
    const sqlite = new SQLite(config.filename);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // NORMAL unless configured FULL: see SQLITE_SYNCHRONOUS_MODES for what each survives.
    sqlite.pragma(`synchronous = ${config.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
    return {
      db,
      dialect: 'sqlite',
      supportsRowLocks: false,
      sqlite,
      close: () => db.destroy(),
    };
  }

  // The pg driver (~15 MB resident) loads only when a PostgreSQL database is used: Kysely takes the pool as a
  // factory and calls it on the first query, so a SQLite service never loads it.
  const createPool = async (): Promise<pg.Pool> => {
    const { Pool, types } = (await import('pg')).default;
    const pool = new Pool({
      connectionString: config.connectionString,
      max: config.poolSize,
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
      types: {
        getTypeParser: ((oid: number, format?: string) => {
          if (oid === PG_INT8_OID || oid === PG_NUMERIC_OID)
            return (value: string) => Number(value);
          return types.getTypeParser(oid, format as 'text');
        }) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection (e.g. a PostgreSQL restart) must not crash the process; the next
    // query reports the failure to its caller instead.
    pool.on('error', () => undefined);
    // The pool listens only to idle clients: one that is checked out (mid-transaction) when PostgreSQL goes away
    // emits 'error' with nobody listening, which would crash the process. Its running query fails anyway, the
    // pool discards it on release, and the caller answers 503 (database_unavailable).
    pool.on('connect', (client) => client.on('error', () => undefined));
    return pool;
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool }) });
  return {
    db,
    dialect: 'postgres',
    supportsRowLocks: true,
    close: () => db.destroy(),
  };
}

/** Cheap round trip used by `/readyz`. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
