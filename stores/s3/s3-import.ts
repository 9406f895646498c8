import path from 'node:path';
import type { S3Config } from '../../platform/config/storage-schema';
import { ImportTally, type ImportSummary } from '../import-tally';
import type { EvidenceManifests } from '../postgres/pg-evidence-manifests';
import { LockedObjects } from './locked-objects';
import { probeObjectLock } from './object-lock-probe';
import { describeS3, s3Client } from './s3-client';
import { DEFAULT_PART_BYTES } from './s3-evidence-store';
import { migrateEvidence, type S3ImportTally } from './s3-migrate-evidence';
import { migrateReports } from './s3-migrate-reports';
import { S3ReportStore } from './s3-report-store';

// Moving an installation's forensic copies and rendered reports from its data dir into the object store,
// once the bucket has shown, as at a worker's start, that it enforces Object Lock: nothing is copied into
// a bucket where a copy could later be deleted. The local files are only read, so the data dir stays what
// it was and the move can be run again (copying nothing the bucket already holds the same). With
// PostgreSQL configured, the installation's evidence index learns each copy in the bucket too.

export type S3ImportSummary = ImportSummary<'copies' | 'reports' | 'manifests', 'files' | 'bytes'> & {
  where: string;
  retentionDays: number;
};

export async function importToObjectStore(
  settings: S3Config,
  dataDir: string,
  env: NodeJS.ProcessEnv,
  index?: EvidenceManifests,
  now: () => Date = () => new Date(),
): Promise<S3ImportSummary> {
  const client = s3Client(settings, env);
  try {
    await probeObjectLock(client, settings, now(), 'Nothing was copied.');
    const tally: S3ImportTally = new ImportTally(['copies', 'reports', 'manifests'], ['files', 'bytes']);
    const objects = new LockedObjects(client, settings, undefined, DEFAULT_PART_BYTES, now);
    await migrateEvidence(objects, path.join(dataDir, 'evidence'), tally, index, now);
    await migrateReports(new S3ReportStore(client, settings, now), path.join(dataDir, 'reports'), tally);
    return { ...tally.result(), where: describeS3(settings), retentionDays: settings.retentionDays };
  } finally {
    client.destroy();
  }
}
