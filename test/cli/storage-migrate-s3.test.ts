import { createHash } from 'node:crypto';
import { chmod, cp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, GetObjectRetentionCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseS3Location } from '../../stores/s3/s3-objects';
import { checkingClient, s3Env } from '../helpers/s3-config';
import { LOCKED_BUCKET, UNLOCKED_BUCKET } from '../helpers/s3-server';
import { closedIncident, expectNoStack, expectOk, startCliWorld, uniqueId, type CliWorld } from './harness';

// An installation that kept its forensic copies and reports in its data dir moves them into the locked
// bucket with `incident storage migrate --to s3`, through the built CLI: each copy lands under the keys a
// worker on storage.s3 uses, locked in COMPLIANCE mode and the same bytes; the files stay as they were; a
// second run copies nothing; `evidence export` and `report --stored` then read them from the bucket once
// the data dir no longer has them; and a round or report the bucket holds differently is refused by name.

let world: CliWorld;
const ids: string[] = [];
const checker = checkingClient();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const toS3 = (bucket = LOCKED_BUCKET) => ({ ...s3Env(), S3_ENDPOINT: inject('s3Endpoint'), S3_BUCKET: bucket });

async function fingerprint(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile())
      files.set(path.join(entry.parentPath, entry.name), sha(await readFile(path.join(entry.parentPath, entry.name))));
  return files;
}

