import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { list as listTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint, signCheckpoint, trailKeyFingerprint } from '../../domain/audit-checkpoint';
import type { AuditEntry } from '../../domain/audit-entry';
import { sealBuffer } from '../../platform/encryption/at-rest/buffers';
import { loadKeyRing } from '../../platform/encryption/key-ring';
import { loadTrailSigner } from '../../platform/trail-key';
import { startBundleWorld, type BundleWorld } from './bundle-world';
import { foreignKey } from './bundle-tamper-kit';
import { expectNoStack, expectOk, type CliResult } from './harness';

// `incident bundle` on a real incident (a worker like the embedded default: its own trail key, evidence
// and reports encrypted at rest), and `incident verify-bundle` run as the recipient runs it: with no
// configuration, no data dir and no Temporal. The tamper cases are in bundle-tamper.test.ts.

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let world: BundleWorld;
let id: string;
let outDir: string;
let entries: AuditEntry[];
let key: { keyId: string; fingerprint: string };
let trailFile: string;

const refusedWith = (r: CliResult, code: number, stderr: string) => {
  expectNoStack(r);
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code, stdout: '', stderr: `${stderr}\n` });
};

/** Nothing new beside the bundle, not even a partial file. */
async function expectNothingWritten(before: string[]): Promise<void> {
  expect((await readdir(outDir)).sort()).toEqual(before);
}

