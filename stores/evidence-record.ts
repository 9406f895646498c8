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
