import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyPem, trailKeyId } from '../../domain/audit-checkpoint';
import { loadTrailSigner, TRAIL_KEY_HELP, TrailKeyError, trustedTrailKeys } from '../../platform/trail-key';

// The worker's trail key on disk: made once by the embedded default, owner-only, then reused; refused
// when a configured deployment has none; and the public keys a verifier on this machine trusts.

let dir: string;
const settings = (extra: { keyFile?: string; publicKeys?: string[] } = {}, dataDir = dir) => ({
  dataDir,
  trail: { publicKeys: [], ...extra },
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'incident-trail-key-unit-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('loadTrailSigner', () => {
  it('makes the embedded default key under the data dir, 0600 in a 0700 dir, and reuses it afterwards', async () => {
    const first = loadTrailSigner(settings(), { create: true });
    const file = path.join(dir, 'keys', 'trail-key.pem');
    expect(first).toMatchObject({ file, created: true, keyId: trailKeyId(first.publicKey) });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const again = loadTrailSigner(settings(), { create: true });
    expect({ created: again.created, keyId: again.keyId }).toEqual({ created: false, keyId: first.keyId });
    // A worker for a cluster without a key of its own uses the data dir's when one is there.
    expect(loadTrailSigner(settings()).keyId).toBe(first.keyId);
  });

  it('refuses to make one for a worker that must be given its own', async () => {
    const empty = await mkdtemp(path.join(dir, 'empty-'));
    expect(() => loadTrailSigner(settings({}, empty))).toThrow(
      new TrailKeyError(
        `No trail key: a worker for a Temporal cluster needs its own key to sign the audit trail. ${TRAIL_KEY_HELP}`,
      ),
    );
  });

  it('reads trail.keyFile, and names it when it is not an Ed25519 private key', async () => {
    const good = path.join(dir, 'given.pem');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await writeFile(good, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    expect(loadTrailSigner(settings({ keyFile: good }), { create: true })).toMatchObject({
      file: good,
      created: false,
      keyId: trailKeyId(publicKey),
    });
    const ec = path.join(dir, 'ec.pem');
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await writeFile(ec, ecKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => loadTrailSigner(settings({ keyFile: ec }))).toThrow(
      `trail.keyFile (INCIDENT_TRAIL_KEY_FILE): ${ec} holds a key of type EC; the trail key must be Ed25519. ${TRAIL_KEY_HELP}`,
    );
  });
});

describe('trustedTrailKeys', () => {
  it('trusts the listed public keys and the key of this machine, by key id', async () => {
    const own = loadTrailSigner(settings());
    const rotated = generateKeyPairSync('ed25519').publicKey;
    const keys = trustedTrailKeys(settings({ publicKeys: [publicKeyPem(rotated)] }));
    expect([...keys.keys()].sort()).toEqual([own.keyId, trailKeyId(rotated)].sort());
    expect(await readFile(own.file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('names a listed key that cannot be read', () => {
    expect(() => trustedTrailKeys(settings({ publicKeys: ['not-a-key'] }))).toThrow(
      new TrailKeyError(
        'trail.publicKeys[0]: "not-a-key…" is not an Ed25519 public key: give a PEM public key or the raw 32-byte key in base64',
      ),
    );
  });
});
