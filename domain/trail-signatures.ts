import { verifyProofs, type ProofVerdict } from './access';
import type { AuditEntry } from './audit-entry';
import type { TrailCheck } from './trail-verification';

// Responders' signatures re-verified against the roster the trail itself recorded, as one verdict line.
// Shared by `incident audit --verify` and the bundle verifier; it loads the Ed25519 verifier, so
// callers require it only when they run it.

export interface SignaturesVerdict {
  /** Undefined when the trail holds no signed action: there is nothing to report. */
  check?: TrailCheck;
  proofs: ProofVerdict;
}

export function signaturesCheck(entries: AuditEntry[], incidentId: string): SignaturesVerdict {
  const proofs = verifyProofs(entries, incidentId);
  const check: TrailCheck | undefined =
    proofs.failures.length > 0
      ? {
          check: 'signatures',
          ok: false,
          message: proofs.failures.map((f) => `entry ${f.seq}: ${f.problem}`).join('; '),
        }
      : proofs.signed
        ? {
            check: 'signatures',
            ok: true,
            message: `all ${proofs.signed} signed actions verify against the roster recorded in the trail`,
          }
        : undefined;
  return { check, proofs };
}
