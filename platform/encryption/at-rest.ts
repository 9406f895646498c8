import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import type { KeyRing } from './key-ring';

// Evidence copies and rendered reports encrypted at rest with the payload key ring: a streaming
// AES-256-GCM format, so a multi-GiB disk image is sealed and opened in constant memory.
//
//   header   "IRSEAL" · version 1 · segment size (uint32 BE, plaintext bytes) · key id length · key id
//            · 32-byte random salt · 7-byte random nonce prefix
//   segments the plaintext cut into segments of that size, each sealed as ciphertext ‖ 16-byte tag
//
// Each file has its own key, HKDF-SHA256(ring key, salt), so the nonces of different files never meet.
// Segment i is sealed with nonce = prefix ‖ uint32 BE i ‖ last-flag (0 or 1), and the whole header is
// the additional data of every segment. So a changed byte, a segment moved or copied from elsewhere, a
// file cut short (its last segment is not flagged last) or lengthened (data after the flagged one), and a
// header edited to name another key or segment size are all refused, naming the file and the segment.
// The last segment holds 0..size bytes and is the only one that may be short; an empty file is one
// empty last segment. The key id is stored, so any key of the ring opens what it sealed.

export const AT_REST_CIPHER = 'AES-256-GCM';
export const AT_REST_FORMAT = 'incident-at-rest/1';
/** Encrypted files carry this suffix, so nobody mistakes one for the plaintext it holds. */
export const SEALED_SUFFIX = '.enc';
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;

const MAGIC = Buffer.from('IRSEAL', 'ascii');
const VERSION = 1;
const SALT_BYTES = 32;
const PREFIX_BYTES = 7;
const TAG_BYTES = 16;
const MIN_SEGMENT = 16;
const MAX_SEGMENT = 64 * 1024 * 1024;
const MAX_SEGMENTS = 2 ** 32;
const FIXED_HEADER = MAGIC.length + 1 + 4 + 1; // magic, version, segment size, key id length
const MAX_HEADER = FIXED_HEADER + 255 + SALT_BYTES + PREFIX_BYTES;
const KDF_INFO = Buffer.from('incident-response at-rest v1 file key', 'ascii');

export interface SealHeader {
  keyId: string;
  segmentBytes: number;
  salt: Buffer;
  noncePrefix: Buffer;
  /** The encoded header: written first, and the additional data of every segment. */
  bytes: Buffer;
}

/** What a custody record says about an encrypted copy. */
export interface AtRestInfo {
  cipher: typeof AT_REST_CIPHER;
  format: typeof AT_REST_FORMAT;
  keyId: string;
  segmentBytes: number;
}

export const atRestInfo = (header: Pick<SealHeader, 'keyId' | 'segmentBytes'>): AtRestInfo => ({ cipher: AT_REST_CIPHER, format: AT_REST_FORMAT, keyId: header.keyId, segmentBytes: header.segmentBytes });

export class AtRestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AtRestError';
  }
}

export class AtRestKeyMissing extends AtRestError {
  constructor(
    readonly keyId: string,
    readonly file: string,
  ) {
    super(`${file} was encrypted at rest with key "${keyId}", which is not in the key ring. Add that key back (INCIDENT_PAYLOAD_KEYS, or keys/payload-keys under the data dir) to read it.`);
    this.name = 'AtRestKeyMissing';
  }
}

/** Not this format at all (or a version this code does not know). */
export class AtRestFormatError extends AtRestError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file} is not a readable encrypted file: ${problem}.`);
    this.name = 'AtRestFormatError';
  }
}

/**
 * A resumed sealing would rewrite the torn segment with different bytes: the source changed since the
 * first attempt, and sealing other plaintext under that segment's nonce would reuse the nonce.
 */
export class AtRestResumeMismatch extends AtRestError {
  constructor(readonly file: string) {
    super(`${file}: the source no longer gives the bytes of the segment cut short by the crash; the copy must start over.`);
    this.name = 'AtRestResumeMismatch';
  }
}

/** The file is of this format but was changed, cut short, lengthened or reordered. */
export class AtRestIntegrityError extends AtRestError {
  constructor(
    readonly file: string,
    readonly segment: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${segment === undefined ? '' : `, segment ${segment}`}: ${problem}. The file was tampered with or damaged; nothing read from it can be trusted.`);
    this.name = 'AtRestIntegrityError';
  }
}

function encodeHeader(keyId: string, segmentBytes: number, salt: Buffer, noncePrefix: Buffer): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  if (id.length < 1 || id.length > 255) throw new AtRestError(`Key id "${keyId}" must be 1 to 255 bytes.`);
  const fixed = Buffer.alloc(FIXED_HEADER);
  MAGIC.copy(fixed, 0);
  fixed.writeUInt8(VERSION, MAGIC.length);
  fixed.writeUInt32BE(segmentBytes, MAGIC.length + 1);
  fixed.writeUInt8(id.length, MAGIC.length + 5);
  return Buffer.concat([fixed, id, salt, noncePrefix]);
}

