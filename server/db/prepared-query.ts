import type {
  Compilable,
  CompiledQuery,
  Kysely,
  QueryResult,
  RawBuilder,
  Transaction,
} from 'kysely';

import type { Database } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Stands in for a named value while the query is built; replaced by the caller's value at each run. */
class Slot {
  constructor(readonly name: string) {}
}

interface Compiled {
  readonly query: CompiledQuery;
  /** For each parameter of the compiled query: the name of the caller's value, or undefined for a constant. */
  readonly slots: readonly (string | undefined)[];
}

export type PreparedQuery<P, R> = (db: Db, params: P) => Promise<QueryResult<R>>;

/**
 * A query of fixed shape, built and compiled by Kysely once per database and then run with new values. Kysely
 * builds and compiles every query anew, which on the webhook worker's hot path cost about 20 µs per
 * statement, three times what SQLite takes to run it; the worker runs the same few statements for every event.
 *
 * `build` receives stand-ins for the named values: use them only where a value goes (a comparison, an insert
 * or update value, a `sql` template value), never where a value would decide the statement's shape (an `in`
 * list, a column picked by value, `undefined` to leave a column out). Constants in `build` stay as they are.
 */
export function preparedQuery<P extends Record<string, unknown>, R>(
  build: (db: Kysely<Database>, params: P) => Compilable<R> | RawBuilder<R>,
): PreparedQuery<P, R> {
  // Per database (its adapter decides the SQL dialect); a transaction shares its database's adapter.
  const compiledFor = new WeakMap<object, Compiled>();
  const stand = new Proxy({} as P, { get: (_target, name) => new Slot(String(name)) });
  return async (db, params) => {
    const adapter = db.getExecutor().adapter;
    let compiled = compiledFor.get(adapter);
    if (!compiled) {
      const built = build(db, stand);
      const query = (
        'isRawBuilder' in built ? built.compile(db) : built.compile()
      ) as CompiledQuery;
      compiled = {
        query,
        slots: query.parameters.map((value) => (value instanceof Slot ? value.name : undefined)),
      };
      compiledFor.set(adapter, compiled);
    }
    const { query, slots } = compiled;
    const parameters = slots.map((name, i) => {
      if (name === undefined) return query.parameters[i];
      const value = params[name];
      if (value === undefined)
        throw new Error(`prepared query: no value for "${name}" (pass null for NULL)`);
      return value;
    });
    return db.executeQuery<R>({ ...query, parameters } as CompiledQuery<R>);
  };
}
