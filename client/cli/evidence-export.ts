import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../../platform/config/schema';
import type { IncidentClient } from '../incident-client';
import { checkCoverage, collectedCopies, type Collected } from './evidence-coverage';
import { hashingStream } from '../../stores/evidence-hashing';
import type { StoredEvidence } from '../../stores/evidence-record';
import { AtRestError } from '../../platform/encryption/at-rest/errors';
import { SEALED_SUFFIX } from '../../platform/encryption/at-rest/format';
import { createUnsealStream } from '../../platform/encryption/at-rest/streams';
import type { KeyRing } from '../../platform/encryption/key-ring';
import { CliProblem, keyRingForReading } from './problem';
import {
  localFolder,
  migratedLocation,
  objectStoreFolder,
  openFromObjectStore,
  type CopyFolder,
  type StoredObject,
} from './copy-folders';
import { parseS3Location } from '../../stores/s3/s3-objects';
import { INCIDENT_ID_PATTERN, SYSTEM_NAME_PATTERN } from '../../domain/incident';

// `incident evidence export`: a stored forensic copy written out as the original bytes, decrypted when
// it is encrypted at rest, and checked against the SHA-256 that the audit trail recorded when the copy
// was taken. The audit trail is the reference (its hash chain is verified first), not the evidence.json
// beside the copy, which whoever could alter the copy could alter too. Nothing is left at the named path
// unless every byte matched: the output is written beside it under a temporary name and renamed at the end.

export interface ExportRequest {
  config: Config;
  /** Asks Temporal for the head it recorded; undefined: --offline, the signed checkpoints alone. */
  incidents?: () => Promise<IncidentClient>;
  incidentId: string;
  system: string;
  round?: number;
  out: string;
  force: boolean;
  env: NodeJS.ProcessEnv;
  /** The Temporal namespace, whose key ring the worker encrypted with. */
  namespace?: string;
}

export interface ExportResult {
  ok: true;
  incidentId: string;
  system: string;
  round: number;
  kind: 'file' | 'directory';
  out: string;
  sha256: string;
  sizeBytes: number;
  encrypted: boolean;
  keyId?: string;
  /** A directory copy: how many files were written. */
  files?: number;
  /** The audit entry that recorded the copy's hash, and what vouches for that entry. */
  auditSeq?: number;
  coveredBy?: string;
}

const usage = (message: string) => new CliProblem('usage', message);
const refused = (message: string) => new CliProblem('refused', message);

/**
 * Writes `source` (a file, or the stream of an object-store version; decrypted with `ring` when given) to
 * `dest`, a new file, and returns the hash of what was written.
 */
async function writeOriginal(
  source: string | StoredObject,
  dest: string,
  ring: KeyRing | undefined,
): Promise<{ sha256: string; size: number; keyId?: string }> {
  const hash = createHash('sha256');
  const hasher = hashingStream(hash);
  let keyId: string | undefined;
  const name = typeof source === 'string' ? source : source.name;
  await pipeline([
    typeof source === 'string' ? createReadStream(source, { highWaterMark: 1024 * 1024 }) : await source.open(),
    ...(ring ? [createUnsealStream(ring, name, (header) => (keyId = header.keyId))] : []),
    hasher,
    createWriteStream(dest, { flags: 'wx', mode: 0o600 }),
  ]);
  const handle = await open(dest, 'r');
  await handle.sync();
  await handle.close();
  return { sha256: hash.digest('hex'), size: hasher.bytes(), ...(keyId ? { keyId } : {}) };
}

async function exists(file: string): Promise<'file' | 'directory' | undefined> {
  try {
    return (await stat(file)).isDirectory() ? 'directory' : 'file';
  } catch {
    return undefined;
  }
}

/** What the named output path must satisfy before anything is written. */
async function checkOut(out: string, kind: 'file' | 'directory', force: boolean): Promise<void> {
  const present = await exists(out);
  if (present === 'directory')
    throw usage(
      `${out} is an existing directory; name a new path to write the ${kind === 'file' ? 'image' : 'copy'} to.`,
    );
  if (present === 'file' && (kind === 'directory' || !force))
    throw usage(`${out} already exists; ${kind === 'file' ? 'add --force to replace it, or ' : ''}name another path.`);
  if ((await exists(path.dirname(out))) !== 'directory')
    throw usage(`The folder of ${out} does not exist; create it first.`);
}

