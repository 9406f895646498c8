import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openBuffer, sealBuffer } from '../../platform/encryption/at-rest/buffers';
import { AtRestIntegrityError, AtRestKeyMissing, AtRestResumeMismatch } from '../../platform/encryption/at-rest/errors';
import { DEFAULT_SEGMENT_BYTES } from '../../platform/encryption/at-rest/format';
import { readSealedPrefix } from '../../platform/encryption/at-rest/sealed-prefix';
import { createSealStream, createUnsealStream } from '../../platform/encryption/at-rest/streams';
import { atRestKeyRing, KeyRingError, type KeyRing } from '../../platform/encryption/key-ring';

// The at-rest format on real files with real AES-256-GCM: every size around a segment boundary, and
// each way a stored file can be altered (a flipped byte, a cut, an addition, a swap, another key).

const ring = (...ids: string[]): KeyRing => ({
  activeKeyId: ids[ids.length - 1],
  keys: new Map(ids.map((id) => [id, randomBytes(32)])),
});
const K1 = ring('k1');
const SEG = 4096;
const HEADER = 6 + 1 + 4 + 1 + 'k1'.length + 32 + 7;
const SEALED_SEG = SEG + 16;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const made: string[] = [];
const tmp = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-at-rest-unit-'));
  made.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** Feeds `bytes` in uneven chunks, so segment boundaries never line up with chunk boundaries. */
function unevenChunks(bytes: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, n = 1; at < bytes.length; n = (n * 7 + 13) % 5003) {
    chunks.push(bytes.subarray(at, at + n + 1));
    at += n + 1;
  }
  return Readable.from(chunks);
}

async function collect(
  source: Readable | NodeJS.ReadableStream,
  ...transforms: NodeJS.ReadWriteStream[]
): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline([source, ...transforms, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) })]);
  return Buffer.concat(parts);
}

const sealStreamed = (plain: Buffer, keys = K1, segmentBytes = SEG) =>
  collect(unevenChunks(plain), createSealStream(keys, { segmentBytes }));
const openStreamed = (sealed: Buffer, keys = K1, file = 'stored.bin.enc') =>
  collect(unevenChunks(sealed), createUnsealStream(keys, file));

