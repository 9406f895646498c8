// The shape of an audit entry, apart from the hashing so that workflow code can name it without
// bundling a crypto library.

export const GENESIS_HASH = '0'.repeat(64);
export { CLOSING_ACTION } from './audit-actions';

export interface AuditRecord {
  incidentId: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditRecord {
  prevHash: string;
  hash: string;
}
