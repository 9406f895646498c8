import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRing } from '../../platform/encryption/key-ring';
import type { StoredEvidence } from '../../stores/evidence-record';
import { EvidenceStore } from '../../stores/evidence-store';
import { importToObjectStore } from '../../stores/s3/s3-import';
import { parseS3Location, storedObjectSha256 } from '../../stores/s3/s3-objects';
import { checkingClient, s3Env, s3Settings } from '../helpers/s3-config';
import { LOCKED_BUCKET } from '../helpers/s3-server';

// Copies encrypted at rest move sealed: the bucket holds the very bytes the data dir did (the seal binds
// no path), and they open there with the same key ring to the hash the copy's record and the trail keep.
// A file larger than one upload part and a directory with nested files, each taken by the files store.

const MiB = 1024 * 1024;
const ring: KeyRing = { activeKeyId: 'k-move', keys: new Map([['k-move', randomBytes(32)]]) };
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const client = checkingClient();
let dataDir: string;
const id = `INC-MOVE-${Date.now().toString(36)}`;
let image: Buffer;
let fileCopy: StoredEvidence;
let treeCopy: StoredEvidence;

async function bucketRecord(system: string): Promise<StoredEvidence> {
  const out = await client.send(
    new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: `evidence/${id}/${system}/round-1/evidence.json` }),
  );
  return JSON.parse(await out.Body!.transformToString()) as StoredEvidence;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-s3-move-'));
  const sources = path.join(dataDir, 'sources');
  image = randomBytes(9 * MiB + 11);
  await mkdir(path.join(sources, 'share', 'etc'), { recursive: true });
  await writeFile(path.join(sources, 'db-01.img'), image);
  await writeFile(path.join(sources, 'share', 'etc', 'shadow'), 'root:$6$x:19000\n');
  await writeFile(path.join(sources, 'share', 'customers.csv'), randomBytes(70_000));
  const store = new EvidenceStore(path.join(dataDir, 'evidence'), ring);
  fileCopy = await store.copyFromPath(store.dirFor(id, 'db-01', 1), path.join(sources, 'db-01.img'));
  treeCopy = await store.copyFromPath(store.dirFor(id, 'share-01', 1), path.join(sources, 'share'));
});

afterAll(async () => {
  client.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('storage migrate --to s3 with copies encrypted at rest', () => {
  it('moves the sealed bytes unchanged, and they open with the key ring to the recorded hashes', async () => {
    const summary = await importToObjectStore(s3Settings({ retentionDays: 1 }), dataDir, s3Env());
    expect(summary.problems).toEqual([]);
    expect(summary.items.copies).toEqual({ copied: 2, alreadyThere: 0 });
    expect(summary.rows.files).toBe(3);

    const movedFile = await bucketRecord('db-01');
    expect(movedFile).toMatchObject({
      sha256: sha(image),
      encryption: fileCopy.encryption,
      migratedFrom: fileCopy.location,
    });
    const where = parseS3Location(movedFile.location)!;
    expect(where.key).toBe(`evidence/${id}/db-01/round-1/image.bin.enc`);
    const raw = await client.send(
      new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: where.key, VersionId: where.versionId }),
    );
    expect(sha(Buffer.from(await raw.Body!.transformToByteArray()))).toBe(sha(await readFile(fileCopy.location)));
    const opened = await storedObjectSha256(client, LOCKED_BUCKET, where.key, where.versionId, ring);
    expect(opened).toEqual({ sha256: sha(image), size: image.length });

    const movedTree = await bucketRecord('share-01');
    expect(movedTree.location).toBe(`s3://${LOCKED_BUCKET}/evidence/${id}/share-01/round-1/tree`);
    expect(movedTree.sha256).toBe(treeCopy.sha256);
    const manifest = await client.send(
      new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: `evidence/${id}/share-01/round-1/MANIFEST.sha256` }),
    );
    expect(sha(await manifest.Body!.transformToString())).toBe(treeCopy.sha256);
    expect(treeCopy.manifest!.map((m) => m.path)).toEqual(['customers.csv', 'etc/shadow']);
    for (const entry of treeCopy.manifest!) {
      const key = `evidence/${id}/share-01/round-1/tree/${entry.path}.enc`;
      expect(await storedObjectSha256(client, LOCKED_BUCKET, key, undefined, ring)).toEqual({
        sha256: entry.sha256,
        size: entry.sizeBytes,
      });
    }

    const again = await importToObjectStore(s3Settings({ retentionDays: 1 }), dataDir, s3Env());
    expect(again.items.copies).toEqual({ copied: 0, alreadyThere: 2 });
    expect(again.rows.files).toBe(0);
  });
});
