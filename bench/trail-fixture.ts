import type { KeyObject } from 'node:crypto';
import { chainEntry, type AuditEntry, type AuditRecord } from '../domain/audit-chain';
import { signCheckpoint } from '../domain/audit-checkpoint';

// A long trail shaped like the ones a storm of alerts leaves (alert.received with its raw payload,
// obligations, notifications, containment, evidence), built with the store's own chainEntry and
// signCheckpoint, so that verifying it does exactly the work verifying a stored trail does.

export const BENCH_INCIDENT = 'BENCH-TRAIL-1';

const at = (i: number) => new Date(Date.UTC(2026, 2, 28, 15) + i * 1000).toISOString();

/** The record of entry `seq`: one of five shapes met in real trails, 300 to 700 bytes once chained. */
export function benchRecord(seq: number, incidentId = BENCH_INCIDENT): AuditRecord {
  const base = { incidentId, seq, at: at(seq) };
  switch (seq % 5) {
    case 0:
      return {
        ...base,
        actor: 'alert:generic',
        action: 'alert.received',
        details: {
          source: 'generic',
          dedupKey: `scan-${seq}`,
          title: `Port scan ${seq}`,
          severity: 'SEV2',
          observedAt: at(seq - 1),
          systems: ['web-1', 'db-1'],
          raw: {
            id: `scan-${seq}`,
            correlationKey: 'campaign-bench',
            severity: 'SEV2',
            category: 'intrusion',
            title: `Port scan ${seq}`,
            observedAt: at(seq - 1),
            details: { port: seq % 65536, sourceIp: '203.0.113.7' },
          },
        },
      };
    case 1:
      return {
        ...base,
        actor: 'system',
        action: 'obligation.opened',
        details: {
          obligation: 'inform-law-enforcement',
          title: 'Inform law enforcement of the attempted malicious intrusion',
          dueAt: at(seq + 259_200),
          owedTo: 'law enforcement',
        },
      };
    case 2:
      return {
        ...base,
        actor: 'system',
        action: 'notify.senior-alerted',
        details: { level: 0, to: ['cto@example.com', 'ciso@example.com'] },
      };
    case 3:
      return {
        ...base,
        actor: 'carol',
        action: 'containment.step-done',
        details: { system: 'web-1', step: 'isolate-network', note: 'Moved to the quarantine VLAN; sessions cut.' },
      };
    default:
      return {
        ...base,
        actor: 'system',
        action: 'evidence.collected',
        details: {
          system: 'db-1',
          kind: 'disk-image',
          sha256: 'ab'.repeat(32),
          sizeBytes: 1_073_741_824,
          path: `evidence/${incidentId}/db-1/disk-${seq}.img`,
        },
      };
  }
}

export interface BenchTrail {
  /** Each entry's seq and hash: all that the checks after the chain read of an entry. */
  heads: { seq: number; hash: string }[];
  /** The trail file's text, as the store writes it. */
  text: string;
  /** The checkpoint file's text: one checkpoint per `entriesPerCheckpoint` entries and one for the last. */
  checkpointsText: string;
  checkpoints: number;
}

export function benchTrail(
  count: number,
  entriesPerCheckpoint: number,
  signing: { keyId: string; privateKey: KeyObject },
): BenchTrail {
  const heads: BenchTrail['heads'] = [];
  const lines: string[] = [];
  const checkpointLines: string[] = [];
  let entry: AuditEntry | undefined;
  for (let seq = 1; seq <= count; seq++) {
    entry = chainEntry(entry, benchRecord(seq));
    heads.push({ seq, hash: entry.hash });
    lines.push(JSON.stringify(entry));
    if (seq % entriesPerCheckpoint === 0 || seq === count) {
      const cp = { incidentId: BENCH_INCIDENT, seq, hash: entry.hash, at: at(seq), keyId: signing.keyId };
      checkpointLines.push(JSON.stringify(signCheckpoint({ ...cp, temporalAt: at(seq) }, signing.privateKey)));
    }
  }
  return {
    heads,
    text: lines.join('\n') + '\n',
    checkpointsText: checkpointLines.join('\n') + '\n',
    checkpoints: checkpointLines.length,
  };
}
