import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AtRestInfo } from '../platform/encryption/at-rest/format';

// What the evidence store hands back and records for each forensic copy, and how a copy fails.

export interface StoredEvidence {
  location: string;
  sha256: string;
  sizeBytes: number;
  startedAt: string;
  finishedAt: string;
  source: string;
  kind: 'file' | 'block-device' | 'directory' | 'command-output';
  /** Per-file hashes for a directory copy; the record's sha256 is the hash of this manifest. */
  manifest?: { path: string; sha256: string; sizeBytes: number }[];
  /** Set when the stored bytes are encrypted at rest (each file of a directory copy, not its manifest). */
  encryption?: AtRestInfo;
  /** Moved from the data dir by `incident storage migrate --to s3`: where the worker had stored it, and when. */
  migratedFrom?: string;
  migratedAt?: string;
}

export class EvidenceError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'EvidenceError';
  }
}

export interface CopyHooks {
  /** Called as bytes are stored; the activity turns this into heartbeats. */
  onProgress?: (bytesStored: number) => void;
  signal?: AbortSignal;
}

/**
 * What the worker's evidence driver needs from a store: the local files (EvidenceStore) or an S3 bucket
 * under Object Lock (S3EvidenceStore). `place` is where one copy goes: a folder, or a key prefix.
 */
export interface EvidenceCopier {
  dirFor(incidentId: string, system: string, round: number): string;
  copyFromPath(place: string, source: string, hooks?: CopyHooks): Promise<StoredEvidence>;
  copyFromStream(
    place: string,
    source: string,
    produce: (sink: NodeJS.WritableStream) => Promise<void>,
    hooks?: CopyHooks,
  ): Promise<StoredEvidence>;
}

/** The source of a copy as the worker sees it; a missing or unreadable one is the operator's to fix (permanent). */
export async function statEvidenceSource(source: string): Promise<Stats> {
  try {
    return await stat(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EvidenceError(
      code === 'ENOENT'
        ? `Evidence source ${source} does not exist on the worker; fix the system's evidence path or record a manual copy.`
        : `Cannot read evidence source ${source} (${code}).`,
      true,
    );
  }
}
