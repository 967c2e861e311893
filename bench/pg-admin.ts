import pg from 'pg';

/**
 * Runs one administrative statement (create or drop a benchmark's private schema) on its own short
 * connection, so the benchmark's pools never see it.
 */
export async function pgAdmin(connectionString: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
