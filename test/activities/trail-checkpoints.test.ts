import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../domain/audit-chain';
import { parseCheckpoint, publicKeyPem, trailKeyId } from '../../domain/audit-checkpoint';
import { verifyTrail } from '../../domain/trail-verification';
import { parseConfig } from '../../platform/config/schema';
import { crashingFaultPoints } from '../../platform/fault-points';
import { loadTrailSigner, trustedTrailKeys } from '../../platform/trail-key';
import { JsonlAuditStore } from '../../stores/audit-store';

// The store's signed checkpoints, in-process: one per append for the new head, a head left unsigned by
// a crash signed by the next append first, and a rotated trail key verified with the old public key
// listed in configuration.

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'incident-checkpoints-'));
const record = (seq: number): AuditRecord => ({
  incidentId: 'INC-1',
  seq,
  at: '2025-03-01T10:00:00.000Z',
  actor: 'system',
  action: 'note.added',
  details: { note: `step ${seq}` },
});
const records = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => record(from + i));

async function newKey(dir: string, name: string): Promise<string> {
  const file = path.join(dir, `${name}.pem`);
  const { privateKey } = generateKeyPairSync('ed25519');
  await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return file;
}

async function checkpointsOf(store: JsonlAuditStore) {
  const text = await readFile(store.checkpointsFileOf('INC-1'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => parseCheckpoint(l)!);
}

const settings = (dataDir: string, keyFile: string, publicKeys: string[] = []) =>
  parseConfig({ dataDir, trail: { keyFile, publicKeys } }, {}, 'test');

describe('signed checkpoints beside the trail', () => {
  it('signs the new head after each append, with both clocks, and none again for a retried append', async () => {
    const dir = await tmp();
    const signer = loadTrailSigner(settings(dir, await newKey(dir, 'trail')));
    const store = new JsonlAuditStore(path.join(dir, 'audit'), undefined, signer);
    const first = await store.append('INC-1', records(1, 3), { temporalAt: '2025-03-01T10:00:01.000Z' });
    expect(first).toMatchObject({ written: 3, lastSeq: 3, head: { seq: 3 }, checkpoint: { seq: 3 } });
    await store.append('INC-1', records(4, 4), { temporalAt: '2025-03-01T10:00:02.000Z' });
    // A retry of the same append finds its entries and its checkpoint, and writes neither again.
    expect(await store.append('INC-1', records(4, 4))).toMatchObject({ written: 0, lastSeq: 4, head: { seq: 4 } });
    const cps = await checkpointsOf(store);
    expect(cps.map((c) => [c.seq, c.keyId, c.temporalAt])).toEqual([
      [3, signer.keyId, '2025-03-01T10:00:01.000Z'],
      [4, signer.keyId, '2025-03-01T10:00:02.000Z'],
    ]);
    const entries = await store.read('INC-1');
    expect(cps.map((c) => c.hash)).toEqual([entries[2].hash, entries[3].hash]);
    expect(Date.parse(cps[1].at)).toBeGreaterThan(Date.parse('2026-01-01'));
  });

  it('after a crash between the append and its checkpoint, the next append signs the old head first', async () => {
    const dir = await tmp();
    const signer = loadTrailSigner(settings(dir, await newKey(dir, 'trail')));
    const auditDir = path.join(dir, 'audit');
    await new JsonlAuditStore(auditDir, undefined, signer).append('INC-1', records(1, 2));
    const crashing = new JsonlAuditStore(
      auditDir,
      crashingFaultPoints({ point: 'audit-before-checkpoint', occurrence: 1 }, () => {
        throw new Error('simulated crash at audit-before-checkpoint');
      }),
      signer,
    );
    await expect(crashing.append('INC-1', records(3, 4))).rejects.toThrow('simulated crash');
    const next = new JsonlAuditStore(auditDir, undefined, signer);
    const config = settings(dir, signer.file);
    const trailText = () => readFile(next.fileOf('INC-1'), 'utf8');
    const uncovered = verifyTrail({
      incidentId: 'INC-1',
      trailText: await trailText(),
      checkpointsText: await readFile(next.checkpointsFileOf('INC-1'), 'utf8'),
      keys: trustedTrailKeys(config),
    });
    expect(uncovered.checks[1]).toEqual({
      check: 'checkpoints',
      ok: false,
      message:
        'entries 3–4 are covered by no checkpoint: written after the last checkpoint, or its checkpoints were removed',
    });
    await next.append('INC-1', records(5, 5));
    expect((await checkpointsOf(next)).map((c) => c.seq)).toEqual([2, 4, 5]);
    const verdict = verifyTrail({
      incidentId: 'INC-1',
      trailText: await trailText(),
      checkpointsText: await readFile(next.checkpointsFileOf('INC-1'), 'utf8'),
      keys: trustedTrailKeys(config),
    });
    expect(verdict).toMatchObject({ ok: true, entries: 5 });
  });

  it('verifies across a key rotation when the old public key is listed in trail.publicKeys, and names it when not', async () => {
    const dir = await tmp();
    const auditDir = path.join(dir, 'audit');
    const oldSigner = loadTrailSigner(settings(dir, await newKey(dir, 'old')));
    const newSigner = loadTrailSigner(settings(dir, await newKey(dir, 'new')));
    await new JsonlAuditStore(auditDir, undefined, oldSigner).append('INC-1', records(1, 2));
    const store = new JsonlAuditStore(auditDir, undefined, newSigner);
    await store.append('INC-1', records(3, 3));
    const check = async (publicKeys: string[]) =>
      verifyTrail({
        incidentId: 'INC-1',
        trailText: await readFile(store.fileOf('INC-1'), 'utf8'),
        checkpointsText: await readFile(store.checkpointsFileOf('INC-1'), 'utf8'),
        keys: trustedTrailKeys(settings(dir, newSigner.file, publicKeys)),
      });
    const oldPem = publicKeyPem(oldSigner.publicKey);
    expect((await check([oldPem])).checks[1]).toEqual({
      check: 'checkpoints',
      ok: true,
      message: `2 signed checkpoints (key ${oldSigner.keyId}, ${newSigner.keyId}) cover all 3 entries`,
    });
    // The raw 32-byte key in base64 is accepted too, as an environment variable can carry it.
    const raw = Buffer.from(String(oldSigner.publicKey.export({ format: 'jwk' }).x), 'base64url').toString('base64');
    expect((await check([raw])).ok).toBe(true);
    expect(trailKeyId(oldSigner.publicKey)).toBe(oldSigner.keyId);
    const without = await check([]);
    expect(without.checks[1].message).toMatch(
      new RegExp(
        `^checkpoint 1 \\(seq 2, signed at \\S+\\) is signed by key ${oldSigner.keyId}, which is not a trusted trail key \\(list it in trail\\.publicKeys if it is yours\\)$`,
      ),
    );
  });

  it('reads INCIDENT_TRAIL_KEY_FILE and INCIDENT_TRAIL_PUBLIC_KEYS, and names a bad public key', async () => {
    const dir = await tmp();
    const keyFile = await newKey(dir, 'env');
    const config = parseConfig(
      {},
      { INCIDENT_DATA_DIR: dir, INCIDENT_TRAIL_KEY_FILE: keyFile, INCIDENT_TRAIL_PUBLIC_KEYS: 'bm90IGEga2V5' },
      'env',
    );
    expect(config.trail).toEqual({ keyFile, publicKeys: ['bm90IGEga2V5'], maxClockSkewSeconds: 120 });
    expect(() => trustedTrailKeys(config)).toThrow(
      'trail.publicKeys[0]: "bm90IGEga2V5…" is not an Ed25519 public key: give a PEM public key or the raw 32-byte key in base64',
    );
  });
});
