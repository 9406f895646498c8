import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createUnsealStream } from '../platform/encryption/at-rest/streams';
import type { KeyRing } from '../platform/encryption/key-ring';

// The SHA-256 of evidence: of bytes as they stream past, of a stored file, and of the original bytes a
// sealed file holds, which is the hash the custody record keeps.

/**
 * Passes bytes through, adding them to `hash` and counting them from `start` (a resumed copy's hash and
 * size so far); reports the count at most twice a second. `bytes()` is the count so far.
 */
export function hashingStream(
  hash: Hash,
  { start = 0, onProgress }: { start?: number; onProgress?: (bytes: number) => void } = {},
): Transform & { bytes(): number } {
  let total = start;
  let lastReport = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      total += chunk.length;
      const now = Date.now();
      if (onProgress && now - lastReport > 500) {
        lastReport = now;
        onProgress(total);
      }
      cb(null, chunk);
    },
    flush(cb) {
      onProgress?.(total);
      cb();
    },
  });
  return Object.assign(stream, { bytes: () => total });
}

/** The hash and size of a file, or of its first `limit` bytes. */
export async function hashFile(file: string, limit?: number): Promise<{ hash: Hash; size: number }> {
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

/** SHA-256 and size of the plaintext of a sealed file; throws AtRestError when it does not open. */
export async function sha256OfSealedFile(file: string, ring: KeyRing): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const hasher = hashingStream(hash);
  await pipeline(
    createReadStream(file, { highWaterMark: 1024 * 1024 }),
    createUnsealStream(ring, file),
    hasher,
    async (plain: AsyncIterable<Buffer>) => {
      for await (const _chunk of plain); // drained: the hasher has seen every byte
    },
  );
  return { sha256: hash.digest('hex'), size: hasher.bytes() };
}

/** The hash and size of the original bytes a stored file holds: decrypted first when sealed (`atRest`). */
export async function sha256OfStoredCopy(
  file: string,
  atRest: KeyRing | undefined,
): Promise<{ sha256: string; size: number }> {
  if (atRest) return sha256OfSealedFile(file, atRest);
  const { hash, size } = await hashFile(file);
  return { sha256: hash.digest('hex'), size };
}