export function newSealHeader(ring: KeyRing, segmentBytes = DEFAULT_SEGMENT_BYTES): SealHeader {
  if (!Number.isInteger(segmentBytes) || segmentBytes < MIN_SEGMENT || segmentBytes > MAX_SEGMENT) throw new AtRestError(`Segment size ${segmentBytes} is outside ${MIN_SEGMENT}..${MAX_SEGMENT} bytes.`);
  const salt = randomBytes(SALT_BYTES);
  const noncePrefix = randomBytes(PREFIX_BYTES);
  return { keyId: ring.activeKeyId, segmentBytes, salt, noncePrefix, bytes: encodeHeader(ring.activeKeyId, segmentBytes, salt, noncePrefix) };
}

/** True when the bytes start like a sealed file (for a caller that must tell a sealed file from a plain one). */
export function looksSealed(start: Buffer): boolean {
  return start.length >= MAGIC.length && start.subarray(0, MAGIC.length).equals(MAGIC);
}

/** The header at the start of `buf`; 'short' when more bytes are needed to know. */
function parseHeader(buf: Buffer, file: string, complete: boolean): SealHeader | 'short' {
  const known = Math.min(buf.length, MAGIC.length);
  if (!buf.subarray(0, known).equals(MAGIC.subarray(0, known))) throw new AtRestFormatError(file, 'it does not start with the IRSEAL header');
  const truncated = () => {
    if (complete) throw new AtRestIntegrityError(file, undefined, buf.length === 0 ? 'the file is empty' : 'the file ends inside its header (truncated)');
    return 'short' as const;
  };
  if (buf.length < FIXED_HEADER) return truncated();
  const version = buf.readUInt8(MAGIC.length);
  if (version !== VERSION) throw new AtRestFormatError(file, `format version ${version} is not known to this program (it reads version ${VERSION})`);
  const segmentBytes = buf.readUInt32BE(MAGIC.length + 1);
  if (segmentBytes < MIN_SEGMENT || segmentBytes > MAX_SEGMENT) throw new AtRestIntegrityError(file, undefined, `the header's segment size ${segmentBytes} is impossible`);
  const idLength = buf.readUInt8(MAGIC.length + 5);
  if (idLength === 0) throw new AtRestIntegrityError(file, undefined, 'the header names no key');
  const length = FIXED_HEADER + idLength + SALT_BYTES + PREFIX_BYTES;
  if (buf.length < length) return truncated();
  const keyId = buf.subarray(FIXED_HEADER, FIXED_HEADER + idLength).toString('utf8');
  const salt = Buffer.from(buf.subarray(FIXED_HEADER + idLength, FIXED_HEADER + idLength + SALT_BYTES));
  const noncePrefix = Buffer.from(buf.subarray(length - PREFIX_BYTES, length));
  return { keyId, segmentBytes, salt, noncePrefix, bytes: Buffer.from(buf.subarray(0, length)) };
}

/** Seals and opens the segments of one file. */
class SegmentCipher {
  private readonly key: Buffer;

  constructor(
    ring: KeyRing,
    readonly header: SealHeader,
    readonly file: string,
  ) {
    const master = ring.keys.get(header.keyId);
    if (!master) throw new AtRestKeyMissing(header.keyId, file);
    this.key = Buffer.from(hkdfSync('sha256', master, header.salt, KDF_INFO, 32));
  }

  get sealedSegmentBytes(): number {
    return this.header.segmentBytes + TAG_BYTES;
  }

  private nonce(index: number, last: boolean): Buffer {
    if (index >= MAX_SEGMENTS) throw new AtRestError(`${this.file} would need more than 2^32 segments; use a larger segment size.`);
    const nonce = Buffer.alloc(12);
    this.header.noncePrefix.copy(nonce, 0);
    nonce.writeUInt32BE(index, PREFIX_BYTES);
    nonce.writeUInt8(last ? 1 : 0, 11);
    return nonce;
  }

