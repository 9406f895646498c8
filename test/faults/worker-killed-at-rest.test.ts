import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { sha256OfFile, sha256OfSealedFile } from '../../stores/evidence-hashing';
import { IncidentClient } from '../../client/incident-client';
import { dataConverterFor } from '../../platform/encryption/codec';
import { parseKeyRing } from '../../platform/encryption/key-ring';
import { uniqueId } from '../helpers/fixtures';
import { workerProcesses, workerSetup, writeImage } from '../helpers/worker-process';

// The SIGKILL test again, with the copy encrypted at rest (a key ring in the environment, atRest left at
// auto): the next worker process resumes the sealed partial copy under the same file key, the recorded
// SHA-256 is that of the original image, and the stored copy decrypts to exactly that image.

const IMAGE_MIB = 384;
const MiB = 1024 * 1024;

let connection: Connection;
const workers = workerProcesses();

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
});

afterAll(async () => {
  workers.killAll();
  await connection?.close();
});

async function firstBytes(file: string, n: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    await handle.read(buf, 0, n, 0);
    return buf;
  } finally {
    await handle.close();
  }
}

describe('worker killed mid-copy, evidence encrypted at rest', () => {
  it('resumes the sealed copy under the same file key, with the hash of the original image', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-kill-at-rest-'));
    const image = path.join(dataDir, 'big-01.img');
    await writeImage(image, IMAGE_MIB);
    const expected = await sha256OfFile(image);
    const keys = `k1:${randomBytes(32).toString('base64')}`;
    const { env, taskQueue } = await workerSetup(dataDir, 'kill-at-rest', {
      config: {
        systems: {
          'big-01': {
            isolation: { driver: 'command', isolate: ['true'], release: ['true'] },
            evidence: { driver: 'local', path: image },
          },
        },
      },
      env: { INCIDENT_PAYLOAD_KEYS: keys },
    });
    for (const name of ['INCIDENT_PAYLOAD_KEYS_FILE', 'INCIDENT_PAYLOAD_ACTIVE_KEY', 'INCIDENT_AT_REST_ENCRYPTION'])
      delete env[name];
    const ring = parseKeyRing(keys);
    const incidents = new IncidentClient(new Client({ connection, dataConverter: dataConverterFor(ring) }), taskQueue);
    const incidentId = uniqueId('KILL');

    const first = workers.start(env);
    await incidents.open({
      incidentId,
      title: 'Copy interrupted',
      severity: 'SEV1',
      category: 'intrusion',
      systems: ['big-01'],
      detection: 'test',
      awareAt: new Date().toISOString(),
      openedBy: 'alice',
    });
    const roundDir = path.join(dataDir, 'evidence', incidentId, 'big-01', 'round-1');
    const partial = path.join(roundDir, 'image.bin.enc.partial');
    const deadline = Date.now() + 90_000;
    let copied = 0;
    while (Date.now() < deadline) {
      copied = await stat(partial).then(
        (s) => s.size,
        () => 0,
      );
      if (copied > 64 * MiB) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(copied).toBeGreaterThan(64 * MiB);
    expect(copied).toBeLessThan(IMAGE_MIB * MiB);
    const headerAtKill = await firstBytes(partial, 60);

    const second = workers.start(env);
    const view = await incidents.waitFor(incidentId, (v) => v.state.systems[0].evidence.state === 'done', 180_000);
    const record = view.state.systems[0].evidenceRecords[0];
    expect(record.sha256).toBe(expected);
    expect(record.sizeBytes).toBe(IMAGE_MIB * MiB);
    expect(record.location).toBe(path.join(roundDir, 'image.bin.enc'));
    expect(record.encryption).toEqual({ cipher: 'AES-256-GCM', format: 'incident-at-rest/1', keyId: 'k1' });
    // Same salt and nonce prefix: the second worker continued the first one's file instead of starting over.
    expect((await firstBytes(record.location, 60)).equals(headerAtKill)).toBe(true);
    expect(await sha256OfSealedFile(record.location, ring)).toEqual({ sha256: expected, size: IMAGE_MIB * MiB });
    expect((await readdir(roundDir)).sort()).toEqual(['evidence.json', 'image.bin.enc']);

    const audit = new JsonlAuditStore(path.join(dataDir, 'audit'));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await audit.verify(incidentId)).toMatchObject({ ok: true });
    const entries = await audit.read(incidentId);
    expect(entries.filter((e) => e.action === 'evidence.collected')).toHaveLength(1);
    second.kill('SIGKILL');
    await new Promise((r) => second.once('exit', r));
    await chmod(roundDir, 0o755);
    await rm(dataDir, { recursive: true, force: true });
  });
});
