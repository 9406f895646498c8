import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// Byte-for-byte forensic copies. The SHA-256 is computed from the bytes as they are read, then the stored
// copy is read back and hashed again; the two must agree. Copies are made read-only once verified, and a
// copy interrupted by a worker crash resumes from what is already on disk instead of starting over.

export interface StoredEvidence {
  location: string;
  sha256: string;
  sizeBytes: number;
  startedAt: string;
  finishedAt: string;
  source: string;
  kind: 'file' | 'block-device' | 'directory' | 'command-output';
  /** Per-file hashes for a directory copy; the record's sha256 is the hash of this manifest. */
  manifest?: { path: string; sha256: string; sizeBytes: number }[];
}

export class EvidenceError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'EvidenceError';
  }
}

export interface CopyHooks {
  /** Called as bytes are stored; the activity turns this into heartbeats. */
  onProgress?: (bytesStored: number) => void;
  signal?: AbortSignal;
}

const RECORD = 'evidence.json';

function progressCounter(start: number, hash: Hash, hooks: CopyHooks): Transform {
  let total = start;
  let lastReport = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      total += chunk.length;
      const now = Date.now();
      if (now - lastReport > 500) {
        lastReport = now;
        hooks.onProgress?.(total);
      }
      cb(null, chunk);
    },
    flush(cb) {
      hooks.onProgress?.(total);
      cb();
    },
  });
}

async function hashFile(file: string, limit?: number): Promise<{ hash: Hash; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  if (limit === 0) return { hash, size };
  const stream = createReadStream(file, limit === undefined ? {} : { start: 0, end: limit - 1 });
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash, size };
}

export async function sha256OfFile(file: string): Promise<string> {
  return (await hashFile(file)).hash.digest('hex');
}

async function makeReadOnly(target: string): Promise<void> {
  const info = await stat(target);
  if (info.isDirectory()) {
    for (const entry of await readdir(target)) await makeReadOnly(path.join(target, entry));
    await chmod(target, 0o555);
  } else {
    await chmod(target, 0o444);
  }
}

export class EvidenceStore {
  constructor(private readonly root: string) {}

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
    let info;
    try {
      info = await stat(source);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new EvidenceError(
        code === 'ENOENT' ? `Evidence source ${source} does not exist on the worker; fix the system's evidence path or record a manual copy.` : `Cannot read evidence source ${source} (${code}).`,
        true,
      );
    }
    const startedAt = new Date().toISOString();
    await mkdir(dir, { recursive: true });
    if (info.isDirectory()) return this.finish(dir, await this.copyDirectory(dir, source, startedAt, hooks));
    if (!info.isFile() && !info.isBlockDevice()) throw new EvidenceError(`Evidence source ${source} is neither a file, a directory nor a block device.`, true);
    const kind = info.isBlockDevice() ? 'block-device' : 'file';
    const target = path.join(dir, 'image.bin');
    const partial = `${target}.partial`;
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
      progressCounter(resumeAt, hash, hooks),
      createWriteStream(partial, { flags: resumeAt > 0 ? 'r+' : 'w', start: resumeAt, mode: 0o640 }),
    );
    return this.verifyAndSeal(dir, target, partial, hash.digest('hex'), { source, kind, startedAt });
  }

  async copyFromStream(dir: string, source: string, produce: (sink: NodeJS.WritableStream) => Promise<void>, hooks: CopyHooks = {}): Promise<StoredEvidence> {
    const done = await this.existing(dir);
    if (done) return done;
    const startedAt = new Date().toISOString();
    await mkdir(dir, { recursive: true });
    const target = path.join(dir, 'image.bin');
    const partial = `${target}.partial`;
    const hash = createHash('sha256');
    const counter = progressCounter(0, hash, hooks);
    const sink = createWriteStream(partial, { flags: 'w', mode: 0o640 });
    const writing = pipeline(counter as unknown as Readable, sink);
    try {
      await produce(counter);
    } finally {
      counter.end();
    }
    await writing;
    return this.verifyAndSeal(dir, target, partial, hash.digest('hex'), { source, kind: 'command-output', startedAt });
  }

  private async verifyAndSeal(
    dir: string,
    target: string,
    partial: string,
    streamedHash: string,
    meta: Pick<StoredEvidence, 'source' | 'kind' | 'startedAt'>,
  ): Promise<StoredEvidence> {
    const handle = await open(partial, 'r');
    await handle.sync();
    await handle.close();
    const { hash, size } = await hashFile(partial);
    const storedHash = hash.digest('hex');
    if (storedHash !== streamedHash) {
      await rm(partial, { force: true });
      throw new EvidenceError(`The stored copy of ${meta.source} does not match the bytes read (read ${streamedHash}, stored ${storedHash}); the copy was discarded and will be taken again.`, false);
    }
    await rename(partial, target);
    return this.finish(dir, { ...meta, location: target, sha256: storedHash, sizeBytes: size, finishedAt: new Date().toISOString() });
  }

  private async copyDirectory(dir: string, source: string, startedAt: string, hooks: CopyHooks): Promise<StoredEvidence> {
    const treeDir = path.join(dir, 'tree');
    await rm(treeDir, { recursive: true, force: true });
    const manifest: NonNullable<StoredEvidence['manifest']> = [];
    let total = 0;
    const walk = async (rel: string): Promise<void> => {
      const entries = (await readdir(path.join(source, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
      await mkdir(path.join(treeDir, rel), { recursive: true });
      for (const entry of entries) {
        const relPath = path.join(rel, entry.name);
        if (entry.isDirectory()) await walk(relPath);
        else if (entry.isFile()) {
          const hash = createHash('sha256');
          await pipeline(createReadStream(path.join(source, relPath), { signal: hooks.signal }), progressCounter(total, hash, hooks), createWriteStream(path.join(treeDir, relPath), { mode: 0o640 }));
          const sha256 = hash.digest('hex');
          const stored = await sha256OfFile(path.join(treeDir, relPath));
          if (stored !== sha256) throw new EvidenceError(`The stored copy of ${relPath} does not match the bytes read.`, false);
          const sizeBytes = (await stat(path.join(treeDir, relPath))).size;
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
    };
  }

  private async finish(dir: string, record: StoredEvidence): Promise<StoredEvidence> {
    await writeFile(path.join(dir, RECORD), JSON.stringify(record, null, 2));
    await makeReadOnly(dir);
    return record;
  }
}
