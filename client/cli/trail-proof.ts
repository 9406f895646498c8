import { readTrailTexts, type TrailTexts } from '../trail-texts';
import type { Config } from '../../platform/config/schema';
import { TemporalUnreachableError } from '../../platform/temporal-errors';
import { trustedTrailKeys } from '../../platform/trail-key';
import type { TrailHead, TrailVerdict } from '../../domain/trail-verification';
import { verifyTrailParallel } from '../../platform/trail-verify-parallel';
import type { IncidentClient } from '../incident-client';

// Gathers what proves one incident's trail on this machine (the trail, its checkpoints, the trusted
// trail keys, the head Temporal holds, the heads a person gives) and runs every check. Shared by
// `incident audit --verify` and `incident evidence export`, which trusts a recorded hash only when the
// same proofs cover it.

export interface TrailSources {
  config: Config;
  incidentId: string;
  /** An exported trail instead of the data dir's. */
  file?: string;
  /** Its checkpoints; default: beside the trail (`<name>.checkpoints.jsonl`). */
  checkpointsFile?: string;
  /** Asks Temporal for its head; undefined: Temporal is not consulted (offline), which the verdict says. */
  incidents?: () => Promise<IncidentClient>;
  witnesses?: TrailHead[];
}

export interface ProvenTrail {
  verdict: TrailVerdict;
  trailFile: string;
  trailText: string;
  /** The head Temporal holds, when it was asked and answered. */
  temporalHead?: TrailHead;
}

/** The trail on this machine or in the installation's database; undefined text when there is none. */
export function readTrail(
  config: Config,
  incidentId: string,
  file?: string,
  checkpointsFile?: string,
): Promise<TrailTexts> {
  return readTrailTexts(config, incidentId, file, checkpointsFile);
}

/** Runs every check; the trail must exist (the caller says what to do when it does not). */
export async function proveTrail(
  src: TrailSources,
  trailFile: string,
  trailText: string,
  checkpointsText: string | undefined,
): Promise<ProvenTrail> {
  // Offline, the verdict still says that Temporal's head was not compared, so nobody reads it as checked.
  const temporal = src.incidents
    ? await temporalHead(src.incidents, src.incidentId)
    : { unavailable: 'Temporal was not asked (--offline)' };
  // A long trail is checked on every core; the verdict is the one verifyTrail reaches on one.
  const verdict = await verifyTrailParallel({
    incidentId: src.incidentId,
    trailText,
    checkpointsText,
    keys: trustedTrailKeys(src.config),
    temporal,
    witnesses: src.witnesses,
  });
  return {
    verdict,
    trailFile,
    trailText,
    ...(temporal && !('unavailable' in temporal) ? { temporalHead: temporal } : {}),
  };
}

async function temporalHead(
  incidents: () => Promise<IncidentClient>,
  incidentId: string,
): Promise<TrailHead | { unavailable: string }> {
  try {
    const { head, unavailable } = await (await incidents()).recordedHead(incidentId);
    return head ?? { unavailable: unavailable ?? 'no head recorded' };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    // The connection's own error already says where Temporal was looked for and what to do; callers
    // end the sentence themselves.
    return {
      unavailable:
        err instanceof TemporalUnreachableError
          ? message.replace(/\.$/, '')
          : `Temporal could not be reached (${message})`,
    };
  }
}
