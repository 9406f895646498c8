import type { KeyRing } from '../key-ring';
import { AtRestIntegrityError } from './errors';
import { DEFAULT_SEGMENT_BYTES, newSealHeader, parseHeader, type SealHeader } from './format';
import { SegmentCipher } from './segment-cipher';

// The same format sealed and opened in one piece, for contents small enough to hold in memory.

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
  if (at === sealed.length && index === 0)
    throw new AtRestIntegrityError(file, 0, 'is missing: the file holds only a header (truncated)');
  parts.push(cipher.open(index, sealed.subarray(at), true, at));
  return Buffer.concat(parts);
}
