import type { Pool } from 'pg';
import type { StoredEvidence } from '../evidence-record';

// The installation's index of forensic copies: one append-only row per copy (incident, system, round)
// saying where it is (a file or an s3:// version) and its SHA-256, whichever worker on whichever machine
// took it. A retried activity records the same copy again as a no-op; a different copy for the same round
// is refused, so the first record stands.

export interface EvidenceManifest {
  incidentId: string;
  system: string;
  round: number;
  record: StoredEvidence & { collectedBy?: string };
}

export interface EvidenceManifests {
  /** True when this call added the row; false when the same copy was recorded before. */
  record(manifest: EvidenceManifest): Promise<boolean>;
  list(incidentId?: string): Promise<EvidenceManifest[]>;
}

export class ManifestConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestConflictError';
  }
}

export function postgresEvidenceManifests(pool: Pool): EvidenceManifests {
  return {
    async record({ incidentId, system, round, record }) {
      const { rows } = await pool.query<{ sha256: string; location: string; added: boolean }>(
        `WITH added AS (
           INSERT INTO evidence_manifests (incident_id, system, round, sha256, record) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (incident_id, system, round) DO NOTHING
           RETURNING sha256, record->>'location' AS location, true AS added
         )
         SELECT sha256, location, added FROM added
         UNION ALL SELECT sha256, record->>'location', false FROM evidence_manifests
           WHERE incident_id = $1 AND system = $2 AND round = $3`,
        [incidentId, system, round, record.sha256, JSON.stringify(record)],
      );
      const stored = rows[0];
      if (stored.sha256 !== record.sha256)
        throw new ManifestConflictError(
          `Evidence of ${system} (round ${round}) for ${incidentId} is already recorded with SHA-256 ${stored.sha256} at ${stored.location}; this copy (${record.sha256}) is not recorded. Compare the two copies before going on.`,
        );
      return stored.added;
    },
    async list(incidentId) {
      const { rows } = await pool.query<{
        incident_id: string;
        system: string;
        round: number;
        record: EvidenceManifest['record'];
      }>(
        `SELECT incident_id, system, round, record FROM evidence_manifests
         WHERE $1::text IS NULL OR incident_id = $1 ORDER BY incident_id, system, round`,
        [incidentId ?? null],
      );
      return rows.map((r) => ({ incidentId: r.incident_id, system: r.system, round: r.round, record: r.record }));
    },
  };
}