  seal(index: number, plain: Buffer, last: boolean): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.key, this.nonce(index, last));
    cipher.setAAD(this.header.bytes);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }

  /** The plaintext, or undefined when the segment does not authenticate as segment `index` with that flag. */
  tryOpen(index: number, sealed: Buffer, last: boolean): Buffer | undefined {
    if (sealed.length < TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, this.nonce(index, last));
      decipher.setAAD(this.header.bytes);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
      decipher.final();
      return plain;
    } catch {
      return undefined;
    }
  }

  /** Opens a segment or says precisely why it cannot be trusted. */
  open(index: number, sealed: Buffer, last: boolean, offset: number): Buffer {
    const plain = this.tryOpen(index, sealed, last);
    if (plain) return plain;
    const where = `(file bytes ${offset}..${offset + sealed.length - 1})`;
    if (sealed.length < TAG_BYTES) throw new AtRestIntegrityError(this.file, index, `${where} is shorter than its authentication tag: the file was truncated`);
    if (this.tryOpen(index, sealed, !last)) {
      throw new AtRestIntegrityError(
        this.file,
        index,
        last ? `${where} is not the last segment, yet the file ends after it: the file was truncated` : `${where} is the last segment, yet more data follows it: bytes were appended`,
      );
    }
    throw new AtRestIntegrityError(this.file, index, `${where} does not authenticate: its bytes were changed, or it was moved from another position or another file`);
  }
}

/** A queue of buffers from which exact lengths are taken, copying only across chunk boundaries. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(n: number): Buffer {
    if (n > this.length) throw new RangeError('ByteQueue: not enough bytes');
    this.length -= n;
    if (n === 0) return Buffer.alloc(0);
    if (this.chunks[0].length === n) return this.chunks.shift()!;
    if (this.chunks[0].length > n) {
      const out = this.chunks[0].subarray(0, n);
      this.chunks[0] = this.chunks[0].subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const k = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, k);
      filled += k;
      if (k === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(k);
    }
    return out;
  }

  peek(n: number): Buffer {
    return Buffer.concat(this.chunks, Math.min(n, this.length));
  }
}

export interface SealOptions {
  segmentBytes?: number;
  /**
   * Append to a file whose header and first `segments` segments are already on disk (a resumed copy).
   * `tornTail`: the start of the next segment as a crash left it. The output must begin with exactly those
   * bytes (the same plaintext at the same place), else AtRestResumeMismatch: a nonce is never reused for
   * other plaintext.
   */
  continueAfter?: { header: SealHeader; segments: number; tornTail?: Buffer };
  /** Named in errors. */
  file?: string;
}

export type SealStream = Transform & { readonly header: SealHeader };

/** Plaintext in, sealed file out (header included unless continuing one). Memory: about one segment. */
export function createSealStream(ring: KeyRing, opts: SealOptions = {}): SealStream {
  const header = opts.continueAfter?.header ?? newSealHeader(ring, opts.segmentBytes);
  const cipher = new SegmentCipher(ring, header, opts.file ?? 'the encrypted file');
  const queue = new ByteQueue();
  let index = opts.continueAfter?.segments ?? 0;
  let headerSent = opts.continueAfter !== undefined;
  let mustRepeat = opts.continueAfter?.tornTail ?? Buffer.alloc(0);
  const size = header.segmentBytes;
  const sealed = (out: Buffer): Buffer => {
    if (mustRepeat.length > 0) {
      const n = Math.min(mustRepeat.length, out.length);
      if (!out.subarray(0, n).equals(mustRepeat.subarray(0, n))) throw new AtRestResumeMismatch(opts.file ?? 'the encrypted file');
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
        if (queue.length === 0 && index === 0) throw new AtRestIntegrityError(file, 0, 'is missing: the file holds only a header (truncated)');
        this.push(cipher!.open(index, queue.take(queue.length), true, offset));
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}

/** Seals a small file's content in one go (reports). */
export function sealBuffer(ring: KeyRing, plain: Buffer, segmentBytes = DEFAULT_SEGMENT_BYTES): Buffer {
  const header = newSealHeader(ring, segmentBytes);
  const cipher = new SegmentCipher(ring, header, 'buffer');
  const parts = [header.bytes];
  let index = 0;
  let at = 0;
  while (plain.length - at > segmentBytes) {
    parts.push(cipher.seal(index++, plain.subarray(at, at + segmentBytes), false));
    at += segmentBytes;
  }
  parts.push(cipher.seal(index, plain.subarray(at), true));
  return Buffer.concat(parts);
}

/** Opens a small sealed file's content in one go; `file` is named in errors. */
export function openBuffer(ring: KeyRing, sealed: Buffer, file: string): Buffer {
  const header = parseHeader(sealed, file, true) as SealHeader;
  const cipher = new SegmentCipher(ring, header, file);
  const step = cipher.sealedSegmentBytes;
  const parts: Buffer[] = [];
  let at = header.bytes.length;
  let index = 0;
  while (sealed.length - at > step) {
    parts.push(cipher.open(index++, sealed.subarray(at, at + step), false, at));
    at += step;
  }
  if (at === sealed.length && index === 0) throw new AtRestIntegrityError(file, 0, 'is missing: the file holds only a header (truncated)');
  parts.push(cipher.open(index, sealed.subarray(at), true, at));
  return Buffer.concat(parts);
}

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
export async function readSealedPrefix(file: string, ring: KeyRing, onPlain: (plain: Buffer) => void): Promise<SealedPrefix | undefined> {
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
