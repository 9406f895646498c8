import { EVIDENCE_ACTION } from '../../domain/audit-actions';
import { parseAuditLines } from '../../domain/audit-text';
import type { Config } from '../../platform/config/schema';
import type { IncidentClient } from '../incident-client';
import { CliProblem } from './problem';
import { proveTrail, readTrail, type ProvenTrail } from './trail-proof';

// Which stored copies the audit trail records for a system, and whether the entry that recorded a copy's
// hash is vouched for: `incident evidence export` trusts that hash only when the proofs cover it.

interface CoverageRequest {
  config: Config;
  incidentId: string;
  system: string;
  /** Asks Temporal for the head it recorded; undefined: --offline, the signed checkpoints alone. */
  incidents?: () => Promise<IncidentClient>;
}

const refused = (message: string) => new CliProblem('refused', message);

export interface Collected {
  /** The audit entry that recorded the copy. */
  seq: number;
  round: number;
  location: string;
  sha256: string;
  sizeBytes?: number;
}

/** The copies of `system` that the audit trail records, oldest first, each with the entry that records it. */
export async function collectedCopies(req: CoverageRequest): Promise<{ copies: Collected[]; proven: ProvenTrail }> {
  const { incidentId, system } = req;
  const { trailFile, trailText, checkpointsText } = await readTrail(req.config, incidentId);
  if (trailText === undefined)
    throw refused(
      `No audit trail for ${incidentId} at ${trailFile}; the recorded hash of its evidence is there. Run this where the worker's data dir is (INCIDENT_DATA_DIR).`,
    );
  const proven = await proveTrail(
    { config: req.config, incidentId, incidents: req.incidents },
    trailFile,
    trailText,
    checkpointsText,
  );
  const chain = proven.verdict.checks.find((c) => c.check === 'chain')!;
  if (!chain.ok)
    throw refused(
      `The audit trail of ${incidentId} does not verify (${chain.message}), so the hash it records for the evidence cannot be trusted. See: incident audit ${incidentId} --verify`,
    );
  const copies: Collected[] = [];
  for (const entry of parseAuditLines(trailText)) {
    if (entry.action !== EVIDENCE_ACTION) continue;
    const d = entry.details as { system?: unknown; location?: unknown; sha256?: unknown; sizeBytes?: unknown };
    if (d.system !== system || typeof d.location !== 'string' || typeof d.sha256 !== 'string') continue;
    const round = /[\\/]round-(\d+)[\\/][^\\/]+$/.exec(d.location);
    if (!round) continue;
    copies.push({
      seq: entry.seq,
      round: Number(round[1]),
      location: d.location,
      sha256: d.sha256,
      sizeBytes: typeof d.sizeBytes === 'number' ? d.sizeBytes : undefined,
    });
  }
  return { copies, proven };
}

/**
 * The recorded hash is trusted only when a valid checkpoint and the head Temporal recorded both cover
 * the entry that holds it: a chain alone can be recomputed by whoever can write the file.
 */
export function checkCoverage(req: CoverageRequest, proven: ProvenTrail, copy: Collected, described: string): string {
  const check = (name: string) => proven.verdict.checks.find((c) => c.check === name);
  const where = `The recorded hash of ${described} (audit entry ${copy.seq})`;
  const see = `See: incident audit ${req.incidentId} --verify`;
  const checkpoints = check('checkpoints')!;
  if (!checkpoints.ok) throw refused(`${where} is not covered by a valid checkpoint: ${checkpoints.message}. ${see}`);
  if (!req.incidents) return 'a signed checkpoint (Temporal not asked: --offline)';
  const temporal = check('temporal')!;
  if (temporal.skipped)
    throw refused(
      `${where} cannot be confirmed by Temporal: ${temporal.message.replace(/^not checked: /, '')}. Fix that, or add --offline to rely on the signed checkpoints alone.`,
    );
  if (!temporal.ok) throw refused(`${where} is not covered by the head Temporal recorded: ${temporal.message}. ${see}`);
  const head = proven.temporalHead!;
  if (head.seq < copy.seq)
    throw refused(
      `${where} was written after the last head Temporal recorded (seq ${head.seq}); try again in a moment.`,
    );
  return `a signed checkpoint and the head Temporal recorded (seq ${head.seq})`;
}
