import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditRecord } from '../../domain/audit-entry';
import { trailKeyFingerprint } from '../../domain/audit-checkpoint';
import { verifyTrail } from '../../domain/trail-verification';
import { parseConfig } from '../../platform/config/schema';
import { checkSchema, migrate, SCHEMA_VERSION } from '../../stores/postgres/migrations';
import { AuditConflictError, PostgresAuditStore } from '../../stores/postgres/pg-audit-store';
import { describePostgres, postgresPool, roleOf, StorageConfigError } from '../../stores/postgres/pg-pool';
import { uniqueId } from '../helpers/fixtures';

// The audit trail in PostgreSQL from Debian's packages, as two workers on two machines share it: the
// owner migrates, the worker's role may only insert and select, a trigger refuses rewriting to everyone,
// a retried append is a no-op only when it is the same entry, and concurrent appends never interleave.

const ownerUrl = () => inject('postgresOwnerUrl');
const workerUrl = () => inject('postgresWorkerUrl');
const settings = (url: string) =>
  parseConfig({ dataDir: '/tmp', storage: { postgres: { url } } }, {}, 'test').storage.postgres!;

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signing = { keyId: trailKeyFingerprint(publicKey), privateKey };
const pools: pg.Pool[] = [];
const pool = (url: string) => {
  const p = postgresPool(settings(url), url);
  pools.push(p);
  return p;
};

function records(incidentId: string, from: number, to: number, actor = 'alice'): AuditRecord[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    incidentId,
    seq: from + i,
    at: new Date(Date.UTC(2026, 11, 3, 10, 0, from + i)).toISOString(),
    actor,
    action: 'note.added',
    details: { text: `entry ${from + i}` },
  }));
}

let worker: PostgresAuditStore;

