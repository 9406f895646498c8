import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SEALED_SUFFIX } from '../../platform/encryption/at-rest/format';
import type { ImportTally } from '../import-tally';
import { EvidenceError, type StoredEvidence } from '../evidence-record';
import { localCopies, type LocalCopy } from '../local-copies';
import { ManifestConflictError, type EvidenceManifests } from '../postgres/pg-evidence-manifests';
import type { LockedObjects } from './locked-objects';
import { evidenceRoundPrefix } from './s3-evidence-store';
import { s3Location } from './s3-objects';

// `incident storage migrate --to s3`, the forensic copies: each finished copy under the data dir goes to
// the bucket under the same relative keys the worker uses there (evidence/<incident>/<system>/round-<n>/),
// byte for byte as it is on disk, sealed copies still sealed (the seal binds no path, so they open there
// as they did here). Each object is a locked version, read back and compared before it counts, and the
// copy's record goes last, naming the new location and where it came from: a copy whose record is in the
// bucket is there whole, so a second run copies nothing, and a run cut short resumes the upload it left.
//
// The audit trail keeps the path the worker recorded; `incident evidence export` and `incident bundle`
// find the copy under that round's key in the bucket when the path is gone, and check it against the
// trail's hash as before. A plain copy is also checked here against its record (a sealed one can be
// only where the key ring is, at export).

export type S3ImportTally = ImportTally<'copies' | 'reports' | 'manifests', 'files' | 'bytes'>;

class NotMoved extends Error {}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function migrateEvidence(
  objects: LockedObjects,
  evidenceDir: string,
  tally: S3ImportTally,
  index: EvidenceManifests | undefined,
  now: () => Date = () => new Date(),
): Promise<void> {
  for await (const copy of localCopies(evidenceDir)) {
    if (!copy.record) {
      tally.problem({ item: copy.recordFile, problem: 'is not JSON; the copy was not moved' });
      continue;
    }
    const place = evidenceRoundPrefix(copy.incidentId, copy.system, copy.round);
    try {
      let record = await inBucket(objects, place);
      if (record) {
        if (record.sha256 !== copy.record.sha256)
          throw new NotMoved(
            `was not moved: ${s3Location(objects.bucket, place, undefined)} already holds a different copy (SHA-256 ${record.sha256}, here ${copy.record.sha256}). Compare the two before going on; nothing was written for it.`,
          );
        tally.count('copies', 'alreadyThere');
      } else {
        const location =
          copy.record.kind === 'directory'
            ? await moveDirectory(objects, place, copy, copy.record, tally)
            : await moveFile(objects, place, copy, copy.record, tally);
        record = { ...copy.record, location, migratedFrom: copy.record.location, migratedAt: now().toISOString() };
        await putChecked(objects, `${place}/evidence.json`, JSON.stringify(record, null, 2));
        tally.count('copies', 'copied');
      }
      if (index) tally.count('manifests', (await indexed(index, copy, record)) ? 'copied' : 'alreadyThere');
    } catch (err) {
      if (err instanceof NotMoved) tally.problem({ item: copy.dir, problem: err.message });
      else if (err instanceof EvidenceError)
        tally.problem({
          item: copy.dir,
          problem: `was not moved: ${err.message.replace(/; the copy will resume\.$/, '.')} Run the migration again: what reached the bucket is kept and resumed.`,
        });
      else throw err;
    }
  }
}

async function inBucket(objects: LockedObjects, place: string): Promise<StoredEvidence | undefined> {
  const text = await objects.getText(`${place}/evidence.json`);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as StoredEvidence;
  } catch {
    throw new NotMoved(
      `was not moved: ${s3Location(objects.bucket, `${place}/evidence.json`, undefined)} is there but is not a record. Look at it before going on.`,
    );
  }
}

/** One locked object from a local file, read back; a plain one must also give the hash its record says. */
async function moveOne(
  objects: LockedObjects,
  place: string,
  file: string,
  key: string,
  expected: { sha256: string; sizeBytes: number } | undefined,
  tally: S3ImportTally,
) {
  let written;
  try {
    written = await objects.write(
      key,
      `${place}/upload.json`,
      () => createReadStream(file, { highWaterMark: 1024 * 1024 }),
      {},
      true,
      file,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotMoved(`was not moved: ${file}, which its record names, is missing.`);
    throw err;
  }
  if (expected && (written.sha256 !== expected.sha256 || written.size !== expected.sizeBytes))
    throw new NotMoved(
      `was not moved: ${file} does not match its record (SHA-256 ${written.sha256}, ${written.size} bytes; the record says ${expected.sha256}, ${expected.sizeBytes} bytes). The version uploaded stays locked in the bucket with no record naming it; compare the copy with the audit trail (incident evidence export) before going on.`,
    );
  tally.add('files', 1);
  tally.add('bytes', written.size);
  return written;
}

async function moveFile(
  objects: LockedObjects,
  place: string,
  copy: LocalCopy,
  record: StoredEvidence,
  tally: S3ImportTally,
): Promise<string> {
  const name = `image.bin${record.encryption ? SEALED_SUFFIX : ''}`;
  const key = `${place}/${name}`;
  const expected = record.encryption ? undefined : record;
  const written = await moveOne(objects, place, path.join(copy.dir, name), key, expected, tally);
  return s3Location(objects.bucket, key, written.versionId);
}

async function moveDirectory(
  objects: LockedObjects,
  place: string,
  copy: LocalCopy,
  record: StoredEvidence,
  tally: S3ImportTally,
): Promise<string> {
  const manifestFile = path.join(copy.dir, 'MANIFEST.sha256');
  const manifestText = await readFile(manifestFile, 'utf8').catch(() => undefined);
  if (manifestText === undefined || sha256(manifestText) !== record.sha256)
    throw new NotMoved(
      `was not moved: ${manifestFile} is ${manifestText === undefined ? 'missing' : `not the manifest its record names (SHA-256 ${sha256(manifestText)}, the record says ${record.sha256})`}. Compare the copy with the audit trail (incident evidence export) before going on.`,
    );
  const suffix = record.encryption ? SEALED_SUFFIX : '';
  for (const entry of record.manifest ?? []) {
    if (entry.path.split('/').some((part) => part === '..' || part === ''))
      throw new NotMoved(`was not moved: its record names a file outside the copy (${JSON.stringify(entry.path)}).`);
    const file = path.join(copy.dir, 'tree', ...entry.path.split('/')) + suffix;
    await moveOne(objects, place, file, `${place}/tree/${entry.path}${suffix}`, suffix ? undefined : entry, tally);
  }
  await putChecked(objects, `${place}/MANIFEST.sha256`, manifestText);
  return `s3://${objects.bucket}/${place}/tree`;
}

/** A small locked object (a manifest, a record), read back before it counts. */
async function putChecked(objects: LockedObjects, key: string, text: string): Promise<void> {
  await objects.put(key, text, true);
  if ((await objects.getText(key)) !== text)
    throw new NotMoved(
      `was not moved: the bucket did not keep ${key} as written (read back differs). Run the migration again.`,
    );
}

/** The installation's index learns the copy in the bucket, unless it already knows that copy (same hash). */
async function indexed(index: EvidenceManifests, copy: LocalCopy, record: StoredEvidence): Promise<boolean> {
  try {
    return await index.record({ incidentId: copy.incidentId, system: copy.system, round: copy.round, record });
  } catch (err) {
    if (err instanceof ManifestConflictError) throw new NotMoved(`is in the bucket but not indexed: ${err.message}`);
    throw err;
  }
}