async function object(Key: string, VersionId?: string): Promise<Buffer> {
  const out = await checker.send(new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key, VersionId }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

const localRecord = async (dataDir: string, id: string) =>
  JSON.parse(await readFile(path.join(dataDir, 'evidence', id, 'web-01', 'round-1', 'evidence.json'), 'utf8'));

beforeAll(async () => {
  world = await startCliWorld('migrate-s3');
  for (const n of [1, 2]) ids.push(await closedIncident(world, uniqueId(`INC-MS3${n}`), `Moved ${n}`));
  await world.stopWorker();
});

afterAll(async () => {
  checker.destroy();
  await world?.stop();
});

describe('incident storage migrate --to s3', () => {
  it('puts every copy and report in the bucket under the worker keys, locked and read back, leaving the files as they were', async () => {
    const before = await fingerprint(world.dataDir);
    const reports = (await Promise.all(ids.map((id) => readdir(path.join(world.dataDir, 'reports', id))))).flat();
    expect(reports.length).toBeGreaterThanOrEqual(ids.length);

    // With PostgreSQL configured as well, the installation's evidence index learns the copies in the bucket.
    const first = expectOk(
      await world.run(['storage', 'migrate', '--to', 's3', '--json'], {
        ...toS3(),
        DATABASE_URL: inject('postgresWorkerUrl'),
        DATABASE_MIGRATION_URL: inject('postgresOwnerUrl'),
      }),
    );
    const summary = JSON.parse(first.stdout);
    expect(summary.problems).toEqual([]);
    expect(summary.items.copies).toEqual({ copied: ids.length, alreadyThere: 0 });
    expect(summary.items.reports).toEqual({ copied: reports.length, alreadyThere: 0 });
    expect(summary.rows).toEqual({ files: ids.length, bytes: ids.length * 1024 * 1024 });
    expect(summary.items.manifests).toEqual({ copied: ids.length, alreadyThere: 0 });
    expect(await fingerprint(world.dataDir)).toEqual(before);
    const owner = new pg.Pool({ connectionString: inject('postgresOwnerUrl'), max: 1 });
    try {
      const { rows } = await owner.query<{ location: string }>(
        "SELECT record->>'location' AS location FROM evidence_manifests WHERE incident_id = ANY($1)",
        [ids],
      );
      expect(rows.map((r) => r.location).sort()).toEqual(
        ids.map((id) =>
          expect.stringMatching(
            new RegExp(`^s3://${LOCKED_BUCKET}/evidence/${id}/web-01/round-1/image\\.bin\\?versionId=`),
          ),
        ),
      );
    } finally {
      await owner.end();
    }

    for (const id of ids) {
      const local = await localRecord(world.dataDir, id);
      const place = `evidence/${id}/web-01/round-1`;
      const moved = JSON.parse((await object(`${place}/evidence.json`)).toString('utf8'));
      expect(moved).toMatchObject({ sha256: local.sha256, sizeBytes: local.sizeBytes, migratedFrom: local.location });
      expect(moved.location).toMatch(new RegExp(`^s3://${LOCKED_BUCKET}/${place}/image\\.bin\\?versionId=.+$`));
      const { key, versionId } = parseS3Location(moved.location)!;
      expect(sha(await object(key, versionId))).toBe(local.sha256);
      for (const [k, v] of [
        [key, versionId],
        [`${place}/evidence.json`, undefined],
      ]) {
        const retention = await checker.send(
          new GetObjectRetentionCommand({ Bucket: LOCKED_BUCKET, Key: k, VersionId: v }),
        );
        expect(retention.Retention?.Mode).toBe('COMPLIANCE');
        expect(retention.Retention!.RetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + 7 * 365 * 86_400_000);
      }
      for (const file of await readdir(path.join(world.dataDir, 'reports', id)))
        expect(await object(`reports/${id}/${file}`)).toEqual(
          await readFile(path.join(world.dataDir, 'reports', id, file)),
        );
    }

    const again = expectOk(await world.run(['storage', 'migrate', '--to', 's3'], toS3()));
    expect(again.stdout).toContain(`evidence copies  0 copied (0 files, 0 bytes), ${ids.length} already there`);
    expect(again.stdout).toContain(`reports          0 copied, ${reports.length} already there`);
    expect(again.stdout).toContain('locked in COMPLIANCE mode for 2557 days; the local files are unchanged.');
    const versions = await checker.send(
      new ListObjectVersionsCommand({ Bucket: LOCKED_BUCKET, Prefix: `evidence/${ids[0]}/web-01/round-1/image.bin` }),
    );
    expect(versions.Versions?.length).toBe(1);
  });

  it('exports a moved copy from the bucket, checked against the trail, once the data dir no longer holds it', async () => {
    const evidence = path.join(world.dataDir, 'evidence');
    const reportsDir = path.join(world.dataDir, 'reports');
    const id = ids[0];
    const local = await localRecord(world.dataDir, id);
    await rename(evidence, `${evidence}.gone`);
    await rename(reportsDir, `${reportsDir}.gone`);
    try {
      const out = path.join(world.dataDir, 'web-01.exported.img');
      const exported = expectOk(
        await world.run(['evidence', 'export', id, 'web-01', '--out', out, '--offline'], toS3()),
      );
      expect(exported.stdout).toContain(`SHA-256 ${local.sha256} matches the audit trail`);
      expect(sha(await readFile(out))).toBe(local.sha256);
      const report = expectOk(await world.run(['report', id, '--kind', 'rfo', '--stored'], toS3()));
      expect(report.stdout).toContain('Moved 1');

      const nowhere = await world.run(['evidence', 'export', id, 'web-01', '--out', `${out}.2`, '--offline']);
      expect(nowhere.code).toBe(1);
      expectNoStack(nowhere);
      expect(nowhere.stderr).toContain(
        "is missing. Run this where the worker's data dir is (INCIDENT_DATA_DIR), or, if it was moved with incident storage migrate --to s3, with storage.s3 set.",
      );
    } finally {
      await rename(`${evidence}.gone`, evidence);
      await rename(`${reportsDir}.gone`, reportsDir);
    }
  });

  it('refuses by name a round or report the bucket holds differently, and a copy that does not match its record, writing nothing for them', async () => {
    const other = path.join(world.dataDir, 'elsewhere');
    for (const dir of ['evidence', 'reports'])
      await cp(path.join(world.dataDir, dir), path.join(other, dir), { recursive: true });
    const [changedId, untouchedId] = ids;
    const round = (id: string, n = 1) => path.join(other, 'evidence', id, 'web-01', `round-${n}`);
    // Another copy of the same round: different bytes under a record that agrees with them.
    const changed = Buffer.alloc(4096, 7);
    await chmod(round(changedId), 0o755);
    await chmod(path.join(round(changedId), 'image.bin'), 0o644);
    await chmod(path.join(round(changedId), 'evidence.json'), 0o644);
    await writeFile(path.join(round(changedId), 'image.bin'), changed);
    const record = await localRecord(other, changedId);
    await writeFile(
      path.join(round(changedId), 'evidence.json'),
      JSON.stringify({ ...record, sha256: sha(changed), sizeBytes: changed.length }),
    );
    // A round the bucket has never seen, whose bytes are not the ones its record names.
    await cp(round(untouchedId), round(untouchedId, 2), { recursive: true });
    await chmod(round(untouchedId, 2), 0o755);
    await chmod(path.join(round(untouchedId, 2), 'image.bin'), 0o644);
    await writeFile(path.join(round(untouchedId, 2), 'image.bin'), Buffer.alloc(1000, 1));
    const rfo = path.join(other, 'reports', untouchedId, 'rfo.md');
    await writeFile(rfo, 'An older rendering\n');
    const bucketRecord = await object(`evidence/${changedId}/web-01/round-1/evidence.json`);

    const r = await world.run(['storage', 'migrate', '--to', 's3'], { ...toS3(), INCIDENT_DATA_DIR: other });
    expect(r.code).toBe(1);
    expectNoStack(r);
    expect(r.stderr).toContain('3 item(s) not copied');
    expect(r.stderr).toContain(
      `${round(changedId)} was not moved: s3://${LOCKED_BUCKET}/evidence/${changedId}/web-01/round-1 already holds a different copy (SHA-256 ${record.sha256}, here ${sha(changed)})`,
    );
    expect(r.stderr).toContain(
      `${round(untouchedId, 2)} was not moved: ${path.join(round(untouchedId, 2), 'image.bin')} does not match its record`,
    );
    expect(r.stderr).toContain(`${rfo} was not moved: reports/${untouchedId}/ in bucket ${LOCKED_BUCKET} at`);
    expect(r.stdout).toContain(`evidence copies  0 copied (0 files, 0 bytes), ${ids.length - 1} already there`);
    expect(await object(`evidence/${changedId}/web-01/round-1/evidence.json`)).toEqual(bucketRecord);
    await expect(object(`evidence/${untouchedId}/web-01/round-2/evidence.json`)).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    expect((await object(`reports/${untouchedId}/rfo.md`)).toString()).not.toBe('An older rendering\n');
  });

  it('says what to set without storage.s3 or its credentials, and copies nothing into a bucket without Object Lock', async () => {
    const none = await world.run(['storage', 'migrate', '--to', 's3']);
    expect(none.code).toBe(2);
    expectNoStack(none);
    expect(none.stderr).toContain('storage.s3 is not configured: set S3_ENDPOINT and S3_BUCKET');
    const noKeys = await world.run(['storage', 'migrate', '--to', 's3'], {
      ...toS3(),
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain('storage.s3 is set but its credentials are not: set AWS_ACCESS_KEY_ID');
    const unlocked = await world.run(['storage', 'migrate', '--to', 's3'], toS3(UNLOCKED_BUCKET));
    expect(unlocked.code).toBe(1);
    expectNoStack(unlocked);
    expect(unlocked.stderr).toContain(`Object Lock is not enforced by bucket ${UNLOCKED_BUCKET} at`);
    expect(unlocked.stderr).toContain('Nothing was copied.');
    expect(unlocked.stderr + unlocked.stdout).not.toContain(inject('s3SecretAccessKey'));
  });
});
