// The protobuf wire format, as far as a few hand-written messages need it: varints, length-delimited
// fields and skipping whatever a message does not read. It exists so that `incident list` and the
// payload codec do not load @temporalio/proto, whose reflection would delay every command line start.

export const WIRE = { varint: 0, fixed64: 1, delimited: 2, fixed32: 5 } as const;

/** The tag of field `field` with wire type `wireType`, as ProtoReader.tag() returns it. */
export const tagOf = (field: number, wireType: number) => field * 8 + wireType;

export class ProtoFormatError extends Error {
  constructor(message: string) {
    super(`Malformed protobuf message: ${message}`);
    this.name = 'ProtoFormatError';
  }
}

/**
 * One cursor over a whole message. A nested message is read in place: enter() returns where it ends,
 * and tag(end) reads its fields up to there. Nothing is allocated per field but the values asked for;
 * a 1 MB page of a thousand executions is read in one pass.
 */
export class ProtoReader {
  private readonly buf: Buffer;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.buf.length;
  }

  /** The next field's tag before `end`, or 0 there (0 is never a valid tag). */
  tag(end: number): number {
    if (this.pos >= end) {
      if (this.pos > end) throw new ProtoFormatError('a field runs past the end of its message');
      return 0;
    }
    const tag = this.varint();
    if (tag < 8) throw new ProtoFormatError('a field has number 0');
    return tag;
  }

  /** An unsigned varint; exact up to 2^53, which covers every count, enum and timestamp read here. */
  varint(): number {
    const buf = this.buf;
    if (this.pos < buf.length && buf[this.pos] < 0x80) return buf[this.pos++];
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) throw new ProtoFormatError('a varint runs past the end');
      const byte = buf[this.pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new ProtoFormatError('a varint is longer than 10 bytes');
  }

  /** Moves into a length-delimited field and returns where it ends. */
  enter(): number {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.buf.length) throw new ProtoFormatError('a field runs past the end');
    return end;
  }

  bytes(): Buffer {
    const end = this.enter();
    const value = this.buf.subarray(this.pos, end);
    this.pos = end;
    return value;
  }

  string(): string {
    const end = this.enter();
    const value = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return value;
  }

  skip(wireType: number): void {
    if (wireType === WIRE.varint) this.varint();
    else if (wireType === WIRE.delimited) this.pos = this.enter();
    else if (wireType === WIRE.fixed64) this.advance(8);
    else if (wireType === WIRE.fixed32) this.advance(4);
    else throw new ProtoFormatError(`wire type ${wireType} is not supported`);
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.length) throw new ProtoFormatError('a field runs past the end');
    this.pos += n;
  }
}

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  private raw(n: number): void {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    this.parts.push(Uint8Array.from(out));
  }

  varint(field: number, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`field ${field}: ${value} is not an unsigned integer`);
    this.raw(tagOf(field, WIRE.varint));
    this.raw(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.raw(tagOf(field, WIRE.delimited));
    this.raw(value.byteLength);
    this.parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
