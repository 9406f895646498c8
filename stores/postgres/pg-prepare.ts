import type pg from 'pg';
import type { PostgresConfig } from '../../platform/config/storage-schema';
import { checkSchema, migrate, SchemaError } from './migrations';
import { describePostgres, postgresPool, roleOf } from './pg-pool';

// The one way into the installation's PostgreSQL for anything that writes to it (a worker at start,
// `incident storage migrate`): the schema is migrated (by the owner's connection when one is given) and
// checked to be the one this code knows before anything is written.

export interface PreparedPostgres {
  pool: pg.Pool;
  /** "PostgreSQL at host:port/db as user", for messages. */
  where: string;
}

export async function preparePostgres(
  settings: PostgresConfig,
  /** What waits when the database cannot be prepared, for the message. */
  consequence: string,
): Promise<PreparedPostgres> {
  const pool = postgresPool(settings);
  const where = describePostgres(settings.url);
  try {
    if (settings.migrationUrl) {
      const owner = postgresPool(settings, settings.migrationUrl);
      try {
        await migrate(owner, roleOf(settings.url));
      } finally {
        await owner.end();
      }
    } else {
      await migrate(pool);
    }
    await checkSchema(pool);
  } catch (err) {
    await pool.end();
    if (err instanceof SchemaError) throw err;
    throw new SchemaError(`${where} could not be prepared: ${(err as Error).message}. ${consequence}`);
  }
  return { pool, where };
}