beforeAll(async () => {
  world = await startBundleWorld();
  outDir = await mkdtemp(path.join(os.tmpdir(), 'incident-bundles-'));
  id = await world.openWithEvidence('INC-CASE');
  expectOk(await world.cli('close', id));
  trailFile = path.join(world.dataDir, 'audit', `${id}.jsonl`);
  entries = (await readFile(trailFile, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const signer = loadTrailSigner({ dataDir: world.dataDir, trail: { publicKeys: [] } });
  key = { keyId: signer.keyId, fingerprint: trailKeyFingerprint(signer.publicKey) };
});

afterAll(async () => {
  await world?.stop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function passingVerdict(where: string, files: number, evidence: string): string {
  const n = entries.length;
  const head = entries[n - 1].hash.slice(0, 16);
  return [
    `Case bundle of ${id}: ${n} entries, head ${head}… at seq ${n} (${where})`,
    `Trail key ${key.keyId} in keys/${key.keyId}.pem, fingerprint ${key.fingerprint}`,
    `  ✓ files        ${files} files match SHA256SUMS (which shows damage in transit, not a deliberate change)`,
    `  ✓ keys         trail key ${key.keyId}: trust it only if the fingerprint printed above is the one published`,
    `  ✓ chain        ${n} entries link from the first to the last, ending with the closing entry`,
    `  ✓ checkpoints  CHECKPOINTS signed checkpoints (key ${key.keyId}) cover all ${n} entries`,
    `  ✓ head         head.msg and head.sig are the last checkpoint (seq ${n}, hash ${head}…), signed by key ${key.keyId}`,
    `  ✓ evidence     2 copies match the SHA-256 the trail records: ${evidence}`,
    `  ✓ derived      roster.json and trail-hash-inputs.txt are what trail.jsonl gives`,
    `The case bundle of ${id} verifies, if the fingerprint above is the one the organisation published.`,
    '',
  ].join('\n');
}

/** The copies in trail order, as the evidence line names them. */
const copiesLine = (what: Record<string, string>) =>
  entries
    .filter((e) => e.action === 'evidence.collected')
    .map((e) => `${e.details.system} round 1 (${what[String(e.details.system)]})`)
    .join(', ');

async function checkpointCount(): Promise<number> {
  return (await readFile(trailFile.replace(/\.jsonl$/, '.checkpoints.jsonl'), 'utf8')).split('\n').filter(Boolean)
    .length;
}

describe('incident bundle and incident verify-bundle', () => {
  it('writes a tar in the documented layout, byte for byte, the same twice; verify-bundle passes with no configuration', async () => {
    const out = path.join(outDir, 'case.tar');
    const n = entries.length;
    const r = expectOk(await world.cli('bundle', id, '--out', out));
    const names: string[] = [];
    const files = new Map<string, Buffer>();
    await listTar({
      file: out,
      onReadEntry: (e) => {
        names.push(e.path);
        const chunks: Buffer[] = [];
        e.on('data', (c: Buffer) => chunks.push(c));
        e.on('end', () => files.set(e.path.slice(id.length + 1), Buffer.concat(chunks)));
      },
    });
    const layout = [
      'README.txt',
      'SHA256SUMS',
      'checkpoints.jsonl',
      'evidence/',
      'evidence/files-01/',
      'evidence/files-01/round-1/',
      'evidence/files-01/round-1/MANIFEST.sha256',
      'evidence/files-01/round-1/evidence.json',
      'evidence/web-01/',
      'evidence/web-01/round-1/',
      'evidence/web-01/round-1/evidence.json',
      'head.json',
      'head.msg',
      'head.sig',
      'keys/',
      `keys/${key.keyId}.pem`,
      'reports/',
      'reports/rca.html',
      'reports/rca.md',
      'reports/rfo.html',
      'reports/rfo.md',
      'roster.json',
      'trail-hash-inputs.txt',
      'trail.jsonl',
    ];
    expect(names).toEqual(layout.map((f) => `${id}/${f}`));
    expect(r.stdout).toBe(
      `Wrote the case bundle of ${id} to ${out}: ${n} entries, audit seq ${n}, head ${entries[n - 1].hash.slice(0, 16)}…, 17 files.\n` +
        `Trail key ${key.keyId}, fingerprint ${key.fingerprint}: the recipient compares it with the one you publish.\n` +
        `Check it with: incident verify-bundle ${out}\n`,
    );
    expect(files.get('trail.jsonl')!.equals(await readFile(trailFile))).toBe(true);
    const checkpoints = await readFile(trailFile.replace(/\.jsonl$/, '.checkpoints.jsonl'));
    expect(files.get('checkpoints.jsonl')!.equals(checkpoints)).toBe(true);
    const last = parseCheckpoint(checkpoints.toString().trim().split('\n').at(-1)!)!;
    expect(JSON.parse(files.get('head.json')!.toString())).toEqual(last);
    expect(files.get('head.sig')!.equals(Buffer.from(last.signature, 'base64'))).toBe(true);
    // Decrypted: the worker stored them encrypted at rest.
    expect(files.get('reports/rca.md')!.toString()).toMatch(/^# Root-cause analysis: Web shell on web-01\n/);
    expect(JSON.parse(files.get('roster.json')!.toString())).toEqual({ incidentId: id, rosters: [] });
    expect((await stat(out)).mode & 0o777).toBe(0o600);

    const again = path.join(outDir, 'again.tar');
    expectOk(await world.cli('bundle', id, '--out', again));
    expect(sha(await readFile(again))).toBe(sha(await readFile(out)));
    await rm(again);

    const verdict = expectOk(await world.bare('verify-bundle', out));
    expect(verdict.stdout).toBe(
      passingVerdict(out, 16, copiesLine({ 'web-01': 'image not included', 'files-01': 'manifest' })).replace(
        'CHECKPOINTS',
        String(await checkpointCount()),
      ),
    );
  });

  it('--with-evidence into a folder: the original bytes, decrypted, which verify-bundle hashes', async () => {
    const out = path.join(outDir, 'case-dir');
    expectOk(await world.cli('bundle', id, '--out', out, '--with-evidence'));
    const round = (system: string) => path.join(out, 'evidence', system, 'round-1');
    expect((await readFile(path.join(round('web-01'), 'image.bin'))).equals(world.image)).toBe(true);
    expect(await readFile(path.join(round('files-01'), 'tree', 'etc', 'passwd'), 'utf8')).toBe(
      'root:x:0:0::/root:/bin/sh\n',
    );
    expect((await stat(out)).mode & 0o777).toBe(0o700);
    const verdict = expectOk(await world.bare('verify-bundle', out));
    expect(verdict.stdout).toBe(
      passingVerdict(out, 19, copiesLine({ 'web-01': 'image', 'files-01': '2 files' })).replace(
        'CHECKPOINTS',
        String(await checkpointCount()),
      ),
    );
  });

  it('checks heads from mails (--head), and prints the verdict as JSON', async () => {
    const out = path.join(outDir, 'case.tar');
    const n = entries.length;
    const earlier = `${n - 3}:${entries[n - 4].hash.slice(0, 16)}`;
    const both = expectOk(
      await world.bare('verify-bundle', out, '--head', `${n}:${entries[n - 1].hash.slice(0, 12)}`, '--head', earlier),
    );
    expect(both.stdout).toContain(`  ✓ witness      entry ${n} matches the head you gave\n`);
    expect(both.stdout).toContain(
      `  ✓ witness      entry ${n - 3} matches the head you gave (3 later entries written since)\n`,
    );
    const json = JSON.parse(expectOk(await world.bare('verify-bundle', out, '--json')).stdout);
    expect(json).toMatchObject({
      ok: true,
      incidentId: id,
      entries: n,
      head: { seq: n, hash: entries[n - 1].hash },
      keys: [{ keyId: key.keyId, fingerprint: key.fingerprint, file: `keys/${key.keyId}.pem` }],
    });
    expect(json.checks.map((c: any) => c.check)).toEqual([
      'files',
      'keys',
      'chain',
      'checkpoints',
      'head',
      'evidence',
      'derived',
    ]);
    const bad = await world.bare('verify-bundle', out, '--head', 'yesterday');
    refusedWith(
      bad,
      2,
      'incident: --head "yesterday" is not SEQ:HASH; copy it from a mail or a report, e.g. --head 37:4ebaf5b6c1d2e3f4',
    );
  });
  it('has help with an example', async () => {
    const bundle = expectOk(await world.bare('bundle', '--help'));
    expect(bundle.stdout).toMatch(/^Usage: incident bundle \[options\] <id>/);
    expect(bundle.stdout).toContain('Example:\n  incident bundle INC-1 --out /mnt/case/INC-1.tar');
    const verify = expectOk(await world.bare('verify-bundle', '--help'));
    expect(verify.stdout).toMatch(/^Usage: incident verify-bundle \[options\] <bundle>/);
    expect(verify.stdout).toContain('Example:\n  incident verify-bundle case.tar --head 37:4ebaf5b6c1d2e3f4');
  });

  it('a link in a bundle is named, never followed', async () => {
    const dir = path.join(outDir, 'linked');
    expectOk(await world.cli('bundle', id, '--out', dir));
    await symlink('/etc/passwd', path.join(dir, 'evidence', 'passwd'));
    const tarred = path.join(outDir, 'linked.tar');
    const { create } = await import('tar');
    await create({ file: tarred, cwd: dir, portable: true }, ['.']);
    for (const where of [dir, tarred]) {
      const r = await world.bare('verify-bundle', where);
      expectNoStack(r);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('\n  ✗ files        evidence/passwd is not a plain file\n');
      expect(r.stdout).toContain(
        `\nThe case bundle of ${id} does NOT verify: files: evidence/passwd is not a plain file.\n`,
      );
    }
    await rm(dir, { recursive: true });
    await rm(tarred);
  });
});

describe('bad input: a clear message, no stack trace, nothing half-written', () => {
  it('an unknown incident, a missing trail, a missing folder, an existing --out', async () => {
    const before = (await readdir(outDir)).sort();
    const out = path.join(outDir, 'nothing.tar');
    const unknown = await world.cli('bundle', 'INC-NOPE', '--out', out);
    refusedWith(
      unknown,
      1,
      `No incident INC-NOPE on this machine: there is no audit trail at ${path.join(world.dataDir, 'audit', 'INC-NOPE.jsonl')}. Run this where the worker's data dir is (INCIDENT_DATA_DIR), with the id that incident list shows.`,
    );
    await rename(trailFile, `${trailFile}.away`);
    try {
      const noTrail = await world.cli('bundle', id, '--out', out);
      refusedWith(
        noTrail,
        1,
        `The audit trail of ${id} is missing (${trailFile}), though ${path.join(world.dataDir, 'evidence', id)} and ${path.join(world.dataDir, 'reports', id)} are there: a bundle without its trail proves nothing, so none was written.`,
      );
    } finally {
      await rename(`${trailFile}.away`, trailFile);
    }
    const missing = path.join(outDir, 'no-such-folder', 'case.tar');
    refusedWith(
      await world.cli('bundle', id, '--out', missing),
      2,
      `incident: The folder of ${missing} does not exist; create it first.`,
    );
    await expectNothingWritten(before);

    const existing = path.join(outDir, 'existing.tar');
    await writeFile(existing, 'the responder had this here');
    refusedWith(
      await world.cli('bundle', id, '--out', existing),
      2,
      `incident: ${existing} already exists; add --force to replace it, or name another path.`,
    );
    expect(await readFile(existing, 'utf8')).toBe('the responder had this here');
    expectOk(await world.cli('bundle', id, '--out', existing, '--force'));
    expectOk(await world.bare('verify-bundle', existing));
    await rm(existing);

    const folder = path.join(outDir, 'notes');
    await mkdir(folder);
    await writeFile(path.join(folder, 'mine.txt'), 'keep me');
    refusedWith(
      await world.cli('bundle', id, '--out', folder),
      2,
      `incident: ${folder} already exists and is not empty; add --force to replace the bundle in it, or name another path.`,
    );
    refusedWith(
      await world.cli('bundle', id, '--out', folder, '--force'),
      2,
      `incident: ${folder} holds something other than a case bundle; --force replaces only an earlier bundle. Name another path.`,
    );
    expect(await readdir(folder)).toEqual(['mine.txt']);
    await rm(folder, { recursive: true });
    await expectNothingWritten(before);
  });

  it('a checkpoint by a key this machine does not know, and a trail that does not verify here', async () => {
    const before = (await readdir(outDir)).sort();
    const out = path.join(outDir, 'refused.tar');
    const cpFile = trailFile.replace(/\.jsonl$/, '.checkpoints.jsonl');
    const original = await readFile(cpFile, 'utf8');
    const lines = original.trim().split('\n');
    const foreign = foreignKey();
    const { signature: _s, ...last } = parseCheckpoint(lines.at(-1)!)!;
    const forged = signCheckpoint({ ...last, keyId: foreign.keyId }, foreign.privateKey);
    await writeFile(cpFile, [...lines.slice(0, -1), JSON.stringify(forged)].join('\n') + '\n');
    try {
      refusedWith(
        await world.cli('bundle', id, '--out', out),
        1,
        `Checkpoint ${lines.length} of ${id} (seq ${last.seq}) is signed by trail key ${foreign.keyId}, which this machine does not know, so the bundle could not carry it. Add that key's public key to trail.publicKeys (INCIDENT_TRAIL_PUBLIC_KEYS) and try again.`,
      );
    } finally {
      await writeFile(cpFile, original);
    }
    const trail = await readFile(trailFile, 'utf8');
    const n = entries.length;
    await writeFile(
      trailFile,
      trail
        .split('\n')
        .slice(0, n - 1)
        .join('\n') + '\n',
    );
    try {
      const cut = await world.cli('bundle', id, '--out', out);
      expectNoStack(cut);
      expect(cut.code).toBe(1);
      expect(cut.stderr).toMatch(
        new RegExp(
          `^The audit trail of ${id} does not verify on this machine \\(checkpoints: the trail ends at seq ${n - 1}; checkpoint \\d+ \\(seq ${n}, signed at [^)]+\\) covers seq ${n}: entry ${n} was removed\\), so a bundle of it would not either; none was written\\. See: incident audit ${id} --verify\\n$`,
        ),
      );
    } finally {
      await writeFile(trailFile, trail);
    }
    await expectNothingWritten(before);
  });

  it('a stored copy that no longer matches its hash: --with-evidence refuses and leaves nothing', async () => {
    const before = (await readdir(outDir)).sort();
    const stored = path.join(world.dataDir, 'evidence', id, 'web-01', 'round-1', 'image.bin.enc');
    const original = await readFile(stored);
    const planted = Buffer.from(world.image);
    planted.write('planted', 1000);
    await chmod(path.dirname(stored), 0o755);
    await chmod(stored, 0o644);
    await writeFile(stored, sealBuffer(loadKeyRing({}, world.dataDir)!, planted));
    try {
      const out = path.join(outDir, 'swapped.tar');
      refusedWith(
        await world.cli('bundle', id, '--out', out, '--with-evidence'),
        1,
        `The copy of web-01 (round 1) of ${id} does not match its recorded hash: the audit trail records SHA-256 ${sha(world.image)}, the stored copy gives ${sha(planted)}. No bundle was written.`,
      );
    } finally {
      await writeFile(stored, original);
    }
    await expectNothingWritten(before);
  });

  it('verify-bundle on what is not a bundle: a missing path (exit 2), not a tar, a cut tar, a tar of something else (exit 1)', async () => {
    const missing = path.join(outDir, 'nowhere.tar');
    refusedWith(
      await world.bare('verify-bundle', missing),
      2,
      `incident: ${missing} does not exist; name a case bundle (a .tar file or its folder).`,
    );
    const hint = 'Make one with: incident bundle ID --out case.tar';
    const junk = path.join(outDir, 'junk.tar');
    await writeFile(junk, 'not a tar at all '.repeat(100));
    refusedWith(
      await world.bare('verify-bundle', junk),
      1,
      `${junk} is not a case bundle: it is not a tar archive, or a damaged one (TAR_ENTRY_INVALID: checksum failure). ${hint}`,
    );
    const made = path.join(outDir, 'whole.tar');
    expectOk(await world.cli('bundle', id, '--out', made));
    const whole = await readFile(made);
    const cut = path.join(outDir, 'cut.tar');
    // Every entry whole but tar's end marker gone: cut exactly between two files.
    await writeFile(cut, whole.subarray(0, whole.length - 1024));
    refusedWith(
      await world.bare('verify-bundle', cut),
      1,
      `${cut} is not a case bundle: the tar archive was cut short. ${hint}`,
    );
    await writeFile(cut, whole.subarray(0, 10 * 512));
    const torn = await world.bare('verify-bundle', cut);
    expectNoStack(torn);
    expect({ code: torn.code, stdout: torn.stdout }).toEqual({ code: 1, stdout: '' });
    expect(torn.stderr).toMatch(
      new RegExp(
        `^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a case bundle: it is not a tar archive, or a damaged one \\(TAR_BAD_ARCHIVE: Truncated input \\(needed \\d+ more bytes, only 0 available\\)\\)\\. ${hint}\\n$`,
      ),
    );
    const other = path.join(outDir, 'other.tar');
    const { create } = await import('tar');
    await create({ file: other, cwd: world.dataDir }, ['incident.config.json']);
    refusedWith(
      await world.bare('verify-bundle', other),
      1,
      `${other} is not a case bundle: it holds neither trail.jsonl nor SHA256SUMS. ${hint}`,
    );
    for (const f of [junk, cut, other, made]) await rm(f);
  });
});
