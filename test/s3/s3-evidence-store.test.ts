import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutObjectRetentionCommand,
  ListObjectVersionsCommand,
  ListPartsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRing } from '../../platform/encryption/key-ring';
import { openBuffer } from '../../platform/encryption/at-rest/buffers';
import type { S3Config } from '../../platform/config/storage-schema';
import { parseS3Location } from '../../stores/s3/s3-objects';
import { S3EvidenceStore } from '../../stores/s3/s3-evidence-store';
import { s3Client } from '../../stores/s3/s3-client';
import { checkingClient, s3Env, s3Settings } from '../helpers/s3-config';
import { LOCKED_BUCKET, startTestS3 } from '../helpers/s3-server';

// Forensic copies in the run's S3 server (versitygw, Object Lock enforced): what lands is locked in
// COMPLIANCE mode until the configured date, cannot be deleted, and hashes to what the record says.

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ring: KeyRing = { activeKeyId: 'k-s3', keys: new Map([['k-s3', randomBytes(32)]]) };
let dir: string;
let checker: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'incident-s3-store-'));
  checker = checkingClient();
});
afterAll(async () => {
  checker.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function download(location: string): Promise<Buffer> {
  const { bucket, key, versionId } = parseS3Location(location)!;
  const out = await checker.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function sourceFile(bytes: number): Promise<{ file: string; image: Buffer }> {
  const image = randomBytes(bytes);
  const file = path.join(dir, `${randomUUID()}.img`);
  await writeFile(file, image);
  return { file, image };
}

const place = () => `evidence/INC-${randomUUID().slice(0, 8)}/db-1/round-1`;

describe('S3 evidence store', () => {
  it('stores a copy locked in COMPLIANCE mode whose version cannot be deleted, hashed as recorded', async () => {
    const store = new S3EvidenceStore(
      s3Client(s3Settings({ retentionDays: 30 }), s3Env()),
      s3Settings({ retentionDays: 30 }),
    );
    const { file, image } = await sourceFile(12 * MiB + 123);
    const before = Date.now();
    const stored = await store.copyFromPath(place(), file);
    expect(stored.sha256).toBe(sha(image));
    expect(stored.sizeBytes).toBe(image.length);
    expect(stored.location).toMatch(/^s3:\/\/evidence-locked\/evidence\/INC-.*\/image\.bin\?versionId=.+/);
    expect(sha(await download(stored.location))).toBe(stored.sha256);

    const { key, versionId } = parseS3Location(stored.location)!;
    const retention = await checker.send(
      new GetObjectRetentionCommand({ Bucket: LOCKED_BUCKET, Key: key, VersionId: versionId }),
    );
    expect(retention.Retention?.Mode).toBe('COMPLIANCE');
    const until = retention.Retention!.RetainUntilDate!.getTime();
    expect(until).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 1000);

    await expect(
      checker.send(new DeleteObjectCommand({ Bucket: LOCKED_BUCKET, Key: key, VersionId: versionId })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      checker.send(
        new PutObjectRetentionCommand({
          Bucket: LOCKED_BUCKET,
          Key: key,
          VersionId: versionId,
          Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + 86_400_000) },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    // Still there, unchanged.
    const head = await checker.send(new HeadObjectCommand({ Bucket: LOCKED_BUCKET, Key: key, VersionId: versionId }));
    expect(head.ContentLength).toBe(image.length);
    // Asked again (a retried activity), the finished copy is returned as it is.
    expect(await store.copyFromPath(parseS3Location(stored.location)!.key.replace(/\/image\.bin$/, ''), file)).toEqual(
      stored,
    );
  });

  it('encrypts a copy before it leaves the worker; the record keeps the hash of the original bytes', async () => {
    const store = new S3EvidenceStore(s3Client(s3Settings(), s3Env()), s3Settings(), ring);
    const marker = Buffer.from('SSN 123-45-6789 belongs to Jane Customer');
    const { file, image } = await sourceFile(6 * MiB + 5);
    for (let at = 0; at + marker.length <= image.length; at += MiB) marker.copy(image, at);
    await writeFile(file, image);
    const stored = await store.copyFromPath(place(), file);
    expect(stored.location).toMatch(/\/image\.bin\.enc\?versionId=/);
    expect(stored.sha256).toBe(sha(image));
    expect(stored.encryption).toMatchObject({ cipher: 'AES-256-GCM', keyId: 'k-s3' });
    const object = await download(stored.location);
    expect(object.includes(marker)).toBe(false);
    expect(sha(openBuffer(ring, object, 'downloaded'))).toBe(stored.sha256);
  });

  it('stores a directory file by file as locked objects, with a locked manifest whose hash is recorded', async () => {
    const store = new S3EvidenceStore(s3Client(s3Settings(), s3Env()), s3Settings(), ring);
    const share = path.join(dir, `share-${randomUUID().slice(0, 8)}`);
    await mkdir(path.join(share, 'etc'), { recursive: true });
    const files = { 'etc/shadow': randomBytes(1000), 'notes.txt': Buffer.from('a\n'), empty: Buffer.alloc(0) };
    for (const [rel, bytes] of Object.entries(files)) await writeFile(path.join(share, rel), bytes);
    const where = place();
    const stored = await store.copyFromPath(where, share);
    expect(stored.kind).toBe('directory');
    expect(stored.location).toBe(`s3://${LOCKED_BUCKET}/${where}/tree`);
    expect(stored.manifest?.map((m) => [m.path, m.sha256])).toEqual([
      ['empty', sha(files.empty)],
      ['etc/shadow', sha(files['etc/shadow'])],
      ['notes.txt', sha(files['notes.txt'])],
    ]);
    const manifest = await download(`s3://${LOCKED_BUCKET}/${where}/MANIFEST.sha256`);
    expect(sha(manifest)).toBe(stored.sha256);
    const sealed = await download(`s3://${LOCKED_BUCKET}/${where}/tree/etc/shadow.enc`);
    expect(openBuffer(ring, sealed, 'shadow').equals(files['etc/shadow'])).toBe(true);
    for (const key of [`${where}/MANIFEST.sha256`, `${where}/tree/notes.txt.enc`, `${where}/evidence.json`]) {
      const retention = await checker.send(new GetObjectRetentionCommand({ Bucket: LOCKED_BUCKET, Key: key }));
      expect(retention.Retention?.Mode, key).toBe('COMPLIANCE');
    }
  });

  it("stores a command's output streamed into the upload", async () => {
    const store = new S3EvidenceStore(s3Client(s3Settings(), s3Env()), s3Settings());
    const chunk = randomBytes(MiB);
    const stored = await store.copyFromStream(place(), 'dd if=/dev/sdz', async (sink) => {
      for (let i = 0; i < 7; i++) if (!sink.write(chunk)) await new Promise((r) => sink.once('drain', r));
    });
    expect(stored.kind).toBe('command-output');
    expect(stored.sizeBytes).toBe(7 * MiB);
    expect(sha(await download(stored.location))).toBe(stored.sha256);
  });

  for (const sealed of [false, true])
    it(`resumes a${sealed ? 'n encrypted' : ''} copy cut off after two parts and uploads only the rest`, async () => {
      const settings = s3Settings();
      const client = s3Client(settings, s3Env());
      let partsSent = 0;
      let stopAfter = 2;
      const cut = new AbortController();
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const out = await next(args);
          if (context.commandName === 'UploadPartCommand' && ++partsSent === stopAfter) cut.abort();
          return out;
        },
        { step: 'initialize', name: 'countParts' },
      );
      // One part at a time, so that the cut after the second leaves exactly parts 1 and 2 on the server.
      const store = new S3EvidenceStore(client, settings, sealed ? ring : undefined, {
        partBytes: 5 * MiB,
        parallelParts: 1,
      });
      const { file, image } = await sourceFile(23 * MiB);
      const where = place();
      await expect(store.copyFromPath(where, file, { signal: cut.signal })).rejects.toThrow();
      expect(partsSent).toBe(2);
      const state = JSON.parse(
        await (
          await checker.send(new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: `${where}/upload.json` }))
        ).Body!.transformToString(),
      ) as { uploadId: string; key: string };
      const listed = await checker.send(
        new ListPartsCommand({ Bucket: LOCKED_BUCKET, Key: state.key, UploadId: state.uploadId }),
      );
      expect(listed.Parts?.map((p) => p.PartNumber)).toEqual([1, 2]);

      partsSent = 0;
      stopAfter = Infinity;
      const stored = await store.copyFromPath(where, file);
      // 23 MiB in 5 MiB parts is five parts: two were there, three were sent.
      expect(partsSent).toBe(3);
      expect(stored.sha256).toBe(sha(image));
      const object = await download(stored.location);
      expect(sha(sealed ? openBuffer(ring, object, 'downloaded') : object)).toBe(sha(image));
    });

  it('verifies an upload that completed before its attempt could, without uploading it again', async () => {
    const settings = s3Settings();
    const client = s3Client(settings, s3Env());
    let partsSent = 0;
    let readBackFails = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand') partsSent++;
        const input = args.input as { Key?: string; VersionId?: string };
        if (context.commandName === 'GetObjectCommand' && input.VersionId && readBackFails) {
          readBackFails = false;
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'readBackFailsOnce' },
    );
    const store = new S3EvidenceStore(client, settings, ring, { partBytes: 5 * MiB });
    const { file, image } = await sourceFile(11 * MiB);
    const where = place();
    await expect(store.copyFromPath(where, file)).rejects.toThrow(
      /^Could not read back .*image\.bin\.enc: .*cannot be reached \(ECONNREFUSED\); the copy will resume\.$/,
    );
    expect(partsSent).toBe(3);
    partsSent = 0;
    const stored = await store.copyFromPath(where, file);
    expect(partsSent).toBe(0);
    expect(stored.sha256).toBe(sha(image));
    expect(stored.encryption?.keyId).toBe('k-s3');
    const versions = await checker.send(
      new ListObjectVersionsCommand({ Bucket: LOCKED_BUCKET, Prefix: `${where}/image.bin.enc` }),
    );
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([parseS3Location(stored.location)!.versionId]);
    client.destroy();
  });

  it('resumes a copy after the object store was down in the middle of it', async () => {
    const own = await startTestS3(path.resolve(__dirname, '..', '..', '.cache'));
    try {
      const settings: S3Config = { ...s3Settings(), endpoint: own.endpoint };
      const client = new S3Client({
        endpoint: own.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: own.accessKeyId, secretAccessKey: own.secretAccessKey },
        maxAttempts: 1,
      });
      let partsSent = 0;
      let stopping: Promise<void> | undefined;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'UploadPartCommand' && partsSent === 2) await (stopping ??= own.stop());
          const out = await next(args);
          if (context.commandName === 'UploadPartCommand') partsSent++;
          return out;
        },
        { step: 'initialize', name: 'storeDown' },
      );
      // One part at a time: the server stops between parts 2 and 3, none in flight.
      const store = new S3EvidenceStore(client, settings, undefined, { partBytes: 5 * MiB, parallelParts: 1 });
      const { file, image } = await sourceFile(17 * MiB);
      const where = place();
      const down = await store.copyFromPath(where, file).then(
        () => 'stored',
        (err: Error) => err.message,
      );
      expect(down).toMatch(/^Could not upload .* cannot be reached \(ECONNREFUSED\); the copy will resume\.$/);
      expect(down).not.toContain(own.secretAccessKey);
      await own.start();
      partsSent = 0;
      const stored = await store.copyFromPath(where, file);
      expect(partsSent).toBe(2); // parts 3 and 4 of four
      expect(stored.sha256).toBe(sha(image));
      client.destroy();
    } finally {
      await own.destroy();
    }
  });
});