beforeAll(async () => {
  await migrate(pool(ownerUrl()), roleOf(workerUrl()));
  worker = new PostgresAuditStore(pool(workerUrl()), describePostgres(workerUrl()), undefined, signing);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

describe('the audit trail in PostgreSQL', () => {
  it('appends, signs each head, and reads back the same JSON lines the file store writes', async () => {
    const id = uniqueId('PG');
    const first = await worker.append(id, records(id, 1, 3), { temporalAt: '2026-12-03T10:00:05.000Z' });
    expect(first).toMatchObject({ written: 3, lastSeq: 3 });
    const again = await worker.append(id, records(id, 1, 3));
    expect(again).toMatchObject({ written: 0, lastSeq: 3, head: first.head });
    await worker.append(id, records(id, 4, 5));
    const entries = await worker.read(id);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await worker.verify(id)).toMatchObject({ ok: true, entries: 5 });
    const verdict = verifyTrail({
      incidentId: id,
      trailText: (await worker.trailText(id))!,
      checkpointsText: await worker.checkpointsText(id),
      keys: new Map([[signing.keyId, publicKey]]),
    });
    expect(verdict.ok, JSON.stringify(verdict.checks)).toBe(true);
    expect(verdict.checkpoints.map((c) => c.seq)).toEqual([3, 5]);
    expect(await worker.trailText(uniqueId('NONE'))).toBeUndefined();
  });

  it('refuses a retried append whose entry differs from the stored one, writing nothing', async () => {
    const id = uniqueId('PG');
    await worker.append(id, records(id, 1, 2));
    const forged = records(id, 2, 3, 'mallory');
    await expect(worker.append(id, forged)).rejects.toThrow(AuditConflictError);
    await expect(worker.append(id, forged)).rejects.toThrow(
      `Audit conflict for ${id}: seq 2 is already stored with other content; this append is refused and nothing was written.`,
    );
    expect((await worker.read(id)).map((e) => [e.seq, e.actor])).toEqual([
      [1, 'alice'],
      [2, 'alice'],
    ]);
    await expect(worker.append(id, records(id, 4, 4))).rejects.toThrow(/Audit gap .* ends at seq 2 .* seq 4/);
  });

  it('two workers appending to one incident at once: the same entries are written once; different ones, never both', async () => {
    const other = new PostgresAuditStore(pool(workerUrl()), 'other', undefined, signing);
    const id = uniqueId('PG');
    const same = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? worker : other).append(id, records(id, 1, 10))),
    );
    expect(same.reduce((n, r) => n + r.written, 0)).toBe(10);
    expect(new Set(same.map((r) => r.head?.hash)).size).toBe(1);
    const outcomes = await Promise.allSettled([
      worker.append(id, records(id, 11, 12, 'alice')),
      other.append(id, records(id, 11, 12, 'bob')),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AuditConflictError);
    const entries = await worker.read(id);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(entries.slice(10).map((e) => e.actor)).size).toBe(1);
    expect(await worker.verify(id)).toMatchObject({ ok: true, entries: 12 });
  });

  it("the worker's role cannot change or remove an entry; the trigger refuses even the owner", async () => {
    const id = uniqueId('PG');
    await worker.append(id, records(id, 1, 2));
    const asWorker = pool(workerUrl());
    for (const sql of [
      `UPDATE audit_entries SET line = 'x' WHERE incident_id = '${id}'`,
      `DELETE FROM audit_entries WHERE incident_id = '${id}'`,
      'TRUNCATE audit_entries',
      `UPDATE audit_checkpoints SET line = 'x' WHERE incident_id = '${id}'`,
      'TRUNCATE audit_checkpoints',
    ])
      await expect(asWorker.query(sql), sql).rejects.toThrow(/permission denied for table audit_(entries|checkpoints)/);
    const asOwner = pool(ownerUrl());
    for (const [sql, table, op] of [
      [`UPDATE audit_entries SET line = 'x' WHERE incident_id = '${id}'`, 'audit_entries', 'UPDATE'],
      [`DELETE FROM audit_entries WHERE incident_id = '${id}'`, 'audit_entries', 'DELETE'],
      ['TRUNCATE audit_entries', 'audit_entries', 'TRUNCATE'],
      [`DELETE FROM audit_checkpoints WHERE incident_id = '${id}'`, 'audit_checkpoints', 'DELETE'],
    ])
      await expect(asOwner.query(sql), sql).rejects.toThrow(
        `the audit trail is append-only: ${op} on ${table} refused`,
      );
    expect(await worker.verify(id)).toMatchObject({ ok: true, entries: 2 });
  });

  it('migrates a new database once, even from several workers at once, and refuses a schema newer than it knows', async () => {
    const db = `incidents_${uniqueId('m')
      .replace(/[^a-z0-9]/gi, '_')
      .toLowerCase()}`;
    await pool(ownerUrl()).query(`CREATE DATABASE ${db}`);
    const url = ownerUrl().replace(/\/incidents$/, `/${db}`);
    const owner = pool(url);
    const runs = await Promise.all([migrate(owner), migrate(pool(url)), migrate(pool(url))]);
    expect(runs.map((r) => r.to)).toEqual([SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
    expect(runs.filter((r) => r.from === 0)).toHaveLength(1);
    await checkSchema(owner);
    await owner.query("INSERT INTO schema_version (version, description) VALUES (999, 'from the future')");
    const tooNew = `The database's schema is version 999, newer than this worker knows (${SCHEMA_VERSION}): a newer worker migrated it. Upgrade this worker; it will not write to a schema it does not know.`;
    await expect(migrate(owner)).rejects.toThrow(tooNew);
    await expect(checkSchema(owner)).rejects.toThrow(tooNew);
  });

  it('says where and why when the database is unreachable, without the password', async () => {
    const url = 'postgres://incident_worker:s3cret-pw@127.0.0.1:9/incidents';
    const store = new PostgresAuditStore(pool(url), describePostgres(url));
    const err = (await store.append('INC-1', records('INC-1', 1, 1)).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(store.remedy()).toBe(
      "Check that PostgreSQL at 127.0.0.1:9/incidents as incident_worker is reachable and accepts the worker's role",
    );
    expect(store.remedy()).not.toContain('s3cret-pw');
  });

  it('refuses a connection off this machine without TLS, saying what to set', () => {
    const url = 'postgres://incident_worker@db.example.com:5432/incidents';
    expect(() => postgresPool(settings(url))).toThrow(StorageConfigError);
    expect(() => postgresPool(settings(url))).toThrow(
      "storage.postgres: PostgreSQL at db.example.com:5432/incidents as incident_worker is not on this machine, and the connection would not use TLS. Add ?sslmode=verify-full to the URL and set storage.postgres.caFile to the CA that signed the server's certificate.",
    );
    expect(() => postgresPool(settings(`${url}?sslmode=verify-full`))).not.toThrow();
  });
});
