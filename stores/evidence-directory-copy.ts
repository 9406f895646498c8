import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AtRestError } from '../platform/encryption/at-rest/errors';
import {
  atRestInfo,
  DEFAULT_SEGMENT_BYTES,
  SEALED_SUFFIX,
  type SealHeader,
} from '../platform/encryption/at-rest/format';
import { createSealStream } from '../platform/encryption/at-rest/streams';
import type { KeyRing } from '../platform/encryption/key-ring';
import { hashingStream, sha256OfStoredCopy } from './evidence-hashing';
import { EvidenceError, type CopyHooks, type StoredEvidence } from './evidence-record';

// A directory source is copied file by file into tree/ under the copy's folder, each file checked as a
// single file is; MANIFEST.sha256 lists every file's hash, and the record's hash is that of the manifest.

/** Copies `source` into `dir`/tree; with `atRest`, each file is sealed on its own as <name>.enc. */
export async function copyDirectory(
  dir: string,
  source: string,
  startedAt: string,
  hooks: CopyHooks,
  atRest: KeyRing | undefined,
): Promise<StoredEvidence> {
  const treeDir = path.join(dir, 'tree');
  await rm(treeDir, { recursive: true, force: true });
  const manifest: NonNullable<StoredEvidence['manifest']> = [];
  let total = 0;
  let header: Pick<SealHeader, 'keyId' | 'segmentBytes'> | undefined;
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(path.join(source, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    await mkdir(path.join(treeDir, rel), { recursive: true });
    for (const entry of entries) {
      const relPath = path.join(rel, entry.name);
      if (entry.isDirectory()) await walk(relPath);
      else if (entry.isFile()) {
        const hash = createHash('sha256');
        // Encrypted at rest, each file is stored as <name>.enc; the manifest names the original files.
        const storedFile = path.join(treeDir, relPath) + (atRest ? SEALED_SUFFIX : '');
        const sealing = atRest ? [createSealStream(atRest, { file: storedFile })] : [];
        await pipeline([
          createReadStream(path.join(source, relPath), { signal: hooks.signal }),
          hashingStream(hash, { start: total, onProgress: hooks.onProgress }),
          ...sealing,
          createWriteStream(storedFile, { mode: 0o640 }),
        ]);
        if (sealing.length) header = (sealing[0] as ReturnType<typeof createSealStream>).header;
        const sha256 = hash.digest('hex');
        let stored: { sha256: string; size: number };
        try {
          stored = await sha256OfStoredCopy(storedFile, atRest);
        } catch (err) {
          if (err instanceof AtRestError)
            throw new EvidenceError(`The stored copy of ${relPath} does not open: ${err.message}`, false);
          throw err;
        }
        if (stored.sha256 !== sha256)
          throw new EvidenceError(`The stored copy of ${relPath} does not match the bytes read.`, false);
        const sizeBytes = stored.size;
        total += sizeBytes;
        manifest.push({ path: relPath.split(path.sep).join('/'), sha256, sizeBytes });
      }
    }
  };
  await walk('');
  const manifestText = manifest.map((m) => `${m.sha256}  ${m.sizeBytes}  ${m.path}`).join('\n') + '\n';
  await writeFile(path.join(dir, 'MANIFEST.sha256'), manifestText);
  return {
    source,
    kind: 'directory',
    startedAt,
    location: treeDir,
    sha256: createHash('sha256').update(manifestText).digest('hex'),
    sizeBytes: total,
    finishedAt: new Date().toISOString(),
    manifest,
    ...(atRest
      ? { encryption: atRestInfo(header ?? { keyId: atRest.activeKeyId, segmentBytes: DEFAULT_SEGMENT_BYTES }) }
      : {}),
  };
}