export async function exportEvidence(req: ExportRequest): Promise<ExportResult> {
  const { incidentId, system } = req;
  if (!INCIDENT_ID_PATTERN.test(incidentId))
    throw usage(`"${incidentId}" is not an incident id (letters, digits, . _ - ).`);
  if (!SYSTEM_NAME_PATTERN.test(system)) throw usage(`"${system}" is not a system name.`);
  const { copies, proven } = await collectedCopies(req);
  if (copies.length === 0)
    throw refused(
      `The audit trail of ${incidentId} records no stored copy of ${system}. See the systems and their evidence with: incident show ${incidentId}`,
    );
  const copy = req.round === undefined ? copies[copies.length - 1] : copies.find((c) => c.round === req.round);
  if (!copy)
    throw refused(
      `There is no copy of ${system} from round ${req.round}; the audit trail records round ${copies.map((c) => c.round).join(', ')}.`,
    );

  const described = `${system} (round ${copy.round}) of ${incidentId}`;
  const coveredBy = checkCoverage(req, proven, copy, described);
  const location = await copyLocation(req, copy, described);
  const inObjectStore = parseS3Location(location);
  if (inObjectStore?.key.endsWith('/tree')) {
    const folder = objectStoreFolder(
      req.config,
      req.env,
      inObjectStore.bucket,
      inObjectStore.key.slice(0, -5),
      described,
    );
    const result = await exportDirectory(req, copy, folder, path.resolve(req.out), described);
    return { ...result, auditSeq: copy.seq, coveredBy };
  }
  if (inObjectStore) {
    const encrypted = inObjectStore.key.endsWith(SEALED_SUFFIX);
    const stored = { name: location, open: () => openFromObjectStore(req.config, req.env, location, described) };
    const result = await exportFile(req, copy, stored, encrypted, path.resolve(req.out), described);
    return { ...result, auditSeq: copy.seq, coveredBy };
  }
  const { roundDir, name, stored } = onDisk(req, copy);
  if (!(await exists(stored)))
    throw refused(
      `The stored copy ${stored} is missing. Run this where the worker's data dir is (INCIDENT_DATA_DIR), or, if it was moved with incident storage migrate --to s3, with storage.s3 set.`,
    );
  const out = path.resolve(req.out);
  const result =
    name === 'tree'
      ? await exportDirectory(req, copy, localFolder(roundDir), out, described)
      : await exportFile(req, copy, stored, name.endsWith(SEALED_SUFFIX), out, described);
  return { ...result, auditSeq: copy.seq, coveredBy };
}

/** Where a copy recorded on disk is looked for on this machine: the worker's absolute path may be mounted elsewhere here. */
function onDisk(req: ExportRequest, copy: Collected) {
  const roundDir = path.join(req.config.dataDir, 'evidence', req.incidentId, req.system, `round-${copy.round}`);
  const name = path.basename(copy.location);
  if (!['image.bin', `image.bin${SEALED_SUFFIX}`, 'tree'].includes(name))
    throw refused(`The audit trail records an unexpected stored copy ${copy.location}.`);
  return { roundDir, name, stored: path.join(roundDir, name) };
}

/** The trail's location, or, for a copy on disk that is not here, where storage migrate put it in the bucket. */
async function copyLocation(req: ExportRequest, copy: Collected, described: string): Promise<string> {
  if (parseS3Location(copy.location) || (await exists(onDisk(req, copy).stored))) return copy.location;
  const round = { incidentId: req.incidentId, system: req.system, round: copy.round };
  return (await migratedLocation(req.config, req.env, round, described)) ?? copy.location;
}

