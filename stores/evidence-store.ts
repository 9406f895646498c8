import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AtRestError, AtRestResumeMismatch } from '../platform/encryption/at-rest/errors';
import { atRestInfo, SEALED_SUFFIX, type SealHeader } from '../platform/encryption/at-rest/format';
import { readSealedPrefix } from '../platform/encryption/at-rest/sealed-prefix';
import { createSealStream, type SealOptions } from '../platform/encryption/at-rest/streams';
import type { KeyRing } from '../platform/encryption/key-ring';
import { copyDirectory } from './evidence-directory-copy';
import { hashFile, hashingStream, sha256OfStoredCopy } from './evidence-hashing';
import {
  EvidenceError,
  statEvidenceSource,
  type CopyHooks,
  type EvidenceCopier,
  type StoredEvidence,
} from './evidence-record';

// Byte-for-byte forensic copies. The SHA-256 is computed from the bytes as they are read, then the stored
// copy is read back and hashed again; the two must agree. Copies are made read-only once verified, and a
// copy interrupted by a worker crash resumes from what is already on disk instead of starting over.
//
// Encrypted at rest (a key ring given): the bytes are hashed as read, before sealing, so the recorded
// SHA-256 is still that of the original image; the stored copy is verified by opening it and hashing the
// plaintext. A sealed copy resumes after its last complete segment that authenticates, re-reading the
// source from the matching offset. A crash often leaves the next segment cut short (a write interrupted
// by SIGKILL or a power cut); that segment is sealed again under the same nonce, which is harmless only
// for the same plaintext, so its new bytes must equal the torn ones on disk. If they do not (the source
// changed), or a segment before the end is damaged, the copy starts over under a new file key.

const RECORD = 'evidence.json';

type SealedWith = Pick<SealHeader, 'keyId' | 'segmentBytes'>;

async function makeReadOnly(target: string): Promise<void> {
  const info = await stat(target);
  if (info.isDirectory()) {
    for (const entry of await readdir(target)) await makeReadOnly(path.join(target, entry));
    await chmod(target, 0o555);
  } else {
    await chmod(target, 0o444);
  }
}

export class EvidenceStore implements EvidenceCopier {
  /** With `atRest`, every copy is encrypted with the ring's active key. */
  constructor(
    private readonly root: string,
    private readonly atRest?: KeyRing,
  ) {}

  get encryptsAtRest(): boolean {
    return this.atRest !== undefined;
  }

  /** The stored file's name: image.bin, or image.bin.enc when encrypted at rest. */
  private imageFile(dir: string): string {
    return path.join(dir, `image.bin${this.atRest ? SEALED_SUFFIX : ''}`);
  }

  /** A partial copy of the other kind (encryption switched on or off since the crash) must not linger. */
  private async dropOtherPartial(dir: string): Promise<void> {
    await rm(path.join(dir, `image.bin${this.atRest ? '' : SEALED_SUFFIX}.partial`), { force: true });
  }

  /** Plaintext → (sealing, when at rest) → file. */
  private sealing(options: SealOptions): Transform[] {
    return this.atRest ? [createSealStream(this.atRest, options)] : [];
  }

  dirFor(incidentId: string, system: string, round: number): string {
    return path.join(this.root, incidentId, system, `round-${round}`);
  }

  /** A copy that finished earlier (its activity result may have been lost in a crash) is returned as it is. */
  async existing(dir: string): Promise<StoredEvidence | undefined> {
    try {
      return JSON.parse(await readFile(path.join(dir, RECORD), 'utf8')) as StoredEvidence;
    } catch {
      return undefined;
    }
  }

  async copyFromPath(dir: string, source: string, hooks: CopyHooks = {}): Promise<StoredEvidence> {
    const done = await this.existing(dir);
    if (done) return done;
    const info = await statEvidenceSource(source);
    const startedAt = new Date().toISOString();
    await mkdir(dir, { recursive: true });
    if (info.isDirectory()) return this.finish(dir, await copyDirectory(dir, source, startedAt, hooks, this.atRest));
    if (!info.isFile() && !info.isBlockDevice())
      throw new EvidenceError(`Evidence source ${source} is neither a file, a directory nor a block device.`, true);
    const kind = info.isBlockDevice() ? 'block-device' : 'file';
    const target = this.imageFile(dir);
    const partial = `${target}.partial`;
    await this.dropOtherPartial(dir);
    if (this.atRest)
      return this.copySealedFile(dir, target, partial, source, info.size, { source, kind, startedAt }, hooks);
    // Resume: what is already in the partial file was copied from the same source, so hash it and go on.
    let resumeAt = 0;
    let hash = createHash('sha256');
    try {
      const partialSize = (await stat(partial)).size;
      if (kind === 'file' && partialSize <= info.size) {
        ({ hash, size: resumeAt } = await hashFile(partial, partialSize));
      } else {
        await truncate(partial, 0);
      }
    } catch {
      /* no partial copy yet */
    }
    await pipeline(
      createReadStream(source, { start: resumeAt, signal: hooks.signal }),
      hashingStream(hash, { start: resumeAt, onProgress: hooks.onProgress }),
      createWriteStream(partial, { flags: resumeAt > 0 ? 'r+' : 'w', start: resumeAt, mode: 0o640 }),
    );
    return this.verifyAndSeal(dir, target, partial, hash.digest('hex'), { source, kind, startedAt });
  }

