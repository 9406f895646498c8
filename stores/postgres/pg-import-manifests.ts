import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';
import type { StoredEvidence } from '../evidence-record';
import { ManifestConflictError, postgresEvidenceManifests } from './pg-evidence-manifests';
import type { ImportTally } from './pg-import-tally';

// `incident storage migrate --to postgres`, the evidence index: the record each finished local copy keeps
// beside it (evidence/<incident>/<system>/round-<n>/evidence.json) becomes a row of the installation's
// manifests, so every machine can find it. The copies themselves stay where they are (`--to s3` moves
// them); a copy without its record never finished and is not indexed.

const ROUND = /^round-(\d+)$/;

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

export async function importManifests(pool: Pool, evidenceDir: string, tally: ImportTally): Promise<void> {
  const manifests = postgresEvidenceManifests(pool);
  for (const incidentId of (await subdirs(evidenceDir)).filter((d) => INCIDENT_ID_PATTERN.test(d)).sort())
    for (const system of (await subdirs(path.join(evidenceDir, incidentId))).sort())
      for (const roundDir of (await subdirs(path.join(evidenceDir, incidentId, system))).sort()) {
        const round = ROUND.exec(roundDir);
        if (!round) continue;
        const file = path.join(evidenceDir, incidentId, system, roundDir, 'evidence.json');
        let record: StoredEvidence;
        try {
          record = JSON.parse(await readFile(file, 'utf8')) as StoredEvidence;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          tally.problem({ item: file, problem: 'is not JSON; not indexed' });
          continue;
        }
        const manifest = { incidentId, system, round: Number(round[1]), record };
        let added: boolean;
        try {
          added = await manifests.record(manifest);
        } catch (err) {
          if (!(err instanceof ManifestConflictError)) throw err;
          tally.problem({ item: file, problem: `is not indexed: ${err.message}` });
          continue;
        }
        tally.count('manifests', added ? 'copied' : 'alreadyThere');
      }
}