async function exportFile(
  req: ExportRequest,
  copy: Collected,
  stored: string | StoredObject,
  encrypted: boolean,
  out: string,
  described: string,
): Promise<ExportResult> {
  await checkOut(out, 'file', req.force);
  const ring = encrypted ? keyRingForReading(req.env, req.config.dataDir, req.namespace) : undefined;
  const temp = path.join(path.dirname(out), `.${path.basename(out)}.partial-${randomBytes(4).toString('hex')}`);
  let written: { sha256: string; size: number; keyId?: string };
  try {
    written = await writeOriginal(stored, temp, ring);
    if (written.sha256 !== copy.sha256) {
      throw refused(
        `The copy of ${described} does not match its recorded hash: the audit trail records SHA-256 ${copy.sha256}, the stored copy gives ${written.sha256}. Nothing was written to ${out}.`,
      );
    }
    await chmod(temp, 0o400); // a forensic copy stays read-only, and readable by its owner only
    await rename(temp, out);
  } catch (err) {
    await rm(temp, { force: true });
    throw explain(err, described, out);
  }
  return {
    ok: true,
    incidentId: req.incidentId,
    system: req.system,
    round: copy.round,
    kind: 'file',
    out,
    sha256: written.sha256,
    sizeBytes: written.size,
    encrypted,
    ...(written.keyId ? { keyId: written.keyId } : {}),
  };
}

async function exportDirectory(
  req: ExportRequest,
  copy: Collected,
  folder: CopyFolder,
  out: string,
  described: string,
): Promise<ExportResult> {
  await checkOut(out, 'directory', req.force);
  const manifestText = await folder.text('MANIFEST.sha256');
  if (manifestText === undefined)
    throw refused(`The manifest of ${described} (${folder.where('MANIFEST.sha256')}) is missing.`);
  const manifestHash = createHash('sha256').update(manifestText).digest('hex');
  if (manifestHash !== copy.sha256)
    throw refused(
      `The manifest of ${described} does not match its recorded hash: the audit trail records SHA-256 ${copy.sha256}, the manifest gives ${manifestHash}. Nothing was written to ${out}.`,
    );
  const record = JSON.parse((await folder.text('evidence.json')) ?? '{}') as Partial<StoredEvidence>;
  const encrypted = record.encryption !== undefined;
  const ring = encrypted ? keyRingForReading(req.env, req.config.dataDir, req.namespace) : undefined;
  const entries = manifestText
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^([0-9a-f]{64}) {2}(\d+) {2}(.+)$/.exec(line);
      const rel = m?.[3] ?? '';
      if (!m || path.isAbsolute(rel) || rel.split('/').some((part) => part === '..' || part === ''))
        throw refused(
          `The manifest of ${described} has a line that is not "sha256  size  path": ${JSON.stringify(line)}.`,
        );
      return { sha256: m[1], rel };
    });
  const temp = path.join(path.dirname(out), `.${path.basename(out)}.partial-${randomBytes(4).toString('hex')}`);
  let total = 0;
  let keyId: string | undefined;
  try {
    await mkdir(temp, { mode: 0o700 });
    for (const entry of entries) {
      const dest = path.join(temp, ...entry.rel.split('/'));
      await mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
      const written = await writeOriginal(
        folder.file(`tree/${entry.rel}${encrypted ? SEALED_SUFFIX : ''}`),
        dest,
        ring,
      );
      if (written.sha256 !== entry.sha256)
        throw refused(
          `${entry.rel} in the copy of ${described} does not match the manifest: SHA-256 ${written.sha256} instead of ${entry.sha256}. Nothing was written to ${out}.`,
        );
      await chmod(dest, 0o400);
      total += written.size;
      keyId ??= written.keyId;
    }
    await rename(temp, out);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw explain(err, described, out);
  }
  return {
    ok: true,
    incidentId: req.incidentId,
    system: req.system,
    round: copy.round,
    kind: 'directory',
    out,
    sha256: copy.sha256,
    sizeBytes: total,
    encrypted,
    ...(keyId ? { keyId } : {}),
    files: entries.length,
  };
}

/** The reason a person reads: what went wrong with which file, and that nothing was left behind. */
function explain(err: unknown, described: string, out: string): Error {
  if (err instanceof CliProblem) return err;
  if (err instanceof AtRestError)
    return refused(`The copy of ${described} cannot be exported: ${err.message} Nothing was written to ${out}.`);
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC' || code === 'EROFS')
    return usage(`Cannot write ${out} (${code}); nothing was written.`);
  return err as Error;
}
