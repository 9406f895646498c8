import type { IncidentState } from '../../domain/incident';
import type { Policy } from '../../domain/policy';
import type { AuditWriter } from './audit-writer';

// What every part of one incident's run shares: its state, its trail, its policy and a change counter.

export const SYSTEM_ACTOR = 'system';

export interface IncidentRun {
  readonly id: string;
  readonly s: IncidentState;
  readonly audit: AuditWriter;
  /** Every change bumps the version, which wakes the deadline clock to recompute its next timer. */
  changed(): void;
  version(): number;
  now(): Date;
  nowIso(): string;
  addProblem(key: string, message: string): void;
  clearProblem(key: string): void;
  /** The policy in force. Read only once it is loaded: actions and the clock wait for it (policy-source.ts). */
  policy(): Policy;
  hasPolicy(): boolean;
  adoptPolicy(policy: Policy): void;
}

export function createIncidentRun(s: IncidentState, audit: AuditWriter): IncidentRun {
  let version = 0;
  let policy: Policy | undefined;
  return {
    id: s.incidentId,
    s,
    audit,
    changed: () => {
      version++;
    },
    version: () => version,
    now: () => new Date(),
    nowIso: () => new Date().toISOString(),
    addProblem(key, message) {
      s.problems = s.problems.filter((p) => p.key !== key);
      s.problems.push({ key, at: new Date().toISOString(), message });
    },
    clearProblem(key) {
      s.problems = s.problems.filter((p) => p.key !== key);
    },
    policy() {
      if (!policy) throw new Error(`Incident ${s.incidentId} read its policy before it was loaded`);
      return policy;
    },
    hasPolicy: () => policy !== undefined,
    adoptPolicy(p) {
      policy = p;
    },
  };
}

/** The first entry of the chain: what was known when the incident opened. */
export function announceOpening({ s, audit }: Pick<IncidentRun, 's' | 'audit'>): number {
  return audit.record(s.openedBy, 'incident.opened', {
    title: s.title,
    severity: s.severity,
    category: s.category,
    systems: s.systems.map((x) => x.name),
    detection: s.detection,
    awareAt: s.awareAt,
    summary: s.summary,
    previousIncidentId: s.previousIncidentId,
  });
}
