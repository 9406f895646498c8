import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditEntry } from '../../domain/audit-entry';
import { rewriteEntry } from '../helpers/trail-tamper';
import { closedIncident, expectNoStack, expectOk, startCliWorld, uniqueId, type CliWorld } from './harness';

// A worker that keeps its audit trail in PostgreSQL, as an installation of several workers does, and the
// built `incident` CLI reading it from there: the same verdicts as from files, no trail file on disk, an
// export that verifies alone, and a rewrite by someone who turned the trigger off caught by the
// checkpoints and by Temporal's head.

let world: CliWorld;
let owner: pg.Pool;

beforeAll(async () => {
  world = await startCliWorld('postgres', {
    storage: { postgres: { url: inject('postgresWorkerUrl'), migrationUrl: inject('postgresOwnerUrl') } },
  });
  owner = new pg.Pool({ connectionString: inject('postgresOwnerUrl'), max: 1 });
});

afterAll(async () => {
  await owner?.end();
  await world?.stop();
});

const newClosedIncident = () => closedIncident(world, uniqueId('INC-PG'));

describe('the audit trail in PostgreSQL, through the CLI', () => {
  it('verifies from the database, with no trail file on disk, and exports a trail that verifies alone', async () => {
    const id = await newClosedIncident();
    expect(existsSync(path.join(world.dataDir, 'audit', `${id}.jsonl`))).toBe(false);
    const verified = expectOk(await world.run(['audit', id, '--verify']));
    expect(verified.stdout).toContain(`(PostgreSQL at 127.0.0.1:`);
    for (const check of ['chain', 'checkpoints', 'temporal'])
      expect(verified.stdout).toMatch(new RegExp(`✓ ${check}\\s`));
    expect(verified.stdout).toContain(`The audit trail of ${id} verifies.`);
    const listed = expectOk(await world.run(['audit', id]));
    expect(listed.stdout).toContain('incident.closed');

    const out = path.join(world.dataDir, `${id}-export.jsonl`);
    expectOk(await world.run(['audit', id, '--export', out]));
    const { rows } = await owner.query<{ line: string }>(
      'SELECT line FROM audit_entries WHERE incident_id = $1 ORDER BY seq',
      [id],
    );
    expect(await readFile(out, 'utf8')).toBe(rows.map((r) => r.line).join('\n') + '\n');
    expectOk(await world.run(['audit', id, '--verify', '--offline', '--file', out]));
  });

  it('a rewrite by the owner with the trigger turned off, every hash recomputed, is caught by the checkpoints and by Temporal', async () => {
    const id = await newClosedIncident();
    const { rows } = await owner.query<{ line: string }>(
      'SELECT line FROM audit_entries WHERE incident_id = $1 ORDER BY seq',
      [id],
    );
    const forged = rewriteEntry(
      rows.map((r) => JSON.parse(r.line) as AuditEntry),
      1,
      (record) => ({ ...record, actor: 'mallory' }),
    );
    const client = await owner.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
      for (const e of forged)
        await client.query('UPDATE audit_entries SET line = $3, hash = $4 WHERE incident_id = $1 AND seq = $2', [
          id,
          e.seq,
          JSON.stringify(e),
          e.hash,
        ]);
      await client.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const r = await world.run(['audit', id, '--verify']);
    expect(r.code).toBe(1);
    expectNoStack(r);
    expect(r.stdout).toMatch(/✓ chain\s/);
    expect(r.stdout).toMatch(/✗ checkpoints\s/);
    expect(r.stdout).toMatch(/✗ temporal\s/);
    expect(r.stdout).toContain(`The audit trail of ${id} does NOT verify`);
  });
});