  /** The encrypted copy of a file or block device, resumed where the crash left it when that is sound. */
  private async copySealedFile(
    dir: string,
    target: string,
    partial: string,
    source: string,
    sourceSize: number,
    meta: Pick<StoredEvidence, 'source' | 'kind' | 'startedAt'>,
    hooks: CopyHooks,
    fresh = false,
  ): Promise<StoredEvidence> {
    const ring = this.atRest!;
    let hash = createHash('sha256');
    // A block device's partial copy is not resumed (as for plaintext): its size says nothing of what changed.
    const prefix =
      meta.kind === 'file' && !fresh ? await readSealedPrefix(partial, ring, (plain) => hash.update(plain)) : undefined;
    if (prefix?.finished && prefix.tornBytes === 0) {
      // The sealing had finished; only the verification and the rename were lost.
      return this.verifyAndSeal(dir, target, partial, hash.digest('hex'), meta, prefix.header);
    }
    // Resumable: a good prefix, then nothing or one segment cut short (which the seal stream must rewrite
    // with the very same bytes). Anything else (a damaged segment, a source now shorter) starts over.
    const resumable =
      prefix !== undefined &&
      !prefix.finished &&
      (prefix.tornBytes === 0 || prefix.tornTail !== undefined) &&
      prefix.plainBytes <= sourceSize;
    if (!resumable) hash = createHash('sha256');
    const resumeAt = resumable ? prefix.plainBytes : 0;
    const sealer = createSealStream(ring, {
      file: partial,
      ...(resumable
        ? { continueAfter: { header: prefix.header, segments: prefix.segments, tornTail: prefix.tornTail } }
        : {}),
    });
    try {
      await pipeline(
        createReadStream(source, { start: resumeAt, signal: hooks.signal, highWaterMark: 1024 * 1024 }),
        hashingStream(hash, { start: resumeAt, onProgress: hooks.onProgress }),
        sealer,
        createWriteStream(partial, {
          flags: resumable ? 'r+' : 'w',
          start: resumable ? prefix.sealedBytes : 0,
          mode: 0o640,
        }),
      );
    } catch (err) {
      // The source changed under the torn segment: sealing it again would reuse its nonce for other bytes.
      if (err instanceof AtRestResumeMismatch)
        return this.copySealedFile(dir, target, partial, source, sourceSize, meta, hooks, true);
      throw err;
    }
    return this.verifyAndSeal(dir, target, partial, hash.digest('hex'), meta, sealer.header);
  }

  async copyFromStream(
    dir: string,
    source: string,
    produce: (sink: NodeJS.WritableStream) => Promise<void>,
    hooks: CopyHooks = {},
  ): Promise<StoredEvidence> {
    const done = await this.existing(dir);
    if (done) return done;
    const startedAt = new Date().toISOString();
    await mkdir(dir, { recursive: true });
    const target = this.imageFile(dir);
    const partial = `${target}.partial`;
    await this.dropOtherPartial(dir);
    const hash = createHash('sha256');
    const counter = hashingStream(hash, { onProgress: hooks.onProgress });
    const sealing = this.sealing({ file: partial });
    const sink = createWriteStream(partial, { flags: 'w', mode: 0o640 });
    const writing = pipeline([counter as unknown as Readable, ...sealing, sink]);
    try {
      await produce(counter);
    } finally {
      counter.end();
    }
    await writing;
    const header = (sealing[0] as ReturnType<typeof createSealStream> | undefined)?.header;
    return this.verifyAndSeal(
      dir,
      target,
      partial,
      hash.digest('hex'),
      { source, kind: 'command-output', startedAt },
      header,
    );
  }

  private async verifyAndSeal(
    dir: string,
    target: string,
    partial: string,
    streamedHash: string,
    meta: Pick<StoredEvidence, 'source' | 'kind' | 'startedAt'>,
    sealedWith?: SealedWith,
  ): Promise<StoredEvidence> {
    const handle = await open(partial, 'r');
    await handle.sync();
    await handle.close();
    let storedHash: string;
    let size: number;
    try {
      ({ sha256: storedHash, size } = await sha256OfStoredCopy(partial, this.atRest));
    } catch (err) {
      if (!(err instanceof AtRestError)) throw err;
      await rm(partial, { force: true });
      throw new EvidenceError(
        `The stored copy of ${meta.source} does not open: ${err.message} The copy was discarded and will be taken again.`,
        false,
      );
    }
    if (storedHash !== streamedHash) {
      await rm(partial, { force: true });
      throw new EvidenceError(
        `The stored copy of ${meta.source} does not match the bytes read (read ${streamedHash}, stored ${storedHash}); the copy was discarded and will be taken again.`,
        false,
      );
    }
    await rename(partial, target);
    return this.finish(dir, {
      ...meta,
      location: target,
      sha256: storedHash,
      sizeBytes: size,
      finishedAt: new Date().toISOString(),
      ...(sealedWith ? { encryption: atRestInfo(sealedWith) } : {}),
    });
  }

  private async finish(dir: string, record: StoredEvidence): Promise<StoredEvidence> {
    await writeFile(path.join(dir, RECORD), JSON.stringify(record, null, 2));
    await makeReadOnly(dir);
    return record;
  }
}
