// A forensic copy as the incident records it: where it is, its SHA-256, and its chain of custody.

export interface CustodyEvent {
  at: string;
  actor: string;
  action: string;
}

export interface EvidenceRecord {
  id: string;
  system: string;
  source: string;
  location: string;
  sha256: string;
  sizeBytes: number;
  collectedBy: string;
  startedAt: string;
  finishedAt: string;
  custody: CustodyEvent[];
  /** Set when the stored copy is encrypted at rest; `sha256` is still that of the original bytes. */
  encryption?: { cipher: string; format: string; keyId: string };
}
