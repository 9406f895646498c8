import path from 'node:path';
import type { Config } from '../platform/config/schema';
import type { FaultPoints } from '../platform/fault-points';
import type { TrailSigner } from '../platform/trail-key';
import { JsonlAuditStore, type AuditStore } from '../stores/audit-store';
import { preparePostgres } from '../stores/postgres/pg-prepare';
import { PostgresAuditStore } from '../stores/postgres/pg-audit-store';
import { postgresMailLedger } from '../stores/postgres/pg-mail-ledger';
import type { MailLedger } from '../stores/mail-ledger';

// Where the worker keeps its trail and its mail ledger, as configured: files under the data dir (the
// embedded default), or the installation's PostgreSQL, one pool for both, migrated at start (by the
// owner's connection when one is given) and checked to be the schema this code knows before anything
// is written.

export interface AuditStoreOptions {
  faults?: FaultPoints;
  signer: TrailSigner;
  clock?: () => Date;
}

export interface WorkerStorage {
  audit: AuditStore;
  /** Absent: the mailer keeps its ledger in files under the data dir. */
  mailLedger?: MailLedger;
  close(): Promise<void>;
}

export async function openStorage(config: Config, options: AuditStoreOptions): Promise<WorkerStorage> {
  const settings = config.storage.postgres;
  if (!settings)
    return {
      audit: new JsonlAuditStore(path.join(config.dataDir, 'audit'), options.faults, options.signer, options.clock),
      close: async () => undefined,
    };
  const { pool, where } = await preparePostgres(
    settings,
    'The worker did not start; incidents wait in Temporal until one does.',
  );
  return {
    audit: new PostgresAuditStore(pool, where, options.faults, options.signer, options.clock),
    mailLedger: postgresMailLedger(pool),
    close: () => pool.end(),
  };
}
