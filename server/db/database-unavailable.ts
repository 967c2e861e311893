/**
 * Tells a database that cannot take the request right now (down, restarting, locked, full, I/O failing) from a
 * bug. The first kind is answered 503 so the caller retries later (HubSpot redelivers a webhook batch); a 500
 * would say the request itself was at fault.
 */

/** PostgreSQL SQLSTATEs of a server that is going away, starting or out of connections. */
const POSTGRES_UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53100']);

/** Socket-level failures of the PostgreSQL connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/** better-sqlite3 codes (extended codes start with the primary one, e.g. SQLITE_IOERR_WRITE). */
const SQLITE_UNAVAILABLE_PREFIXES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
];

/** node-postgres reports a dropped or timed-out connection with a plain Error and one of these messages. */
const POSTGRES_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
  /Cannot use a pool after calling end/,
];

export interface DatabaseUnavailable {
  /** A short machine-readable reason: the driver's code, or `connection_lost`. */
  readonly reason: string;
}

/** Returns why the database is unavailable, or undefined when the error is something else. */
export function databaseUnavailable(error: unknown): DatabaseUnavailable | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  // Match on code and message, not instanceof: driver errors cross Jest realms and pg wraps some of them.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_UNAVAILABLE_PREFIXES.some((prefix) => code.startsWith(prefix)))
      return { reason: code };
    if (POSTGRES_UNAVAILABLE_STATES.has(code) || code.startsWith('08')) return { reason: code };
    if (NETWORK_CODES.has(code)) return { reason: code };
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && POSTGRES_CONNECTION_MESSAGES.some((re) => re.test(message)))
    return { reason: 'connection_lost' };
  // AggregateError (several addresses refused) and errors wrapped with a cause.
  const nested = (error as { errors?: unknown; cause?: unknown }).errors;
  if (Array.isArray(nested) && nested.some((inner) => databaseUnavailable(inner))) {
    return databaseUnavailable(nested.find((inner) => databaseUnavailable(inner)));
  }
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? databaseUnavailable(cause) : undefined;
}
