import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import type { KeyRing } from '../key-ring';
import { AtRestError, AtRestIntegrityError, AtRestKeyMissing } from './errors';
import { PREFIX_BYTES, TAG_BYTES, type SealHeader } from './format';

// The cryptography of one file, as format.ts lays it out: the file key is derived from the ring key and
// the file's salt, and each segment's nonce names its position and whether it is the last, with the
// header as additional data; so a segment authenticates only in its own place of its own file.

const MAX_SEGMENTS = 2 ** 32;
const KDF_INFO = Buffer.from('incident-response at-rest v1 file key', 'ascii');

/** Seals and opens the segments of one file. */
export class SegmentCipher {
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
    if (index >= MAX_SEGMENTS)
      throw new AtRestError(`${this.file} would need more than 2^32 segments; use a larger segment size.`);
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
    if (sealed.length < TAG_BYTES)
      throw new AtRestIntegrityError(
        this.file,
        index,
        `${where} is shorter than its authentication tag: the file was truncated`,
      );
    if (this.tryOpen(index, sealed, !last)) {
      throw new AtRestIntegrityError(
        this.file,
        index,
        last
          ? `${where} is not the last segment, yet the file ends after it: the file was truncated`
          : `${where} is the last segment, yet more data follows it: bytes were appended`,
      );
    }
    throw new AtRestIntegrityError(
      this.file,
      index,
      `${where} does not authenticate: its bytes were changed, or it was moved from another position or another file`,
    );
  }
}
