import { randomBytes } from 'node:crypto';
import type { KeyRing } from '../key-ring';
import { AtRestError, AtRestFormatError, AtRestIntegrityError } from './errors';

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
export const PREFIX_BYTES = 7;
export const TAG_BYTES = 16;
const MIN_SEGMENT = 16;
const MAX_SEGMENT = 64 * 1024 * 1024;
const FIXED_HEADER = MAGIC.length + 1 + 4 + 1; // magic, version, segment size, key id length
export const MAX_HEADER = FIXED_HEADER + 255 + SALT_BYTES + PREFIX_BYTES;

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

export const atRestInfo = (header: Pick<SealHeader, 'keyId' | 'segmentBytes'>): AtRestInfo => ({
  cipher: AT_REST_CIPHER,
  format: AT_REST_FORMAT,
  keyId: header.keyId,
  segmentBytes: header.segmentBytes,
});

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
  if (!Number.isInteger(segmentBytes) || segmentBytes < MIN_SEGMENT || segmentBytes > MAX_SEGMENT)
    throw new AtRestError(`Segment size ${segmentBytes} is outside ${MIN_SEGMENT}..${MAX_SEGMENT} bytes.`);
  const salt = randomBytes(SALT_BYTES);
  const noncePrefix = randomBytes(PREFIX_BYTES);
  return {
    keyId: ring.activeKeyId,
    segmentBytes,
    salt,
    noncePrefix,
    bytes: encodeHeader(ring.activeKeyId, segmentBytes, salt, noncePrefix),
  };
}

/** True when the bytes start like a sealed file (for a caller that must tell a sealed file from a plain one). */
export function looksSealed(start: Buffer): boolean {
  return start.length >= MAGIC.length && start.subarray(0, MAGIC.length).equals(MAGIC);
}

/** The header at the start of `buf`; 'short' when more bytes are needed to know. */
export function parseHeader(buf: Buffer, file: string, complete: boolean): SealHeader | 'short' {
  const known = Math.min(buf.length, MAGIC.length);
  if (!buf.subarray(0, known).equals(MAGIC.subarray(0, known)))
    throw new AtRestFormatError(file, 'it does not start with the IRSEAL header');
  const truncated = () => {
    if (complete)
      throw new AtRestIntegrityError(
        file,
        undefined,
        buf.length === 0 ? 'the file is empty' : 'the file ends inside its header (truncated)',
      );
    return 'short' as const;
  };
  if (buf.length < FIXED_HEADER) return truncated();
  const version = buf.readUInt8(MAGIC.length);
  if (version !== VERSION)
    throw new AtRestFormatError(
      file,
      `format version ${version} is not known to this program (it reads version ${VERSION})`,
    );
  const segmentBytes = buf.readUInt32BE(MAGIC.length + 1);
  if (segmentBytes < MIN_SEGMENT || segmentBytes > MAX_SEGMENT)
    throw new AtRestIntegrityError(file, undefined, `the header's segment size ${segmentBytes} is impossible`);
  const idLength = buf.readUInt8(MAGIC.length + 5);
  if (idLength === 0) throw new AtRestIntegrityError(file, undefined, 'the header names no key');
  const length = FIXED_HEADER + idLength + SALT_BYTES + PREFIX_BYTES;
  if (buf.length < length) return truncated();
  const keyId = buf.subarray(FIXED_HEADER, FIXED_HEADER + idLength).toString('utf8');
  const salt = Buffer.from(buf.subarray(FIXED_HEADER + idLength, FIXED_HEADER + idLength + SALT_BYTES));
  const noncePrefix = Buffer.from(buf.subarray(length - PREFIX_BYTES, length));
  return { keyId, segmentBytes, salt, noncePrefix, bytes: Buffer.from(buf.subarray(0, length)) };
}
