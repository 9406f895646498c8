import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../domain/audit-entry';
import { recordedCopies } from '../../domain/bundle-layout';
import { shellSteps, type ShellStepFacts } from '../../client/cli/bundle/shell-steps';
import { startBundleWorld, type BundleWorld } from './bundle-world';
import {
  checkpointsOf,
  copyBundle,
  entriesOf,
  foreignKey,
  rechain,
  removeBundle,
  resign,
  resum,
  sh,
  writeCheckpoints,
  writeTrail,
} from './bundle-tamper-kit';
import { expectOk } from './harness';

// The check README.txt gives a recipient who will not install anything, run as written with /bin/sh,
// sha256sum, openssl, awk, cut, sed and diff: it passes on a bundle as written, and fails on tampered
// ones at the step that should catch each (and, like the verifier, not on a consistent cut without a
// head from a mail).

let world: BundleWorld;
let id: string;
let work: string;
let bundle: string;
let entries: AuditEntry[];
let facts: ShellStepFacts;
let keyLine: string;
const made: string[] = [];

beforeAll(async () => {
  world = await startBundleWorld();
  work = await mkdtemp(path.join(os.tmpdir(), 'incident-shell-'));
  id = await world.openWithEvidence('INC-SHELL');
  expectOk(await world.cli('close', id));
  bundle = path.join(work, 'case');
  expectOk(await world.cli('bundle', id, '--out', bundle, '--with-evidence'));
  entries = await entriesOf(bundle);
  const head = JSON.parse(await readFile(path.join(bundle, 'head.json'), 'utf8'));
  facts = {
    incidentId: id,
    keyId: head.keyId,
    copies: recordedCopies(entries).map((c) => ({ ...c, included: true })),
  };
  const printed = expectOk(await world.bare('verify-bundle', bundle)).stdout.split('\n')[1];
  const [, keyId, fingerprint] = /^Trail key (\S+) in \S+, fingerprint (\S+)$/.exec(printed)!;
  keyLine = `keys/${keyId}.pem  ${fingerprint}`;
});

afterAll(async () => {
  for (const dir of made) await removeBundle(dir);
  await world?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function tampered(): Promise<string> {
  const dir = await copyBundle(bundle);
  made.push(dir);
  return dir;
}

/** Every step of README.txt, with the head from a mail in place of its example seq. */
function script(headSeq: number): string {
  return shellSteps(facts)
    .flatMap((s) => s.commands)
    .map((c) => c.replace('sed -n 37p', `sed -n ${headSeq}p`))
    .join('\n');
}

/** What the recipient sees on a bundle that is as it was written. */
async function passing(dir: string): Promise<string> {
  const sums = (await readFile(path.join(dir, 'SHA256SUMS'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => `${l.slice(66)}: OK`);
  const evidence = facts.copies.flatMap((c) =>
    c.kind === 'image'
      ? [`${c.system} round ${c.round}: image.bin has the SHA-256 entry ${c.seq} records`]
      : [
          `${c.system} round ${c.round}: MANIFEST.sha256 has the SHA-256 entry ${c.seq} records`,
          `${c.system} round ${c.round}: every file in tree/ matches MANIFEST.sha256`,
        ],
  );
  return [
    ...sums,
    keyLine,
    'Signature Verified Successfully',
    'every hash in trail.jsonl is recomputed',
    'every entry links to the one before it',
    'the last entry is the signed head',
    `every line is the next entry of ${id}`,
    entries.at(-1)!.hash,
    ...evidence,
    '',
  ].join('\n');
}

describe('the shell procedure of README.txt', () => {
  it('is what README.txt shows, and passes on the bundle as written', async () => {
    const readme = await readFile(path.join(bundle, 'README.txt'), 'utf8');
    for (const command of shellSteps(facts).flatMap((s) => s.commands)) expect(readme).toContain(`\n     ${command}\n`);
    const r = await sh(bundle, script(entries.length));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toBe(await passing(bundle));
  });

  it('catches a file changed without SHA256SUMS at step 1', async () => {
    const dir = await tampered();
    await writeFile(path.join(dir, 'reports', 'rca.md'), '# Nothing happened\n');
    const r = await sh(dir, script(entries.length));
    expect(r.stdout).toBe((await passing(dir)).replace('reports/rca.md: OK', 'reports/rca.md: FAILED'));
    expect(r.stderr).toContain('sha256sum: WARNING: 1 computed checksum did NOT match');
  });

  it('catches a rewrite with recomputed hashes at the signed head (step 6)', async () => {
    const dir = await tampered();
    const k = entries.findIndex((e) => e.actor === 'system' && e.action === 'containment.isolated');
    const changed = entries.map((e, i) => (i === k ? { ...e, details: { ...e.details, detail: 'skipped' } } : e));
    const rewritten = rechain(changed, k);
    await writeTrail(dir, rewritten);
    await resum(dir);
    const r = await sh(dir, script(entries.length));
    expect(r.stdout).toBe(
      (await passing(dir))
        .replace('the last entry is the signed head\n', '')
        .replace(`\n${entries.at(-1)!.hash}\n`, `\n${rewritten.at(-1)!.hash}\n`),
    );
  });

  it('catches checkpoints re-signed with a foreign key at the openssl step', async () => {
    const dir = await tampered();
    const foreign = foreignKey();
    await writeCheckpoints(dir, resign(await checkpointsOf(dir), entries, foreign));
    await resum(dir);
    const r = await sh(dir, script(entries.length));
    expect(r.stdout).toBe(
      (await passing(dir)).replace('Signature Verified Successfully', 'Signature Verification Failure'),
    );
  });

  it("catches an entry moved from another incident's trail at the links and the incident steps", async () => {
    const other = await world.openWithEvidence('INC-OTHER');
    const otherEntries = (await readFile(path.join(world.dataDir, 'audit', `${other}.jsonl`), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
    const dir = await tampered();
    await writeTrail(
      dir,
      entries.map((e, i) => (i === 2 ? otherEntries[2] : e)),
    );
    await resum(dir);
    const r = await sh(dir, script(entries.length));
    expect(r.stdout).toContain(`line 3 is not entry 3 of ${id}\n`);
    expect(r.stdout).toContain('every hash in trail.jsonl is recomputed\n');
    expect(r.stdout).not.toContain('every entry links to the one before it');
    expect(r.stdout).not.toContain(`every line is the next entry of ${id}`);
  });

  it('does not catch the trail and its checkpoints cut at the same point, but the head from a mail is not there', async () => {
    const dir = await tampered();
    const kept = (await checkpointsOf(dir)).slice(0, -1);
    const cut = kept.at(-1)!.seq;
    await writeTrail(dir, entries.slice(0, cut));
    await writeCheckpoints(dir, kept);
    await resum(dir);
    const r = await sh(dir, script(entries.length));
    expect(r.stdout).not.toContain('FAILED');
    expect(r.stdout).toContain('Signature Verified Successfully\n');
    expect(r.stdout).toContain('the last entry is the signed head\n');
    expect(r.stdout).toContain(`every line is the next entry of ${id}\n`);
    expect(r.stdout).not.toContain(entries.at(-1)!.hash);
  });
});
