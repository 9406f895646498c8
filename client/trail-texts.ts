import path from 'node:path';
import type { Config } from '../platform/config/schema';
import { checkpointsPathFor, JsonlAuditStore, readIfPresent, type AuditStore } from '../stores/audit-store';
import { PostgresAuditStore } from '../stores/postgres/pg-audit-store';
import { describePostgres, postgresPool } from '../stores/postgres/pg-pool';

// An incident's trail and its checkpoints as text, from wherever the worker keeps them: an exported file
// given on the command line, the installation's PostgreSQL (storage.postgres), or the data dir's files.
// Every verifier reads these same texts, so the checks are the same whichever store holds the trail.

export interface TrailTexts {
  /** Where the trail was read: a file, or "PostgreSQL at host:port/db as user, trail INC-…". */
  trailFile: string;
  trailText?: string;
  checkpointsText?: string;
}

async function withStore<T>(config: Config, use: (store: AuditStore) => Promise<T>): Promise<T> {
  const settings = config.storage.postgres;
  if (!settings) return use(new JsonlAuditStore(path.join(config.dataDir, 'audit')));
  const store = new PostgresAuditStore(postgresPool({ ...settings, poolMax: 2 }), describePostgres(settings.url));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

export async function readTrailTexts(
  config: Config,
  incidentId: string,
  file?: string,
  checkpointsFile?: string,
): Promise<TrailTexts> {
  if (file)
    return {
      trailFile: file,
      trailText: await readIfPresent(file),
      checkpointsText: await readIfPresent(checkpointsFile ?? checkpointsPathFor(file)),
    };
  return withStore(config, async (store) => ({
    trailFile: store.location(incidentId),
    trailText: await store.trailText(incidentId),
    checkpointsText: await store.checkpointsText(incidentId),
  }));
}
