import path from 'node:path';
import type { Config } from '../platform/config/schema';
import type { FaultPoints } from '../platform/fault-points';
import type { TrailSigner } from '../platform/trail-key';
import { JsonlAuditStore, type AuditStore } from '../stores/audit-store';
import { preparePostgres } from '../stores/postgres/pg-prepare';
import { PostgresAuditStore } from '../stores/postgres/pg-audit-store';
import { postgresMailLedger } from '../stores/postgres/pg-mail-ledger';
import { postgresEvidenceManifests, type EvidenceManifests } from '../stores/postgres/pg-evidence-manifests';
import type { MailLedger } from '../stores/mail-ledger';
import type { KeyRing } from '../platform/encryption/key-ring';
import type { EvidenceCopier } from '../stores/evidence-record';
import { EvidenceStore } from '../stores/evidence-store';
import { probeObjectLock } from '../stores/s3/object-lock-probe';
import { s3Client } from '../stores/s3/s3-client';
import { LocalReportStore, type ReportStore } from '../stores/report-store';
import { S3EvidenceStore } from '../stores/s3/s3-evidence-store';
import { S3ReportStore } from '../stores/s3/s3-report-store';

// Where the worker keeps its trail and its mail ledger, as configured: files under the data dir (the
// embedded default), or the installation's PostgreSQL, one pool for both, migrated at start (by the
// owner's connection when one is given) and checked to be the schema this code knows before anything
// is written. Forensic copies go to files under the data dir too, or, with `storage.s3`, to a bucket
// whose Object Lock the worker checks before it polls (stores/s3/object-lock-probe.ts).

export interface AuditStoreOptions {
  faults?: FaultPoints;
  signer: TrailSigner;
  clock?: () => Date;
}

export interface WorkerStorage {
  audit: AuditStore;
  /** Absent: the mailer keeps its ledger in files under the data dir. */
  mailLedger?: MailLedger;
  /** Absent: each copy's record stays beside it only (evidence.json, or the locked record object). */
  manifests?: EvidenceManifests;
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
    manifests: postgresEvidenceManifests(pool),
    close: () => pool.end(),
  };
}

/**
 * Where forensic copies and rendered reports go; with storage.s3, the bucket, once it has shown it
 * enforces Object Lock.
 */
export async function openEvidenceStore(
  config: Config,
  atRest: KeyRing | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ evidence: EvidenceCopier; reports: ReportStore; close(): void }> {
  const settings = config.storage.s3;
  if (!settings)
    return {
      evidence: new EvidenceStore(path.join(config.dataDir, 'evidence'), atRest),
      reports: new LocalReportStore(path.join(config.dataDir, 'reports')),
      close: () => undefined,
    };
  const client = s3Client(settings, env);
  try {
    await probeObjectLock(client, settings);
  } catch (err) {
    client.destroy();
    throw err;
  }
  return {
    evidence: new S3EvidenceStore(client, settings, atRest),
    reports: new S3ReportStore(client, settings),
    close: () => client.destroy(),
  };
}
