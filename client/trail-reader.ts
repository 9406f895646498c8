import type { AuditEntry } from '../domain/audit-entry';
import { parseAuditLines } from '../domain/audit-text';
import type { Config } from '../platform/config/schema';
import { readTrailTexts } from './trail-texts';

// An incident's audit trail as `incident audit` and the board read it, from the worker's data dir or the
// installation's database; unavailable (empty) where neither can be read from this machine.

export async function readTrailAt(
  config: Config,
  incidentId: string,
): Promise<{ entries: AuditEntry[]; file: string; available: boolean }> {
  try {
    const { trailFile, trailText } = await readTrailTexts(config, incidentId);
    return { entries: parseAuditLines(trailText ?? ''), file: trailFile, available: true };
  } catch {
    return { entries: [], file: `the trail of ${incidentId}`, available: false };
  }
}

export async function readTrail(config: Config, incidentId: string): Promise<AuditEntry[]> {
  return (await readTrailAt(config, incidentId)).entries;
}
