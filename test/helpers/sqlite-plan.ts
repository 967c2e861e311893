import type SQLite from 'better-sqlite3';

/**
 * What `run` returns and the SQL texts SQLite prepared while it ran, in order: how the query-plan tests find
 * the statement the code under test really sent, rather than a copy of it written into the test.
 */
export async function capturePreparedStatements<T>(
  sqlite: SQLite.Database,
  run: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const prepare = sqlite.prepare.bind(sqlite);
  const spy = jest.spyOn(sqlite, 'prepare').mockImplementation((source: string) => {
    statements.push(source);
    return prepare(source);
  });
  try {
    return { result: await run(), statements };
  } finally {
    spy.mockRestore();
  }
}

/** The `detail` lines of SQLite's EXPLAIN QUERY PLAN for one statement with these parameters. */
export function queryPlan(
  sqlite: SQLite.Database,
  statement: string,
  parameters: readonly unknown[],
): string[] {
  return sqlite
    .prepare(`explain query plan ${statement}`)
    .all(...parameters)
    .map((row) => (row as { detail: string }).detail);
}
