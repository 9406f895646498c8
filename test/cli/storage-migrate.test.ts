import { createHash } from 'node:crypto';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditEntry } from '../../domain/audit-entry';
import { jsonl, rewriteEntry } from '../helpers/trail-tamper';
import { closedIncident, expectNoStack, expectOk, startCliWorld, uniqueId, type CliWorld } from './harness';

// An installation that ran on the embedded default (trails, checkpoints and the mail ledger as files in
// its data dir) moves to PostgreSQL with `incident storage migrate --to postgres`, through the built CLI:
// every item copied and read back, the files untouched, the moved trail verifying from the database
// against its checkpoints and Temporal, a second run copying nothing, and a trail that differs from the
// database's, or does not verify, refused by name with nothing written for it.

let world: CliWorld;
let owner: pg.Pool;
const ids: string[] = [];
const toPostgres = () => ({
  DATABASE_URL: inject('postgresWorkerUrl'),
  DATABASE_MIGRATION_URL: inject('postgresOwnerUrl'),
});

async function fingerprint(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(
      file,
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return files;
}

beforeAll(async () => {
  world = await startCliWorld('migrate');
  owner = new pg.Pool({ connectionString: inject('postgresOwnerUrl'), max: 1 });
  for (const n of [1, 2]) ids.push(await closedIncident(world, uniqueId(`INC-MIG${n}`), `Migrated ${n}`));
  // The worker stops first, as the README says: the data dir no longer changes under the copy.
  await world.stopWorker();
});

afterAll(async () => {
  await owner?.end();
  await world?.stop();
});

describe('incident storage migrate --to postgres', () => {
  it('copies every trail, checkpoint, mail delivery and evidence record, reads each back, and leaves the files as they were', async () => {
    const before = await fingerprint(world.dataDir);
    const ledgerFiles = (await readdir(path.join(world.dataDir, 'mail-ledger'))).filter((f) =>
      /^[0-9a-f]{64}\.json$/.test(f),
    );
    expect(ledgerFiles.length).toBeGreaterThanOrEqual(2);

    const first = expectOk(await world.run(['storage', 'migrate', '--to', 'postgres', '--json'], toPostgres()));
    const summary = JSON.parse(first.stdout);
    expect(summary.problems).toEqual([]);
    expect(summary.items.trails).toEqual({ copied: ids.length, alreadyThere: 0 });
    expect(summary.items.ledger).toEqual({ copied: ledgerFiles.length, alreadyThere: 0 });
    expect(await fingerprint(world.dataDir)).toEqual(before);

    let entries = 0;
    for (const id of ids) {
      const file = await readFile(path.join(world.dataDir, 'audit', `${id}.jsonl`), 'utf8');
      const { rows } = await owner.query<{ line: string }>(
        'SELECT line FROM audit_entries WHERE incident_id = $1 ORDER BY seq',
        [id],
      );
      expect(rows.map((r) => r.line).join('\n') + '\n').toBe(file);
      entries += rows.length;
      const checkpoints = await owner.query('SELECT 1 FROM audit_checkpoints WHERE incident_id = $1', [id]);
      expect(checkpoints.rowCount).toBeGreaterThan(0);
      // Read from the database now (no --file): chain, checkpoints and Temporal's head all agree.
      const verified = expectOk(await world.run(['audit', id, '--verify'], toPostgres()));
      expect(verified.stdout).toContain('(PostgreSQL at 127.0.0.1:');
      for (const check of ['chain', 'checkpoints', 'temporal'])
        expect(verified.stdout).toMatch(new RegExp(`✓ ${check}\\s`));
    }
    expect(summary.rows.entries).toBe(entries);
    // Each incident's copy of web-01 is indexed with the hash its own record beside the copy gives.
    for (const id of ids) {
      const local = JSON.parse(
        await readFile(path.join(world.dataDir, 'evidence', id, 'web-01', 'round-1', 'evidence.json'), 'utf8'),
      );
      const { rows } = await owner.query('SELECT sha256, record FROM evidence_manifests WHERE incident_id = $1', [id]);
      expect(rows).toEqual([{ sha256: local.sha256, record: local }]);
    }
    expect(summary.items.manifests).toEqual({ copied: ids.length, alreadyThere: 0 });
    const seniorAlert = await owner.query<{ key: string }>('SELECT key FROM mail_ledger WHERE key LIKE $1', [
      `${ids[0]}%`,
    ]);
    expect(seniorAlert.rowCount).toBeGreaterThan(0);

    const again = expectOk(await world.run(['storage', 'migrate', '--to', 'postgres'], toPostgres()));
    expect(again.stdout).toContain(`audit trails     0 copied (0 entries, 0 checkpoints), ${ids.length} already there`);
    expect(again.stdout).toContain(`mail deliveries  0 copied, ${ledgerFiles.length} already there`);
    expect(again.stdout).toContain(`evidence index   0 copies indexed, ${ids.length} already there`);
  });

  it('refuses a local trail that differs from the one the database holds, and one that does not verify, writing nothing for them', async () => {
    const other = path.join(world.dataDir, 'elsewhere');
    await cp(path.join(world.dataDir, 'audit'), path.join(other, 'audit'), { recursive: true });
    const [forgedId, brokenId] = ids;
    const trailOf = (id: string) => path.join(other, 'audit', `${id}.jsonl`);
    const entries = (await readFile(trailOf(forgedId), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
    // A rewrite that verifies on its own (every later hash recomputed): only the database's copy shows it.
    await writeFile(trailOf(forgedId), jsonl(rewriteEntry(entries, 2, (r) => ({ ...r, actor: 'mallory' }))));
    const broken = (await readFile(trailOf(brokenId), 'utf8')).replace('"actor":"', '"actor":"x');
    await writeFile(trailOf(brokenId), broken);
    const stored = async () =>
      (await owner.query('SELECT count(*)::int AS n FROM audit_entries WHERE incident_id = ANY($1)', [ids])).rows[0].n;
    const before = await stored();

    const r = await world.run(['storage', 'migrate', '--to', 'postgres'], {
      ...toPostgres(),
      INCIDENT_DATA_DIR: other,
    });
    expect(r.code).toBe(1);
    expectNoStack(r);
    expect(r.stderr).toContain('2 item(s) not copied');
    expect(r.stderr).toContain(`${trailOf(forgedId)} differs from the trail the database holds at seq 2`);
    expect(r.stderr).toContain(`${trailOf(brokenId)} does not verify`);
    expect(await stored()).toBe(before);
  });

  it('says what to set when no database is configured, when its password is wrong, and which stores it knows', async () => {
    const none = await world.run(['storage', 'migrate', '--to', 'postgres']);
    expect(none.code).toBe(2);
    expectNoStack(none);
    expect(none.stderr).toContain('storage.postgres is not configured: set DATABASE_URL');
    const wrong = await world.run(['storage', 'migrate', '--to', 'postgres'], {
      ...toPostgres(),
      DATABASE_URL: inject('postgresWorkerUrl').replace(/:[^:@/]+@/, ':not-the-password@'),
      DATABASE_MIGRATION_URL: '',
    });
    expect(wrong.code).toBe(1);
    expectNoStack(wrong);
    expect(wrong.stderr).toMatch(
      /PostgreSQL at 127\.0\.0\.1:\d+\/incidents as incident_worker could not be prepared: password authentication failed/,
    );
    expect(wrong.stderr).toContain('Nothing was copied.');
    expect(wrong.stderr + wrong.stdout).not.toContain('not-the-password');
    const unknown = await world.run(['storage', 'migrate', '--to', 'tape'], toPostgres());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--to "tape": the stores this version migrates to are: postgres, s3.');
  });
});
