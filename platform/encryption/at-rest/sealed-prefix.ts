import { open } from 'node:fs/promises';
import type { KeyRing } from '../key-ring';
import { MAX_HEADER, parseHeader, type SealHeader } from './format';
import { SegmentCipher } from './segment-cipher';

// Where a sealing interrupted by a crash can go on from: how much of the partial file still authenticates.

/** What a crashed sealing left on disk: the header and the segments that authenticate, in order. */
export interface SealedPrefix {
  header: SealHeader;
  /** Segments that authenticate as not-last, from the start. */
  segments: number;
  /** File bytes they and the header take. */
  sealedBytes: number;
  plainBytes: number;
  /** The segment after them authenticates as the last one: the sealing had finished. */
  finished: boolean;
  /** Bytes after the good prefix (a segment cut short or damaged). */
  tornBytes: number;
  /** Those bytes, when they are less than one sealed segment: the segment being written when the crash came. */
  tornTail?: Buffer;
}

/**
 * Reads a partly written sealed file from the start, giving the plaintext of every good segment to
 * `onPlain` in order. Undefined when there is no usable header (missing file, not this format, or a key
 * no longer in the ring): the caller then starts over.
 */
export async function readSealedPrefix(
  file: string,
  ring: KeyRing,
  onPlain: (plain: Buffer) => void,
): Promise<SealedPrefix | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(Math.min(size, MAX_HEADER));
    await handle.read(head, 0, head.length, 0);
    let header: SealHeader;
    let cipher: SegmentCipher;
    try {
      const parsed = parseHeader(head, file, true);
      if (parsed === 'short') return undefined;
      header = parsed;
      cipher = new SegmentCipher(ring, header, file);
    } catch {
      return undefined;
    }
    const step = cipher.sealedSegmentBytes;
    const buf = Buffer.alloc(step);
    let at = header.bytes.length;
    let segments = 0;
    let plainBytes = 0;
    let finished = false;
    while (at < size) {
      const n = Math.min(step, size - at);
      await handle.read(buf, 0, n, at);
      const sealed = buf.subarray(0, n);
      if (n === step) {
        const plain = cipher.tryOpen(segments, sealed, false);
        if (plain) {
          onPlain(plain);
          segments++;
          plainBytes += plain.length;
          at += n;
          continue;
        }
      }
      // Only the file's very end may be the last segment (a finished sealing whose rename was lost).
      const last = at + n === size ? cipher.tryOpen(segments, sealed, true) : undefined;
      if (last) {
        onPlain(last);
        plainBytes += last.length;
        at += n;
        finished = true;
      }
      break;
    }
    const tornBytes = size - at;
    const tornTail = tornBytes > 0 && tornBytes < step ? Buffer.from(buf.subarray(0, tornBytes)) : undefined;
    return { header, segments, sealedBytes: at, plainBytes, finished, tornBytes, ...(tornTail ? { tornTail } : {}) };
  } finally {
    await handle.close();
  }
}
