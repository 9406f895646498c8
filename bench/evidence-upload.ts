import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../platform/config/storage-schema';
import type { KeyRing } from '../platform/encryption/key-ring';
import { s3Client } from '../stores/s3/s3-client';
import { DEFAULT_PART_BYTES, S3EvidenceStore } from '../stores/s3/s3-evidence-store';
import { LOCKED_BUCKET, startTestS3 } from '../test/helpers/s3-server';

// Forensic copy throughput to an object store that enforces Object Lock (the Versity S3 Gateway started
// for the run, its posix backend in the temp dir), beside baselines measured in the same run against the
// same server: the bare minimum (a multipart upload of the file, hashing the bytes as they stream, no lock
// headers, no read-back) and the same guarantee by hand (that upload, then GetObject and hash what comes
// back). The store does the latter plus a state object, the COMPLIANCE lock and the record, and seals each
// byte when encrypted at rest. The baselines use the store's part size and parallelism so that the ratio
// measures the store, not a different upload shape. sha256sum of the file is the floor of the hash alone.
// Usage: npm run bench:upload [-- SIZE_MIB [RUNS]]

const PROJECT_DIR = path.resolve(__dirname, '..', '..');
const SIZE_MIB = Number(process.argv[2] ?? 256);
const RUNS = Number(process.argv[3] ?? 3);
const MiB = 1024 * 1024;
// The store's defaults (S3EvidenceStore, uploadSink).
const PART_BYTES = DEFAULT_PART_BYTES;
const PARALLEL = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The file cut into PART_BYTES parts, hashed as read, PARALLEL parts in flight; its SHA-256. */
async function bareUpload(client: S3Client, key: string, file: string): Promise<{ sha256: string; version?: string }> {
  const hash = createHash('sha256');
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: LOCKED_BUCKET, Key: key }));
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  const send = async (body: Buffer) => {
    while (inFlight.size >= PARALLEL) await Promise.race(inFlight);
    if (failure) throw failure;
    const PartNumber = ++number;
    const sending: Promise<void> = client
      .send(new UploadPartCommand({ Bucket: LOCKED_BUCKET, Key: key, UploadId, PartNumber, Body: body }))
      .then((out) => void (parts[PartNumber - 1] = { PartNumber, ETag: out.ETag }))
      .catch((err: unknown) => void (failure ??= err))
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) {
    hash.update(chunk as Buffer);
    pending.push(chunk as Buffer);
    pendingBytes += (chunk as Buffer).length;
    if (pendingBytes < PART_BYTES) continue;
    const all = Buffer.concat(pending);
    await send(all.subarray(0, PART_BYTES));
    pending = all.length > PART_BYTES ? [all.subarray(PART_BYTES)] : [];
    pendingBytes = all.length - PART_BYTES;
  }
  if (pendingBytes > 0 || number === 0) await send(Buffer.concat(pending));
  await Promise.all(inFlight);
  if (failure) throw failure;
  const done = await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: LOCKED_BUCKET,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  return { sha256: hash.digest('hex'), version: done.VersionId };
}

async function readBack(client: S3Client, key: string, version: string | undefined): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: key, VersionId: version }));
  const hash = createHash('sha256');
  for await (const chunk of out.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function writeSource(file: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let i = 0; i < SIZE_MIB; i++) await handle.write(randomBytes(MiB));
  } finally {
    await handle.close();
  }
}

async function timed(fn: () => Promise<string>, expected: string, what: string): Promise<number> {
  const start = performance.now();
  const sha256 = await fn();
  const seconds = (performance.now() - start) / 1000;
  if (sha256 !== expected) throw new Error(`${what} hashed ${sha256}, the file is ${expected}`);
  return seconds;
}

const ROWS = ['bare', 'bare + read-back', 'store, plain', 'store, encrypted'] as const;
type RowName = (typeof ROWS)[number] | 'sha256sum';

async function main(): Promise<void> {
  // The test server's set-up client is made before s3Client() would silence the SDK's Node 22 notice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  console.log(`evidence upload of ${SIZE_MIB} MiB, ${RUNS} runs; load average at start: ${load()}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-upload-'));
  const s3 = await startTestS3(path.join(PROJECT_DIR, '.cache'));
  const settings: S3Config = {
    endpoint: s3.endpoint,
    bucket: LOCKED_BUCKET,
    region: 'us-east-1',
    forcePathStyle: true,
    // The bench's locked versions cannot be deleted; a day is the shortest lock the store accepts.
    retentionDays: 1,
  };
  const client = s3Client(settings, { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey });
  try {
    const source = path.join(dir, 'disk.img');
    await writeSource(source);
    const sum = (await promisify(execFile)('sha256sum', [source])).stdout.split(' ')[0];
    const ring: KeyRing = { activeKeyId: 'bench', keys: new Map([['bench', randomBytes(32)]]) };
    const plain = new S3EvidenceStore(client, settings);
    const sealed = new S3EvidenceStore(client, settings, ring);
    const seconds = new Map<RowName, number[]>([...ROWS, 'sha256sum'].map((r) => [r as RowName, []]));
    const mibps = (s: number) => SIZE_MIB / s;
    for (let run = 1; run <= RUNS; run++) {
      const took = {
        sha256sum: await timed(
          async () => (await promisify(execFile)('sha256sum', [source])).stdout.split(' ')[0],
          sum,
          'sha256sum',
        ),
        bare: await timed(async () => (await bareUpload(client, `bench/bare-${run}`, source)).sha256, sum, 'bare'),
        'bare + read-back': await timed(
          async () => {
            const up = await bareUpload(client, `bench/by-hand-${run}`, source);
            const back = await readBack(client, `bench/by-hand-${run}`, up.version);
            if (back !== up.sha256) throw new Error(`the read-back hashed ${back}, the upload ${up.sha256}`);
            return back;
          },
          sum,
          'bare + read-back',
        ),
        'store, plain': await timed(
          async () => (await plain.copyFromPath(`evidence/BENCH-${run}/disk/round-1`, source)).sha256,
          sum,
          'the plain store',
        ),
        'store, encrypted': await timed(
          async () => (await sealed.copyFromPath(`evidence/BENCH-${run}-sealed/disk/round-1`, source)).sha256,
          sum,
          'the encrypted store',
        ),
      } satisfies Record<RowName, number>;
      for (const [name, s] of Object.entries(took)) seconds.get(name as RowName)!.push(s);
      console.log(
        `run ${run}: ` +
          Object.entries(took)
            .map(([name, s]) => `${name} ${s.toFixed(2)} s (${mibps(s).toFixed(0)} MiB/s)`)
            .join(', ') +
          `; load ${load()}`,
      );
    }
    const bare = mibps(median(seconds.get('bare')!));
    console.log(`\nmedians of ${RUNS}:`);
    console.log('| | median | MiB/s | ratio to bare |');
    console.log('|---|---|---|---|');
    for (const name of ROWS) {
      const s = median(seconds.get(name)!);
      console.log(`| ${name} | ${s.toFixed(2)} s | ${mibps(s).toFixed(0)} | ${(mibps(s) / bare).toFixed(2)} |`);
    }
    const floor = median(seconds.get('sha256sum')!);
    console.log(`| sha256sum of the file (hash alone) | ${floor.toFixed(2)} s | ${mibps(floor).toFixed(0)} | |`);
    console.log(`load average at end: ${load()}`);
  } finally {
    client.destroy();
    await s3.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exitCode = 1;
});
