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

/**
 * The head of the trail as the workflow learned it from the store: Temporal's history keeps it, so it
 * witnesses the trail's length and last hash where the worker cannot rewrite it. `at` is workflow time.
 */
export interface AuditHead {
  seq: number;
  hash: string;
  at: string;
}

/** What an append reports to the workflow: the new head, and the clocks when they disagree too much. */
export interface AppendedHead {
  seq: number;
  hash: string;
  /** Set only when the worker's clock and Temporal's differ by more than the worker's limit. */
  clockSkew?: { workerAt: string; temporalAt: string; gapSeconds: number; limitSeconds: number };
}
