import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../platform/dev-server';
import { TRAIL_KEY_HELP } from '../../platform/trail-key';
import { WORKER_MAIN } from '../helpers/worker-process';

// The worker's trail key as `npm start` meets it: against a cluster (TEMPORAL_ADDRESS set) a worker
// without one, or with a file that is not an Ed25519 private key, refuses to start with one line naming
// the setting to fix; the embedded default makes one under the data dir, owner-only, and says so.

interface Started {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  tookMs: number;
}

let dataDir: string;
const running = new Set<ReturnType<typeof spawn>>();

/** The environment of a person starting the worker: nothing of this project's settings but what is given. */
function envWith(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!/^(INCIDENT_|TEMPORAL_|SMTP_)/.test(name)) env[name] = value;
  return { ...env, INCIDENT_CONFIG: path.join(dataDir, 'incident.config.json'), INCIDENT_LOG_LEVEL: 'ERROR', ...extra };
}

/** Starts the worker; `until` may end it (SIGTERM) once its output says what the test waits for. */
function start(env: NodeJS.ProcessEnv, until?: (stdout: string) => boolean, timeoutMs = 30_000): Promise<Started> {
  const started = Date.now();
  const child = spawn(process.execPath, [WORKER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  let stopping = false;
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (until && !stopping && until(stdout)) {
      stopping = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`The worker did not exit within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr, tookMs: Date.now() - started });
    });
  });
}

/** Refused at start: exit 1 within seconds, one message on stderr, nothing on stdout, no stack trace. */
function expectRefusedAtStart(r: Started, message: string): void {
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 1, stdout: '', stderr: `${message}\n` });
  expect(r.tookMs).toBeLessThan(10_000);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-trail-key-'));
  const [port, uiPort] = [await freePort(), await freePort()];
  await writeFile(
    path.join(dataDir, 'incident.config.json'),
    JSON.stringify({ dataDir, ingest: { enabled: false }, temporal: { devServer: { port, uiPort } } }),
  );
});

afterAll(async () => {
  for (const child of running) child.kill('SIGTERM');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the trail key at start against a cluster (TEMPORAL_ADDRESS set)', () => {
  // Nothing listens there: a worker that got past its trail key would fail on the connection instead.
  const cluster = { TEMPORAL_ADDRESS: '127.0.0.1:1' };

  it('refuses to start without one, naming INCIDENT_TRAIL_KEY_FILE and trail.keyFile', async () => {
    expectRefusedAtStart(
      await start(envWith(cluster)),
      `No trail key: a worker for a Temporal cluster needs its own key to sign the audit trail. ${TRAIL_KEY_HELP}`,
    );
    expect(TRAIL_KEY_HELP).toBe(
      'Set INCIDENT_TRAIL_KEY_FILE (or trail.keyFile) to an Ed25519 private key in PEM, made with: openssl genpkey -algorithm ed25519 -out trail-key.pem (then chmod 600 trail-key.pem)',
    );
  });

  it('names a key file that cannot be read, is not a private key, or is an RSA key', async () => {
    const setting = 'trail.keyFile (INCIDENT_TRAIL_KEY_FILE)';
    const missing = path.join(dataDir, 'no-such-key.pem');
    expectRefusedAtStart(
      await start(envWith({ ...cluster, INCIDENT_TRAIL_KEY_FILE: missing })),
      `${setting}: cannot read the trail key ${missing} (ENOENT). ${TRAIL_KEY_HELP}`,
    );

    const notKey = path.join(dataDir, 'notes.txt');
    await writeFile(notKey, 'the trail key is in the safe\n');
    const publicOnly = path.join(dataDir, 'trail-public.pem');
    const { publicKey } = generateKeyPairSync('ed25519');
    await writeFile(publicOnly, publicKey.export({ format: 'pem', type: 'spki' }));
    for (const file of [notKey, publicOnly])
      expectRefusedAtStart(
        await start(envWith({ ...cluster, INCIDENT_TRAIL_KEY_FILE: file })),
        `${setting}: ${file} is not a private key in PEM. ${TRAIL_KEY_HELP}`,
      );

    const rsa = path.join(dataDir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(rsa, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    expectRefusedAtStart(
      await start(envWith({ ...cluster, INCIDENT_TRAIL_KEY_FILE: rsa })),
      `${setting}: ${rsa} holds a key of type RSA; the trail key must be Ed25519. ${TRAIL_KEY_HELP}`,
    );
  });
});

describe('the trail key of the embedded default (no TEMPORAL_ADDRESS)', () => {
  it('is made on first start under the data dir, readable by its owner only, says so, and is kept at the next start', async () => {
    const file = path.join(dataDir, 'keys', 'trail-key.pem');
    const ready = (out: string) => out.includes('Open an incident from another terminal:');
    const env = envWith({ INCIDENT_CODEC_PORT: String(await freePort()) });
    const first = await start(env, ready, 180_000);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const created = /^Created the trail key (\S+) \(key ([0-9a-f]{16}), readable by its owner only\)\.$/m.exec(
      first.stdout,
    );
    expect(created?.[1]).toBe(file);
    const keyId = created![2];
    expect(first.stdout).toContain(
      `  Audit trail:   ${path.join(dataDir, 'audit')} (checkpoints signed with trail key ${keyId}, ${file})\n`,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o077).toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    console.log(`[embedded] first start and stop took ${(first.tookMs / 1000).toFixed(1)} s`);

    const second = await start(env, ready, 180_000);
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: '' });
    expect(second.stdout).not.toContain('Created the trail key');
    expect(second.stdout).toContain(`(checkpoints signed with trail key ${keyId}, ${file})`);
    console.log(`[embedded] second start and stop took ${(second.tookMs / 1000).toFixed(1)} s`);
  });
});
