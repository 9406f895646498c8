import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { ManifestConflictError, postgresEvidenceManifests } from '../../stores/postgres/pg-evidence-manifests';
import { createIncidentWorker } from '../../worker/create-worker';
import { labConfig, uniqueId } from '../helpers/fixtures';

// The installation's index of forensic copies in PostgreSQL: a worker on storage.postgres records each
// copy it takes (where, its SHA-256, who took it) in an append-only table every machine reads; a retried
// record of the same copy is a no-op, another copy for the same round is refused, and nobody rewrites
// a row, the owner included.

const pools: pg.Pool[] = [];
const pool = (url: string) => {
  const p = new pg.Pool({ connectionString: url, max: 2 });
  pools.push(p);
  return p;
};

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

describe('evidence manifests in PostgreSQL', () => {
  it("records each copy a worker takes, with the copy's hash, once; refuses another copy for the same round and any rewrite", async () => {
    const { config, images } = await labConfig({ systems: ['db-01'] });
    config.temporal.taskQueue = uniqueId('manifests');
    config.storage.postgres = {
      url: inject('postgresWorkerUrl'),
      migrationUrl: inject('postgresOwnerUrl'),
      poolMax: 4,
      statementTimeoutMs: 10_000,
    };
    const connection = await Connection.connect({ address: inject('devServerAddress') });
    const nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
    const { worker, mailer, storage } = await createIncidentWorker(nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
    const manifests = postgresEvidenceManifests(pool(inject('postgresWorkerUrl')));
    const id = uniqueId('MAN');
    try {
      await worker.runUntil(async () => {
        await incidents.open({
          incidentId: id,
          title: 'Database server copied',
          severity: 'SEV2',
          category: 'other',
          systems: ['db-01'],
          detection: 'test',
          awareAt: new Date().toISOString(),
          openedBy: 'alice',
        });
        await expect.poll(async () => (await manifests.list(id)).length, { timeout: 60_000 }).toBe(1);
      });
    } finally {
      mailer.close();
      await storage.close();
      await connection.close();
      await nativeConnection.close();
    }
    const [manifest] = await manifests.list(id);
    const imageHash = createHash('sha256')
      .update(await readFile(images['db-01']))
      .digest('hex');
    expect(manifest).toMatchObject({ incidentId: id, system: 'db-01', round: 1 });
    expect(manifest.record).toMatchObject({ sha256: imageHash, source: images['db-01'], kind: 'file' });
    expect(manifest.record.collectedBy).toMatch(/ \(worker .+\)$/);

    await manifests.record(manifest); // a retried activity: nothing changes
    expect(await manifests.list(id)).toEqual([manifest]);
    const other = { ...manifest, record: { ...manifest.record, sha256: 'f'.repeat(64) } };
    const refused = await manifests.record(other).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(ManifestConflictError);
    expect((refused as Error).message).toBe(
      `Evidence of db-01 (round 1) for ${id} is already recorded with SHA-256 ${imageHash} at ${manifest.record.location}; this copy (${'f'.repeat(64)}) is not recorded. Compare the two copies before going on.`,
    );

    const asWorker = pool(inject('postgresWorkerUrl'));
    for (const sql of [
      `UPDATE evidence_manifests SET sha256 = 'x' WHERE incident_id = '${id}'`,
      `DELETE FROM evidence_manifests WHERE incident_id = '${id}'`,
      'TRUNCATE evidence_manifests',
    ])
      await expect(asWorker.query(sql), sql).rejects.toThrow(/permission denied for table evidence_manifests/);
    const asOwner = pool(inject('postgresOwnerUrl'));
    for (const [sql, op] of [
      [`UPDATE evidence_manifests SET sha256 = 'x' WHERE incident_id = '${id}'`, 'UPDATE'],
      [`DELETE FROM evidence_manifests WHERE incident_id = '${id}'`, 'DELETE'],
      ['TRUNCATE evidence_manifests', 'TRUNCATE'],
    ])
      await expect(asOwner.query(sql), sql).rejects.toThrow(
        `the audit trail is append-only: ${op} on evidence_manifests refused`,
      );
    expect(await manifests.list(id)).toEqual([manifest]);
  }, 120_000);
});
