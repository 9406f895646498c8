import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { INCIDENT_ID_PATTERN } from '../domain/incident';
import type { StoredEvidence } from './evidence-record';

// The finished forensic copies under a data dir's evidence/<incident>/<system>/round-<n>/, in a stable
// order, each with the record the files store wrote beside it last: a copy without its record never
// finished and is left out; a record that does not parse is reported, not guessed at.

const ROUND = /^round-(\d+)$/;

export interface LocalCopy {
  incidentId: string;
  system: string;
  round: number;
  /** The round's folder. */
  dir: string;
  /** Its evidence.json. */
  recordFile: string;
  /** Undefined when evidence.json is not JSON. */
  record?: StoredEvidence;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export async function* localCopies(evidenceDir: string): AsyncGenerator<LocalCopy> {
  for (const incidentId of (await subdirs(evidenceDir)).filter((d) => INCIDENT_ID_PATTERN.test(d)))
    for (const system of await subdirs(path.join(evidenceDir, incidentId)))
      for (const roundDir of await subdirs(path.join(evidenceDir, incidentId, system))) {
        const round = ROUND.exec(roundDir);
        if (!round) continue;
        const dir = path.join(evidenceDir, incidentId, system, roundDir);
        const recordFile = path.join(dir, 'evidence.json');
        let text: string;
        try {
          text = await readFile(recordFile, 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw err;
        }
        let record: StoredEvidence | undefined;
        try {
          record = JSON.parse(text) as StoredEvidence;
        } catch {
          record = undefined;
        }
        yield { incidentId, system, round: Number(round[1]), dir, recordFile, record };
      }
}