describe('at-rest format: round trips', () => {
  for (const [label, size] of [
    ['empty', 0],
    ['1 byte', 1],
    ['a segment less one byte', SEG - 1],
    ['exactly one segment', SEG],
    ['a segment and one byte', SEG + 1],
    ['several segments and a tail', 5 * SEG + 123],
    ['exactly three segments', 3 * SEG],
  ] as const) {
    it(`${label} (${size} bytes): streamed and in one piece, both ways`, async () => {
      const plain = randomBytes(size);
      const sealed = await sealStreamed(plain);
      const segments = Math.max(1, Math.ceil(size / SEG));
      expect(sealed.length).toBe(HEADER + size + 16 * segments);
      expect((await openStreamed(sealed)).equals(plain)).toBe(true);
      expect(openBuffer(K1, sealed, 'x').equals(plain)).toBe(true);
      const inOnePiece = sealBuffer(K1, plain, SEG);
      expect((await openStreamed(inOnePiece)).equals(plain)).toBe(true);
      // Each file has its own salt and nonce prefix: the same plaintext never gives the same bytes.
      expect(inOnePiece.equals(sealed)).toBe(false);
    });
  }

  it('uses 1 MiB segments by default and round-trips a 3.5 MiB file through real files', async () => {
    const dir = await tmp();
    const plain = randomBytes(3.5 * 1024 * 1024);
    await writeFile(path.join(dir, 'plain'), plain);
    await pipeline(
      createReadStream(path.join(dir, 'plain')),
      createSealStream(K1),
      createWriteStream(path.join(dir, 'sealed.enc')),
    );
    expect((await stat(path.join(dir, 'sealed.enc'))).size).toBe(HEADER + plain.length + 16 * 4);
    const back = await collect(
      createReadStream(path.join(dir, 'sealed.enc')),
      createUnsealStream(K1, path.join(dir, 'sealed.enc')),
    );
    expect(sha(back)).toBe(sha(plain));
    expect(DEFAULT_SEGMENT_BYTES).toBe(1024 * 1024);
  });

  it('keeps no plaintext: a marker repeated through the input appears nowhere in the output', async () => {
    const marker = Buffer.from('CUSTOMER-ACME-SECRET-MARKER');
    const plain = Buffer.concat(Array.from({ length: 2000 }, () => marker));
    const sealed = await sealStreamed(plain);
    expect(sealed.includes(marker)).toBe(false);
    expect(sealed.includes(Buffer.from('ACME'))).toBe(false);
  });

  it('opens with any key of the ring: a file sealed before a rotation still opens after it', async () => {
    const before: KeyRing = { activeKeyId: 'k1', keys: K1.keys };
    const after: KeyRing = { activeKeyId: 'k2', keys: new Map([...K1.keys, ['k2', randomBytes(32)]]) };
    const plain = randomBytes(3 * SEG + 5);
    const old = await sealStreamed(plain, before);
    expect((await openStreamed(old, after)).equals(plain)).toBe(true);
    const fresh = await sealStreamed(plain, after);
    expect(fresh.subarray(0, 40).includes(Buffer.from('k2'))).toBe(true);
  });

  it('streams a 96 MiB input in constant memory', async () => {
    const chunk = randomBytes(1024 * 1024);
    let produced = 0;
    const source = new Readable({
      read() {
        produced++;
        this.push(produced <= 96 ? chunk : null);
      },
    });
    const hash = createHash('sha256');
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    await pipeline(
      source,
      createSealStream(K1),
      createUnsealStream(K1, 'memory'),
      new Writable({
        write(c: Buffer, _e, cb) {
          hash.update(c);
          peak = Math.max(peak, process.memoryUsage().rss);
          cb();
        },
      }),
    );
    const expected = createHash('sha256');
    for (let i = 0; i < 96; i++) expected.update(chunk);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    expect(peak - baseline).toBeLessThan(48 * 1024 * 1024);
  });
});

