import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { WORKER_MAIN } from '../helpers/worker-process';
import { s3Env } from '../helpers/s3-config';
import { UNLOCKED_BUCKET } from '../helpers/s3-server';

// `npm start` against a cluster with storage.s3 naming a bucket without Object Lock: the worker process
// connects, probes the bucket, and exits 1 before it polls, with one line on stderr and no stack trace.

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'incident-s3-start-'));
  const { privateKey } = generateKeyPairSync('ed25519');
  await writeFile(path.join(dir, 'trail-key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }), {
    mode: 0o600,
  });
  await writeFile(
    path.join(dir, 'incident.config.json'),
    JSON.stringify({ dataDir: dir, ingest: { enabled: false }, board: { enabled: false } }),
  );
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startWorker(extra: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!/^(INCIDENT_|TEMPORAL_|SMTP_|AWS_|S3_)/.test(name)) env[name] = value;
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      ...env,
      INCIDENT_CONFIG: path.join(dir, 'incident.config.json'),
      INCIDENT_TRAIL_KEY_FILE: path.join(dir, 'trail-key.pem'),
      INCIDENT_LOG_LEVEL: 'ERROR',
      TEMPORAL_ADDRESS: inject('devServerAddress'),
      S3_ENDPOINT: inject('s3Endpoint'),
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

it('refuses to start on a bucket without Object Lock, and with wrong credentials, each in one line', async () => {
  const endpoint = inject('s3Endpoint');
  const unlocked = await startWorker({ ...s3Env(), S3_BUCKET: UNLOCKED_BUCKET });
  expect(unlocked).toEqual({
    code: 1,
    stdout: '',
    stderr: `Object Lock is not enforced by bucket ${UNLOCKED_BUCKET} at ${endpoint}: it refuses an object with a COMPLIANCE retention (InvalidRequest: Bucket is missing ObjectLockConfiguration). Forensic copies there could be deleted or replaced; create the bucket with Object Lock enabled (which turns versioning on) on a server that enforces it. The worker did not start.\n`,
  });
  const secretFile = path.join(dir, 'aws-secret');
  await writeFile(secretFile, 'not-the-secret\n', { mode: 0o600 });
  const wrong = await startWorker({
    AWS_ACCESS_KEY_ID: s3Env().AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY_FILE: secretFile,
    S3_BUCKET: 'evidence-locked',
  });
  expect(wrong).toEqual({
    code: 1,
    stdout: '',
    stderr: `The object store could not be checked: the credentials were refused by ${endpoint} (SignatureDoesNotMatch): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. The worker did not start.\n`,
  });
});
