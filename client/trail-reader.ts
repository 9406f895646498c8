import path from 'node:path';
import type { AuditEntry } from '../domain/audit-entry';
import { JsonlAuditStore } from '../stores/audit-store';

// An incident's audit trail under a data dir, as `incident audit` reads it; empty where this machine does
// not hold the worker's data dir.

export async function readTrail(dataDir: string, incidentId: string): Promise<AuditEntry[]> {
  try {
    return await new JsonlAuditStore(path.join(dataDir, 'audit')).read(incidentId);
  } catch {
    return [];
  }
}
