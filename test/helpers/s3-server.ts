import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../platform/dev-server';
import { resolveVersitygw } from '../../platform/versitygw-binary';

// The Versity S3 Gateway for one test run: its posix backend in a temporary directory, with a directory
// for the versions an Object Lock bucket keeps, on a free loopback port, with a root access key. Two buckets: one created with Object Lock, as an operator must, and one
// without, which the worker's start-up probe must refuse.

export const LOCKED_BUCKET = 'evidence-locked';
export const UNLOCKED_BUCKET = 'evidence-unlocked';

export interface TestS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops the server (the store "down"), keeping its data; start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

const ACCESS_KEY = 'test-root-access';
const SECRET_KEY = 'test-root-secret-not-for-production';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function startTestS3(cacheDir: string): Promise<TestS3> {
  const binary = await resolveVersitygw({ cacheDir, log: (line) => console.log(`[setup] ${line}`) });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-s3-'));
  const root = path.join(dir, 'data');
  const versions = path.join(dir, 'versions');
  await mkdir(root);
  await mkdir(versions);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    let log = '';
    const child = spawn(
      binary,
      [
        '--access',
        ACCESS_KEY,
        '--secret',
        SECRET_KEY,
        '--port',
        `127.0.0.1:${port}`,
        'posix',
        '--versioning-dir',
        versions,
        root,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (d: Buffer) => (log = (log + d.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    server = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (let i = 0; !(await listening(port)); i++) {
      if (i > 200 || child.exitCode !== null) throw new Error(`The S3 server (versitygw) did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    if (!server || server.exitCode !== null) return;
    server.kill('SIGTERM');
    await exited;
  };
  await start();
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  await client.send(new CreateBucketCommand({ Bucket: LOCKED_BUCKET, ObjectLockEnabledForBucket: true }));
  await client.send(new CreateBucketCommand({ Bucket: UNLOCKED_BUCKET }));
  client.destroy();
  return {
    endpoint,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
