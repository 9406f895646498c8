import { Transform, type TransformCallback } from 'node:stream';
import type { KeyRing } from '../key-ring';
import { ByteQueue } from './byte-queue';
import { AtRestIntegrityError, AtRestResumeMismatch } from './errors';
import { MAX_HEADER, newSealHeader, parseHeader, type SealHeader } from './format';
import { SegmentCipher } from './segment-cipher';

// Sealing and opening as streams, so that a multi-GiB disk image passes through in constant memory.

export interface SealOptions {
  segmentBytes?: number;
  /**
   * Append to a file whose header and first `segments` segments are already on disk (a resumed copy).
   * `tornTail`: the start of the next segment as a crash left it. The output must begin with exactly those
   * bytes (the same plaintext at the same place), else AtRestResumeMismatch: a nonce is never reused for
   * other plaintext.
   */
  continueAfter?: { header: SealHeader; segments: number; tornTail?: Buffer };
  /**
   * Seal from the start again under this header: a resumed upload regenerates the bytes it already sent,
   * identical for the same plaintext, to compare them with the parts stored (stores/s3/).
   */
  header?: SealHeader;
  /** Named in errors. */
  file?: string;
}

export type SealStream = Transform & { readonly header: SealHeader };

/** Plaintext in, sealed file out (header included unless continuing one). Memory: about one segment. */
export function createSealStream(ring: KeyRing, opts: SealOptions = {}): SealStream {
  const header = opts.continueAfter?.header ?? opts.header ?? newSealHeader(ring, opts.segmentBytes);
  const cipher = new SegmentCipher(ring, header, opts.file ?? 'the encrypted file');
  const queue = new ByteQueue();
  let index = opts.continueAfter?.segments ?? 0;
  let headerSent = opts.continueAfter !== undefined;
  let mustRepeat = opts.continueAfter?.tornTail ?? Buffer.alloc(0);
  const size = header.segmentBytes;
  const sealed = (out: Buffer): Buffer => {
    if (mustRepeat.length > 0) {
      const n = Math.min(mustRepeat.length, out.length);
      if (!out.subarray(0, n).equals(mustRepeat.subarray(0, n)))
        throw new AtRestResumeMismatch(opts.file ?? 'the encrypted file');
      mustRepeat = mustRepeat.subarray(n);
    }
    return out;
  };
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        if (!headerSent) {
          this.push(header.bytes);
          headerSent = true;
        }
        queue.push(chunk);
        // A full segment is sealed only once a byte beyond it exists, so that it is known not to be the last.
        while (queue.length > size) this.push(sealed(cipher.seal(index++, queue.take(size), false)));
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        if (!headerSent) this.push(header.bytes);
        this.push(sealed(cipher.seal(index++, queue.take(queue.length), true)));
        // Ending before the torn bytes were all repeated means the source shrank: not the same bytes either.
        if (mustRepeat.length > 0) throw new AtRestResumeMismatch(opts.file ?? 'the encrypted file');
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  return Object.assign(stream, { header });
}

/** Sealed file in, plaintext out; a segment's plaintext is released only after it authenticates. */
export function createUnsealStream(ring: KeyRing, file: string, onHeader?: (header: SealHeader) => void): Transform {
  const queue = new ByteQueue();
  let cipher: SegmentCipher | undefined;
  let index = 0;
  let offset = 0;
  const readHeader = (complete: boolean): boolean => {
    const parsed = parseHeader(queue.peek(MAX_HEADER), file, complete);
    if (parsed === 'short') return false;
    cipher = new SegmentCipher(ring, parsed, file);
    queue.take(parsed.bytes.length);
    offset = parsed.bytes.length;
    onHeader?.(parsed);
    return true;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        queue.push(chunk);
        if (!cipher && !readHeader(false)) return cb();
        const sealedSize = cipher!.sealedSegmentBytes;
        while (queue.length > sealedSize) {
          const sealed = queue.take(sealedSize);
          this.push(cipher!.open(index++, sealed, false, offset));
          offset += sealedSize;
        }
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        if (!cipher) readHeader(true);
        if (queue.length === 0 && index === 0)
          throw new AtRestIntegrityError(file, 0, 'is missing: the file holds only a header (truncated)');
        this.push(cipher!.open(index, queue.take(queue.length), true, offset));
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}
