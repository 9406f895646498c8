import path from 'node:path';
import type { AuditEntry } from '../domain/audit-entry';
import { JsonlAuditStore } from '../stores/audit-store';

// An incident's audit trail under a data dir, as `incident audit` and the board read it; unavailable
// (empty) where this machine does not hold the worker's data dir.

export async function readTrailAt(
  dataDir: string,
  incidentId: string,
): Promise<{ entries: AuditEntry[]; file: string; available: boolean }> {
  const store = new JsonlAuditStore(path.join(dataDir, 'audit'));
  const file = store.fileOf(incidentId);
  try {
    return { entries: await store.read(incidentId), file, available: true };
  } catch {
    return { entries: [], file, available: false };
  }
}

export async function readTrail(dataDir: string, incidentId: string): Promise<AuditEntry[]> {
  return (await readTrailAt(dataDir, incidentId)).entries;
}
