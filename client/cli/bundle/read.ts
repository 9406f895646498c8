import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { list as listTar } from 'tar';
import { BUNDLE_FILES, isEvidencePayload, type BundleContents, type BundleFile } from '../../../domain/bundle-layout';
import { CliProblem } from '../problem';

// A case bundle read as it arrived, a tar or a directory, into one view: each file's SHA-256, and the
// bytes of all but the evidence payloads (which may be large, so they are hashed as they stream).
// Nothing is extracted: a tar is read entry by entry, and an entry that is not a plain file (a link
// that could point outside) is only named, never followed.

/** Hashes a stream, keeping its bytes unless it is an evidence payload. */
async function readEntry(stream: AsyncIterable<Buffer>, keep: boolean): Promise<BundleFile> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
    if (keep) chunks.push(chunk);
  }
  return { sha256: hash.digest('hex'), size, ...(keep ? { bytes: Buffer.concat(chunks) } : {}) };
}

/** A tar that ends without its two zero blocks was cut short on a block boundary, which tar itself does not notice. */
async function endsLikeTar(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return true; // gzip: its own checksum catches a cut
    if (size < 1024 || size % 512 !== 0) return false;
    const tail = Buffer.alloc(1024);
    await handle.read(tail, 0, 1024, size - 1024);
    return tail.every((b) => b === 0);
  } finally {
    await handle.close();
  }
}

/** Whether to keep a file's bytes: not for an evidence payload, with or without the tar's top folder. */
const keepBytes = (name: string) => !isEvidencePayload(name) && !isEvidencePayload(name.replace(/^[^/]+\//, ''));

interface RawBundle {
  raw: Map<string, BundleFile>;
  strays: string[];
  twice?: string[];
}

async function readTar(file: string): Promise<RawBundle> {
  const raw = new Map<string, BundleFile>();
  const strays: string[] = [];
  const seen = new Set<string>();
  const twice: string[] = [];
  const pending: Promise<void>[] = [];
  try {
    await listTar({
      file,
      strict: true,
      onReadEntry: (entry) => {
        const name = entry.path.replace(/^\.\//, '');
        if (entry.type === 'Directory') return entry.resume();
        if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
          strays.push(name);
          return entry.resume();
        }
        if (seen.has(name)) twice.push(name);
        seen.add(name);
        pending.push(readEntry(entry, keepBytes(name)).then((read) => void raw.set(name, read)));
      },
    });
    await Promise.all(pending);
  } catch (err) {
    throw notABundle(file, `it is not a tar archive, or a damaged one (${(err as Error).message})`);
  }
  if (!(await endsLikeTar(file))) throw notABundle(file, 'the tar archive was cut short');
  return { raw, strays, twice };
}

const notABundle = (file: string, why: string) =>
  new CliProblem('refused', `${file} is not a case bundle: ${why}. Make one with: incident bundle ID --out case.tar`);

/** The bundle's files relative to its root: a tar holds them under one folder (`INC-1/…`) or at its top. */
function rooted(file: string, { raw, strays, twice = [] }: RawBundle): BundleContents {
  const names = [...raw.keys()];
  let prefix = '';
  if (!raw.has(BUNDLE_FILES.trail) && !raw.has(BUNDLE_FILES.sums)) {
    const top = names[0]?.split('/')[0];
    if (top && names.every((n) => n.startsWith(`${top}/`))) prefix = `${top}/`;
  }
  const files = new Map<string, BundleFile>();
  for (const [name, read] of raw) files.set(name.slice(prefix.length), read);
  if (!files.has(BUNDLE_FILES.trail) && !files.has(BUNDLE_FILES.sums))
    throw notABundle(file, 'it holds neither trail.jsonl nor SHA256SUMS');
  const inside = (names: string[]) => names.map((n) => n.slice(prefix.length));
  return { files, strays: inside(strays), twice: inside(twice) };
}

async function readDirectory(root: string): Promise<RawBundle> {
  const raw = new Map<string, BundleFile>();
  const strays: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    for (const entry of entries) {
      const inside = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(inside);
      else if (!entry.isFile()) strays.push(inside);
      else {
        const stream = createReadStream(path.join(root, ...inside.split('/')), { highWaterMark: 1024 * 1024 });
        raw.set(inside, await readEntry(stream, !isEvidencePayload(inside)));
      }
    }
  };
  await walk('');
  return { raw, strays };
}

/** Reads a bundle: a directory, or a tar file (gzipped or not). */
export async function readBundle(where: string): Promise<BundleContents> {
  const info = await stat(where).catch((err: NodeJS.ErrnoException) => {
    throw new CliProblem(
      'usage',
      err.code === 'ENOENT'
        ? `${where} does not exist; name a case bundle (a .tar file or its folder).`
        : `Cannot read ${where} (${err.code}).`,
    );
  });
  return rooted(where, info.isDirectory() ? await readDirectory(where) : await readTar(where));
}
