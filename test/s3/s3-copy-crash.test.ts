import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3EvidenceStore } from '../../stores/s3/s3-evidence-store';
import { s3Client } from '../../stores/s3/s3-client';
import { parseS3Location } from '../../stores/s3/s3-objects';
import { checkingClient, s3Env, s3Settings } from '../helpers/s3-config';
import { LOCKED_BUCKET } from '../helpers/s3-server';

// A worker killed with SIGKILL in the middle of an upload to the object store: the next attempt (here, in
// this process) finds the upload from the state object, sends only the parts the store lacks, and the copy
// hashes as the source. The copying process is the built store (dist/), on a link slowed to one part every
// 300 ms so that the kill lands mid-upload.

const MiB = 1024 * 1024;
const DIST = path.resolve(__dirname, '..', '..', 'dist', 'stores', 's3');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'incident-s3-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CHILD = `
const { S3EvidenceStore } = require(${JSON.stringify(path.join(DIST, 's3-evidence-store.js'))});
const { s3Client } = require(${JSON.stringify(path.join(DIST, 's3-client.js'))});
const settings = JSON.parse(process.env.TEST_S3_SETTINGS);
const client = s3Client(settings, process.env);
client.middlewareStack.add((next, context) => async (args) => {
  if (context.commandName === 'UploadPartCommand') await new Promise((r) => setTimeout(r, 300));
  return next(args);
}, { step: 'initialize', name: 'slowLink' });
new S3EvidenceStore(client, settings, undefined, { partBytes: 5 * 1024 * 1024 })
  .copyFromPath(process.env.TEST_PLACE, process.env.TEST_SOURCE)
  .then(() => process.exit(0), (err) => { console.error(err.message); process.exit(1); });
`;

it('resumes a copy whose worker was killed with SIGKILL mid-upload, sending only the missing parts', async () => {
  const image = randomBytes(40 * MiB + 11); // nine parts of 5 MiB
  const source = path.join(dir, 'disk.img');
  await writeFile(source, image);
  const place = `evidence/INC-${randomUUID().slice(0, 8)}/db-1/round-1`;
  const settings = s3Settings();
  const child = spawn(process.execPath, ['-e', CHILD], {
    env: {
      ...process.env,
      ...s3Env(),
      TEST_S3_SETTINGS: JSON.stringify(settings),
      TEST_PLACE: place,
      TEST_SOURCE: source,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const checker = checkingClient();
  const listParts = async () => {
    const state = await checker
      .send(new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: `${place}/upload.json` }))
      .then(async (o) => JSON.parse(await o.Body!.transformToString()) as { uploadId: string; key: string })
      .catch(() => undefined);
    if (!state) return [];
    const listed = await checker.send(
      new ListPartsCommand({ Bucket: LOCKED_BUCKET, Key: state.key, UploadId: state.uploadId }),
    );
    return listed.Parts ?? [];
  };
  try {
    const deadline = Date.now() + 60_000;
    while ((await listParts()).length < 3) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the copy never got going: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe(null);
    // A part whose body had fully arrived may still be being written by the server: let it settle.
    await new Promise((r) => setTimeout(r, 500));
    const before = (await listParts()).length;
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(9);

    const client = s3Client(settings, s3Env());
    let sent = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand') sent++;
        return next(args);
      },
      { step: 'initialize', name: 'countParts' },
    );
    const stored = await new S3EvidenceStore(client, settings, undefined, { partBytes: 5 * MiB }).copyFromPath(
      place,
      source,
    );
    expect(sent).toBe(9 - before);
    expect(stored.sha256).toBe(sha(image));
    const { key, versionId } = parseS3Location(stored.location)!;
    const object = await checker.send(new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: key, VersionId: versionId }));
    expect(sha(Buffer.from(await object.Body!.transformToByteArray()))).toBe(sha(image));
    client.destroy();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    checker.destroy();
  }
});
