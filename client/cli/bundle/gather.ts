import type { KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCheckpoint, type SignedCheckpoint } from '../../../domain/audit-checkpoint';
import type { AuditEntry } from '../../../domain/audit-entry';
import { parseAuditLines } from '../../../domain/audit-text';
import { recordedCopies, type RecordedCopy } from '../../../domain/bundle-layout';
import { INCIDENT_ID_PATTERN } from '../../../domain/incident';
import { verifyTrail, type TrailVerdict } from '../../../domain/trail-verification';
import type { Config } from '../../../platform/config/schema';
import { TrailKeyError, trustedTrailKeys } from '../../../platform/trail-key';
import { checkpointsPathFor } from '../../../stores/audit-store';
import { CliProblem } from '../problem';
import { readTrail } from '../trail-proof';
import { localFolder, migratedLocation, objectStoreFolder } from '../copy-folders';
import { parseS3Location } from '../../../stores/s3/s3-objects';
import { storedReportNames } from '../stored-report';

// What a bundle of one incident is made from, read from this machine's data dir (and the object store,
// for copies the worker put there) and checked before a byte is written: a bundle must verify where it is sent, so a trail that does not verify here, a
// checkpoint by a key this machine does not know, or a recorded copy missing from disk is refused.

export interface BundleSources {
  incidentId: string;
  trailText: string;
  checkpointsText: string;
  entries: AuditEntry[];
  /** The last checkpoint: the head a recipient checks with openssl. */
  head: SignedCheckpoint;
  /** The trail keys the checkpoints use, by id. */
  keys: Map<string, KeyObject>;
  /** Each recorded copy with its store's record (evidence.json) and, for a directory, its manifest. */
  copies: (RecordedCopy & { record: string; manifest?: string })[];
  /** The rendered reports under the data dir, as `kind.format`. */
  reports: { kind: string; format: string }[];
}

const refused = (message: string) => new CliProblem('refused', message);

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

async function missingTrail(config: Config, incidentId: string, trailFile: string): Promise<CliProblem> {
  const traces = [path.join(config.dataDir, 'evidence', incidentId), path.join(config.dataDir, 'reports', incidentId)];
  const found = [];
  for (const p of traces) if (await exists(p)) found.push(p);
  return found.length
    ? refused(
        `The audit trail of ${incidentId} is missing (${trailFile}), though ${found.join(' and ')} ${found.length === 1 ? 'is' : 'are'} there: a bundle without its trail proves nothing, so none was written.`,
      )
    : refused(
        `No incident ${incidentId} on this machine: there is no audit trail at ${trailFile}. Run this where the worker's data dir is (INCIDENT_DATA_DIR), with the id that incident list shows.`,
      );
}

interface Snapshot {
  trailFile: string;
  trailText?: string;
  checkpointsText?: string;
  /** The two verified together with this machine's keys, when both are there. */
  verdict?: TrailVerdict;
}

