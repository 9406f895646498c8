import type { Pool, PoolClient } from 'pg';

// Every write to an incident's trail (an append, the import of a local trail) runs in one transaction
// holding that incident's advisory lock, so writers on every machine take turns and none reads a head
// another is about to move.

/**
 * Runs `work` in a transaction on a connection of its own, under the incident's trail lock; commits when
 * `keep` accepts what it returned (a refusal is rolled back and returned), rolls back when it throws.
 */
export async function withTrailLock<T>(
  pool: Pool,
  incidentId: string,
  work: (client: PoolClient) => Promise<T>,
  keep: (result: T) => boolean = () => true,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [incidentId]);
      const result = await work(client);
      await client.query(keep(result) ? 'COMMIT' : 'ROLLBACK');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}