describe('at-rest format: tampering is refused, naming the file and the segment', () => {
  const plain = randomBytes(5 * SEG + 100); // segments 0..4 full, segment 5 the short last one
  const segmentStart = (i: number) => HEADER + i * SEALED_SEG;

  async function refusal(sealed: Buffer, keys = K1): Promise<Error> {
    const streamed = await openStreamed(sealed, keys, '/data/evidence/INC-1/web-01/round-1/image.bin.enc').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(streamed, 'the streaming reader accepted it').toBeInstanceOf(Error);
    let whole: unknown;
    try {
      openBuffer(keys, sealed, '/data/evidence/INC-1/web-01/round-1/image.bin.enc');
    } catch (err) {
      whole = err;
    }
    expect(whole, 'the one-piece reader accepted it').toBeInstanceOf(Error);
    expect((whole as Error).message).toBe(streamed!.message);
    return streamed!;
  }

  it('a flipped byte in a middle segment', async () => {
    const sealed = await sealStreamed(plain);
    sealed[segmentStart(2) + 100] ^= 0x01;
    const err = await refusal(sealed);
    expect(err).toBeInstanceOf(AtRestIntegrityError);
    expect(err.message).toMatch(
      /^\/data\/evidence\/INC-1\/web-01\/round-1\/image\.bin\.enc, segment 2: \(file bytes \d+\.\.\d+\) does not authenticate/,
    );
    expect(err.message).toContain('tampered with or damaged');
  });

  it('a flipped byte in an authentication tag, and in the last segment', async () => {
    const a = await sealStreamed(plain);
    a[segmentStart(1) + SEALED_SEG - 1] ^= 0x80;
    expect((await refusal(a)).message).toContain('segment 1:');
    const b = await sealStreamed(plain);
    b[b.length - 20] ^= 0x01;
    expect((await refusal(b)).message).toContain('segment 5:');
  });

  it('the last segment cut off entirely: the file ends on a segment that is not the last', async () => {
    const sealed = (await sealStreamed(plain)).subarray(0, segmentStart(5));
    const err = await refusal(sealed);
    expect(err.message).toContain('segment 4:');
    expect(err.message).toContain('is not the last segment, yet the file ends after it: the file was truncated');
  });

  it('the last segment cut short, and a file cut inside a segment or its header', async () => {
    const sealed = await sealStreamed(plain);
    expect((await refusal(sealed.subarray(0, sealed.length - 1))).message).toContain('segment 5:');
    expect((await refusal(sealed.subarray(0, segmentStart(3) + 10))).message).toContain('segment 3:');
    expect((await refusal(sealed.subarray(0, HEADER - 3))).message).toContain('ends inside its header (truncated)');
    expect((await refusal(sealed.subarray(0, HEADER))).message).toContain('holds only a header');
  });

  it('bytes appended after the last segment, or a whole segment appended', async () => {
    const sealed = await sealStreamed(plain);
    expect((await refusal(Buffer.concat([sealed, Buffer.from('x')]))).message).toContain('segment 5: (file bytes');
    // With a full last segment the reader can tell exactly what happened.
    const full = await sealStreamed(plain.subarray(0, 3 * SEG));
    const err = await refusal(Buffer.concat([full, full.subarray(segmentStart(1), segmentStart(2))]));
    expect(err.message).toContain('segment 2:');
    expect(err.message).toContain('is the last segment, yet more data follows it: bytes were appended');
  });

  it('two segments swapped, and a segment taken from another file sealed with the same key', async () => {
    const sealed = await sealStreamed(plain);
    const swapped = Buffer.concat([
      sealed.subarray(0, segmentStart(1)),
      sealed.subarray(segmentStart(2), segmentStart(3)),
      sealed.subarray(segmentStart(1), segmentStart(2)),
      sealed.subarray(segmentStart(3)),
    ]);
    expect((await refusal(swapped)).message).toContain('segment 1:');
    const other = await sealStreamed(plain);
    const spliced = Buffer.concat([
      sealed.subarray(0, segmentStart(2)),
      other.subarray(segmentStart(2), segmentStart(3)),
      sealed.subarray(segmentStart(3)),
    ]);
    expect((await refusal(spliced)).message).toContain('segment 2:');
  });

  it('a header edited to another segment size', async () => {
    const sealed = await sealStreamed(plain);
    sealed.writeUInt32BE(SEG * 2, 7);
    expect((await refusal(sealed)).message).toContain('segment 0:');
  });

  it('a key that is not in the ring: the error names the key and says what to do', async () => {
    const sealed = await sealStreamed(plain);
    const err = await refusal(sealed, ring('k2'));
    expect(err).toBeInstanceOf(AtRestKeyMissing);
    expect(err.message).toBe(
      '/data/evidence/INC-1/web-01/round-1/image.bin.enc was encrypted at rest with key "k1", which is not in the key ring. Add that key back (INCIDENT_PAYLOAD_KEYS, or keys/payload-keys under the data dir) to read it.',
    );
  });

  it('a different key under the same id is refused at the first segment', async () => {
    const sealed = await sealStreamed(plain);
    const err = await refusal(sealed, ring('k1'));
    expect(err).toBeInstanceOf(AtRestIntegrityError);
    expect(err.message).toContain('segment 0:');
  });

  it('a file that is not in this format at all', async () => {
    const err = await refusal(Buffer.from('plain text, not sealed'));
    expect(err.message).toBe(
      '/data/evidence/INC-1/web-01/round-1/image.bin.enc is not a readable encrypted file: it does not start with the IRSEAL header.',
    );
  });
});

