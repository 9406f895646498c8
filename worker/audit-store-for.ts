import path from 'node:path';
import type { Config } from '../platform/config/schema';
import type { FaultPoints } from '../platform/fault-points';
import type { TrailSigner } from '../platform/trail-key';
import { JsonlAuditStore, type AuditStore } from '../stores/audit-store';
import { checkSchema, migrate, SchemaError } from '../stores/postgres/migrations';
import { PostgresAuditStore } from '../stores/postgres/pg-audit-store';
import { describePostgres, postgresPool, roleOf } from '../stores/postgres/pg-pool';

// The worker's audit store as configured: files under the data dir (the embedded default), or the
// installation's PostgreSQL, migrated at start (by the owner's connection when one is given) and checked
// to be the schema this code knows before anything is written.

export interface AuditStoreOptions {
  faults?: FaultPoints;
  signer: TrailSigner;
  clock?: () => Date;
}

export async function openAuditStore(config: Config, options: AuditStoreOptions): Promise<AuditStore> {
  const settings = config.storage.postgres;
  if (!settings)
    return new JsonlAuditStore(path.join(config.dataDir, 'audit'), options.faults, options.signer, options.clock);
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
    throw new SchemaError(
      `${where} could not be prepared for the audit trail: ${(err as Error).message}. The worker did not start; incidents wait in Temporal until one does.`,
    );
  }
  return new PostgresAuditStore(pool, where, options.faults, options.signer, options.clock);
}
