import type { Pool } from 'pg';
import { localCopies } from '../local-copies';
import { ManifestConflictError, postgresEvidenceManifests } from './pg-evidence-manifests';
import type { PgImportTally } from './pg-import';

// `incident storage migrate --to postgres`, the evidence index: the record each finished local copy keeps
// beside it (evidence/<incident>/<system>/round-<n>/evidence.json) becomes a row of the installation's
// manifests, so every machine can find it. The copies themselves stay where they are (`--to s3` moves
// them); a copy without its record never finished and is not indexed.

export async function importManifests(pool: Pool, evidenceDir: string, tally: PgImportTally): Promise<void> {
  const manifests = postgresEvidenceManifests(pool);
  for await (const { incidentId, system, round, recordFile, record } of localCopies(evidenceDir)) {
    if (!record) {
      tally.problem({ item: recordFile, problem: 'is not JSON; not indexed' });
      continue;
    }
    let added: boolean;
    try {
      added = await manifests.record({ incidentId, system, round, record });
    } catch (err) {
      if (!(err instanceof ManifestConflictError)) throw err;
      tally.problem({ item: recordFile, problem: `is not indexed: ${err.message}` });
      continue;
    }
    tally.count('manifests', added ? 'copied' : 'alreadyThere');
  }
}