describe('at-rest format: what a crash leaves behind', () => {
  it('reads the authenticated segments of a partial file, and tells a torn tail and a finished file apart', async () => {
    const dir = await tmp();
    const plain = randomBytes(6 * SEG + 7);
    const sealed = await sealStreamed(plain);
    const file = path.join(dir, 'image.bin.enc.partial');

    await writeFile(file, sealed.subarray(0, HEADER + 4 * SEALED_SEG));
    const hash = createHash('sha256');
    const whole = await readSealedPrefix(file, K1, (p) => hash.update(p));
    expect(whole).toMatchObject({
      segments: 4,
      sealedBytes: HEADER + 4 * SEALED_SEG,
      plainBytes: 4 * SEG,
      finished: false,
      tornBytes: 0,
    });
    expect(hash.digest('hex')).toBe(sha(plain.subarray(0, 4 * SEG)));

    await writeFile(file, sealed.subarray(0, HEADER + 4 * SEALED_SEG + 100));
    const torn = await readSealedPrefix(file, K1, () => undefined);
    expect(torn).toMatchObject({ segments: 4, finished: false, tornBytes: 100 });
    expect(torn!.tornTail!.equals(sealed.subarray(HEADER + 4 * SEALED_SEG, HEADER + 4 * SEALED_SEG + 100))).toBe(true);

    await writeFile(file, sealed);
    expect(await readSealedPrefix(file, K1, () => undefined)).toMatchObject({
      segments: 6,
      plainBytes: plain.length,
      finished: true,
      tornBytes: 0,
    });

    await truncate(file, 10);
    expect(await readSealedPrefix(file, K1, () => undefined)).toBeUndefined();
    expect(await readSealedPrefix(path.join(dir, 'missing'), K1, () => undefined)).toBeUndefined();
    await writeFile(file, sealed);
    expect(await readSealedPrefix(file, ring('k9'), () => undefined)).toBeUndefined();
    expect((await readFile(file)).equals(sealed)).toBe(true);
  });
});

describe('at-rest format: resuming after a crash never reuses a nonce for other bytes', () => {
  async function resume(partial: Buffer, rest: Buffer): Promise<Buffer> {
    const dir = await tmp();
    await writeFile(path.join(dir, 'p'), partial);
    const prefix = (await readSealedPrefix(path.join(dir, 'p'), K1, () => undefined))!;
    const tail = await collect(
      unevenChunks(rest),
      createSealStream(K1, {
        continueAfter: { header: prefix.header, segments: prefix.segments, tornTail: prefix.tornTail },
      }),
    );
    return Buffer.concat([partial.subarray(0, prefix.sealedBytes), tail]);
  }

  it('continues a file after whole segments, or through a segment cut short, into the same file as one run', async () => {
    const plain = randomBytes(5 * SEG + 9);
    const sealed = await sealStreamed(plain);
    for (const [segments, torn] of [
      [3, 0],
      [3, 1],
      [3, 2000],
      [0, 500],
      [5, 20],
    ]) {
      const cut = HEADER + segments * SEALED_SEG + torn;
      const resumed = await resume(sealed.subarray(0, cut), plain.subarray(segments * SEG));
      expect(resumed.equals(sealed), `${segments} segments + ${torn} bytes`).toBe(true);
    }
  });

  it('refuses to seal other plaintext over a torn segment, or to end before repeating it', async () => {
    const plain = randomBytes(5 * SEG + 9);
    const sealed = await sealStreamed(plain);
    const changed = Buffer.from(plain.subarray(3 * SEG));
    changed[10] ^= 1;
    await expect(resume(sealed.subarray(0, HEADER + 3 * SEALED_SEG + 100), changed)).rejects.toBeInstanceOf(
      AtRestResumeMismatch,
    );
    await expect(
      resume(sealed.subarray(0, HEADER + 3 * SEALED_SEG + 100), plain.subarray(3 * SEG, 3 * SEG + 50)),
    ).rejects.toBeInstanceOf(AtRestResumeMismatch);
  });
});

describe('when encryption at rest is on', () => {
  it('auto follows the key ring, on requires one, off never encrypts', () => {
    expect(atRestKeyRing('auto', K1)).toBe(K1);
    expect(atRestKeyRing('auto', undefined)).toBeUndefined();
    expect(atRestKeyRing('off', K1)).toBeUndefined();
    expect(atRestKeyRing('on', K1)).toBe(K1);
    expect(() => atRestKeyRing('on', undefined)).toThrow(KeyRingError);
    expect(() => atRestKeyRing('on', undefined)).toThrow(/INCIDENT_AT_REST_ENCRYPTION/);
  });
});