/** The trail and its checkpoints as one consistent pair: an append landing between the two reads is waited out. */
async function snapshot(config: Config, incidentId: string, trusted: Map<string, KeyObject>): Promise<Snapshot> {
  for (let attempt = 1; ; attempt++) {
    const { trailFile, trailText, checkpointsText } = await readTrail(config, incidentId);
    if (trailText === undefined || checkpointsText === undefined) return { trailFile, trailText, checkpointsText };
    const verdict = verifyTrail({ incidentId, trailText, checkpointsText, keys: trusted });
    if (verdict.ok || attempt === 3) return { trailFile, trailText, checkpointsText, verdict };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function trustedKeys(config: Config): Map<string, KeyObject> {
  try {
    return trustedTrailKeys(config);
  } catch (err) {
    if (err instanceof TrailKeyError) throw new CliProblem('usage', err.message);
    throw err;
  }
}

export async function gatherSources(
  config: Config,
  incidentId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BundleSources> {
  if (!INCIDENT_ID_PATTERN.test(incidentId))
    throw new CliProblem('usage', `"${incidentId}" is not an incident id (letters, digits, . _ - ).`);
  const trusted = trustedKeys(config);
  const { trailFile, trailText, checkpointsText, verdict } = await snapshot(config, incidentId, trusted);
  if (trailText === undefined) throw await missingTrail(config, incidentId, trailFile);
  if (checkpointsText === undefined || !verdict)
    throw refused(
      `The audit trail of ${incidentId} has no checkpoint file (${checkpointsPathFor(trailFile)}): nothing signed vouches for it, so a bundle of it would not verify and none was written. See: incident audit ${incidentId} --verify`,
    );
  const checkpoints = checkpointsText
    .split('\n')
    .map((line) => parseCheckpoint(line))
    .filter((cp) => cp !== undefined);
  const keys = new Map<string, KeyObject>();
  for (const [i, cp] of checkpoints.entries()) {
    const key = trusted.get(cp.keyId);
    if (!key)
      throw refused(
        `Checkpoint ${i + 1} of ${incidentId} (seq ${cp.seq}) is signed by trail key ${cp.keyId}, which this machine does not know, so the bundle could not carry it. Add that key's public key to trail.publicKeys (INCIDENT_TRAIL_PUBLIC_KEYS) and try again.`,
      );
    keys.set(cp.keyId, key);
  }
  const failed = verdict.checks.find((c) => !c.ok);
  if (failed)
    throw refused(
      `The audit trail of ${incidentId} does not verify on this machine (${failed.check}: ${failed.message}), so a bundle of it would not either; none was written. See: incident audit ${incidentId} --verify`,
    );
  if (verdict.entries === 0 || checkpoints.length === 0)
    throw refused(`The audit trail of ${incidentId} (${trailFile}) holds no entry yet; there is nothing to bundle.`);
  const entries = parseAuditLines(trailText);
  const copies: BundleSources['copies'] = [];
  for (const copy of recordedCopies(entries)) {
    const described = `${copy.system} (round ${copy.round}) of ${incidentId}`;
    const recorded = String((entries.find((e) => e.seq === copy.seq)?.details as { location?: unknown }).location);
    const roundDir = path.join(config.dataDir, 'evidence', incidentId, copy.system, `round-${copy.round}`);
    // A copy on disk that is not on this machine may have been moved by storage migrate --to s3.
    const moved =
      parseS3Location(recorded) || (await exists(path.join(roundDir, 'evidence.json')))
        ? undefined
        : await migratedLocation(config, env, { incidentId, system: copy.system, round: copy.round }, described);
    const inObjectStore = parseS3Location(moved ?? recorded);
    const folder = inObjectStore
      ? objectStoreFolder(config, env, inObjectStore.bucket, inObjectStore.key.replace(/\/[^/]+$/, ''), described)
      : localFolder(roundDir);
    const texts: Record<string, string> = {};
    for (const name of ['evidence.json', ...(copy.kind === 'directory' ? ['MANIFEST.sha256'] : [])]) {
      const text = await folder.text(name);
      if (text === undefined)
        throw refused(
          `The stored copy of ${described} has no ${name} (${folder.where(name)}).${inObjectStore ? '' : " Run this where the worker's data dir is (INCIDENT_DATA_DIR)."}`,
        );
      texts[name] = text;
    }
    copies.push({ ...copy, record: texts['evidence.json'], manifest: texts['MANIFEST.sha256'] });
  }
  return {
    incidentId,
    trailText,
    checkpointsText,
    entries,
    head: checkpoints[checkpoints.length - 1],
    keys,
    copies,
    reports: await storedReports(config, incidentId, env),
  };
}

/** The reports the worker rendered, from where it keeps them (the data dir, or the bucket with storage.s3). */
async function storedReports(config: Config, incidentId: string, env: NodeJS.ProcessEnv) {
  const reports = [];
  for (const name of await storedReportNames(config, incidentId, env)) {
    const m = /^([a-z]+)\.(md|html)$/.exec(name);
    if (m) reports.push({ kind: m[1], format: m[2] });
  }
  return reports;
}
