import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../domain/audit-entry';
import type { SignedCheckpoint } from '../../domain/audit-checkpoint';
import { headArgument, type TrailHead } from '../../domain/trail-head';
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
  writeCheckpoints,
  writeTrail,
} from './bundle-tamper-kit';
import { expectNoStack, expectOk, type CliResult } from './harness';

// The tamper cases of issue 12, offline: each done to a case bundle as a careful forger would (every
// derived file and SHA256SUMS redone), then checked by `incident verify-bundle` with no configuration.
// Each asserts the exact verdict lines, and, where a check cannot catch it, that it is NOT caught.

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let world: BundleWorld;
let closedId: string;
let openId: string;
/** Bundles as written by `incident bundle`: the closed incident with its evidence, the open one without. */
let closed: string;
let open: string;
let work: string;
const made: string[] = [];

beforeAll(async () => {
  world = await startBundleWorld();
  work = await mkdtemp(path.join(os.tmpdir(), 'incident-tamper-'));
  closedId = await world.openWithEvidence('INC-CLOSED');
  expectOk(await world.cli('close', closedId));
  openId = await world.openWithEvidence('INC-OPEN');
  closed = path.join(work, 'closed');
  open = path.join(work, 'open');
  expectOk(await world.cli('bundle', closedId, '--out', closed, '--with-evidence'));
  expectOk(await world.cli('bundle', openId, '--out', open));
});

afterAll(async () => {
  for (const dir of made) await removeBundle(dir);
  await world?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function tampered(src: string): Promise<string> {
  const dir = await copyBundle(src);
  made.push(dir);
  return dir;
}

/** verify-bundle as the recipient runs it: its exit code and the line of each check. */
async function verify(dir: string, ...args: string[]) {
  const r: CliResult = await world.bare('verify-bundle', dir, ...args);
  expectNoStack(r);
  expect(r.stderr).toBe('');
  const lines = r.stdout.trimEnd().split('\n');
  const line = (check: string) => lines.find((l) => new RegExp(`^  . ${check} +`).test(l));
  return { code: r.code, stdout: r.stdout, line, verdict: lines.at(-1) };
}

const where = (cps: SignedCheckpoint[], i: number) => `checkpoint ${i + 1} (seq ${cps[i].seq}, signed at ${cps[i].at})`;
const range = (from: number, to: number) => (from === to ? `entry ${from} was` : `entries ${from}–${to} were`);
const missing = (from: number, to: number) => (from === to ? `entry ${from} is` : `entries ${from}–${to} are`);

/** The evidence line when the trail was rewritten from `seq` on: copies past the last good checkpoint prove nothing. */
function untrustedEvidence(entries: AuditEntry[], cps: SignedCheckpoint[], seq: number): string {
  const failing = cps.findIndex((cp) => cp.seq >= seq);
  const covered = Math.max(0, ...cps.slice(0, failing).map((cp) => cp.seq));
  return entries
    .filter((e) => e.action === 'evidence.collected' && e.seq > covered)
    .map(
      (e) =>
        `${e.details.system} round 1 matches the SHA-256 recorded at seq ${e.seq}, but no valid checkpoint covers that entry, so that hash proves nothing`,
    )
    .join('; ');
}

/** A trail rewritten from entry `seq` on, with every hash recomputed: the checkpoints line it gets. */
function rewrittenLine(cps: SignedCheckpoint[], seq: number): string {
  const i = cps.findIndex((cp) => cp.seq >= seq);
  return `  ✗ checkpoints  entry ${cps[i].seq} does not match ${where(cps, i)}: the trail was rewritten`;
}

describe.each([
  ['a closed', () => ({ id: closedId, bundle: closed })],
  ['an open', () => ({ id: openId, bundle: open })],
])('truncation of the trail of %s incident', (_label, which) => {
  it('the trail cut, its checkpoints left: the checkpoints name the entries removed', async () => {
    const { id, bundle } = which();
    const dir = await tampered(bundle);
    const entries = await entriesOf(dir);
    const cps = await checkpointsOf(dir);
    const cut = cps[cps.length - 2].seq - 1;
    await writeTrail(dir, entries.slice(0, cut));
    await resum(dir);
    const v = await verify(dir);
    const i = cps.findIndex((cp) => cp.seq > cut);
    const message = `the trail ends at seq ${cut}; ${where(cps, i)} covers seq ${cps[i].seq}: ${range(cut + 1, cps[i].seq)} removed`;
    expect(v.code).toBe(1);
    expect(v.line('chain')).toBe(
      `  ✓ chain        ${cut} entries link from the first to the last (incident still open)`,
    );
    expect(v.line('checkpoints')).toBe(`  ✗ checkpoints  ${message}`);
    expect(v.verdict).toBe(`The case bundle of ${id} does NOT verify: checkpoints: ${message}.`);
  });

  it('the trail and its checkpoints cut at the same point: NOT caught by the bundle alone, caught by a head from a mail', async () => {
    const { id, bundle } = which();
    const head: TrailHead = (await world.view(id)).state.auditHead;
    const dir = await tampered(bundle);
    const entries = await entriesOf(dir);
    const cps = await checkpointsOf(dir);
    const kept = cps.slice(0, -1);
    const cut = kept.at(-1)!.seq;
    await writeTrail(dir, entries.slice(0, cut));
    await writeCheckpoints(dir, kept);
    // The copies recorded after the cut go too, or the evidence check would name them.
    for (const e of entries.slice(cut).filter((x) => x.action === 'evidence.collected'))
      await rm(path.join(dir, 'evidence', String(e.details.system)), { recursive: true });
    await resum(dir);

    const alone = await verify(dir);
    expect(alone.code).toBe(0);
    expect(alone.line('checkpoints')).toBe(
      `  ✓ checkpoints  ${kept.length} signed checkpoints (key ${cps[0].keyId}) cover all ${cut} entries`,
    );
    expect(alone.verdict).toBe(
      `The case bundle of ${id} verifies, if the fingerprint above is the one the organisation published.`,
    );

    expect(head.seq).toBe(entries.length);
    const withMail = await verify(dir, '--head', headArgument(head));
    const message = `the trail ends at seq ${cut}; the head you gave is ${head.seq}: ${missing(cut + 1, head.seq)} missing`;
    expect(withMail.code).toBe(1);
    expect(withMail.line('witness')).toBe(`  ✗ witness      ${message}`);
    expect(withMail.verdict).toBe(`The case bundle of ${id} does NOT verify: witness: ${message}.`);
  });
});

describe('rewritten, substituted, deleted, forged and moved', () => {
  it('a system entry rewritten with every hash recomputed (chainEntry): the checkpoint of that entry refuses it', async () => {
    const dir = await tampered(closed);
    const entries = await entriesOf(dir);
    const cps = await checkpointsOf(dir);
    const k = entries.findIndex((e) => e.actor === 'system' && e.action === 'containment.isolated');
    entries[k] = { ...entries[k], details: { ...entries[k].details, detail: 'isolation skipped' } };
    await writeTrail(dir, rechain(entries, k));
    await resum(dir);
    const v = await verify(dir);
    const seq = k + 1;
    expect(v.code).toBe(1);
    expect(v.line('chain')).toBe(
      `  ✓ chain        ${entries.length} entries link from the first to the last, ending with the closing entry`,
    );
    expect(v.line('checkpoints')).toBe(rewrittenLine(cps, seq));
    expect(v.line('evidence')).toBe(`  ✗ evidence     ${untrustedEvidence(entries, cps, seq)}`);
    expect(v.verdict).toBe(
      `The case bundle of ${closedId} does NOT verify: checkpoints: ${rewrittenLine(cps, seq).replace(/^ {2}✗ checkpoints {2}/, '')}.`,
    );
  });

  it('a substituted evidence copy: caught by its hash; with its recorded hash rewritten too, by the checkpoints', async () => {
    const image = path.join('evidence', 'web-01', 'round-1', 'image.bin');
    const planted = Buffer.from(world.image);
    planted.write('planted', 4096);
    const swapped = await tampered(closed);
    await writeFile(path.join(swapped, image), planted);
    await resum(swapped);
    const entries = await entriesOf(swapped);
    const k = entries.findIndex((e) => e.action === 'evidence.collected' && e.details.system === 'web-01');
    const v = await verify(swapped);
    const message = `web-01 round 1: image.bin gives SHA-256 ${sha(planted).slice(0, 16)}…, the trail records ${sha(world.image).slice(0, 16)}… at seq ${k + 1}: the copy was substituted or damaged`;
    expect(v.code).toBe(1);
    expect(v.line('evidence')).toBe(`  ✗ evidence     ${message}`);
    expect(v.verdict).toBe(`The case bundle of ${closedId} does NOT verify: evidence: ${message}.`);

    const rewritten = await tampered(swapped);
    const cps = await checkpointsOf(rewritten);
    entries[k] = { ...entries[k], details: { ...entries[k].details, sha256: sha(planted) } };
    await writeTrail(rewritten, rechain(entries, k));
    const record = path.join(rewritten, 'evidence', 'web-01', 'round-1', 'evidence.json');
    await writeFile(record, JSON.stringify({ ...JSON.parse(await readFile(record, 'utf8')), sha256: sha(planted) }));
    await resum(rewritten);
    const w = await verify(rewritten);
    expect(w.code).toBe(1);
    expect(w.line('checkpoints')).toBe(rewrittenLine(cps, k + 1));
    expect(w.line('evidence')).toBe(`  ✗ evidence     ${untrustedEvidence(entries, cps, k + 1)}`);
    expect(w.line('evidence')).toContain(`web-01 round 1 matches the SHA-256 recorded at seq ${k + 1}, but no valid`);
  });

  it('a deleted checkpoints.jsonl: named by SHA256SUMS, and without it nothing signed vouches for the trail', async () => {
    const dir = await tampered(closed);
    await rm(path.join(dir, 'checkpoints.jsonl'));
    const entries = await entriesOf(dir);
    const evidence = untrustedEvidence(entries, [], 1);
    const v = await verify(dir);
    const none =
      'there is no checkpoint file, so nothing signed vouches for this trail (deleted, or written before trail keys existed)';
    expect(v.code).toBe(1);
    expect(v.line('files')).toBe('  ✗ files        checkpoints.jsonl is listed in SHA256SUMS but missing');
    expect(v.line('checkpoints')).toBe(`  ✗ checkpoints  ${none}`);
    expect(v.line('head')).toBe('  ✗ head         there is no checkpoints.jsonl to compare head.json with');
    expect(v.line('evidence')).toBe(`  ✗ evidence     ${evidence}`);
    expect(v.verdict).toBe(
      `The case bundle of ${closedId} does NOT verify: files: checkpoints.jsonl is listed in SHA256SUMS but missing.`,
    );
    await resum(dir);
    const resummed = await verify(dir);
    expect(resummed.code).toBe(1);
    expect(resummed.line('files')).toMatch(/^ {2}✓ files {8}\d+ files match SHA256SUMS/);
    expect(resummed.verdict).toBe(`The case bundle of ${closedId} does NOT verify: checkpoints: ${none}.`);
  });

  it('checkpoints re-signed with a foreign key: refused when its key is not in keys/; with it swapped in, only the printed fingerprint differs', async () => {
    const real = expectOk(await world.bare('verify-bundle', closed)).stdout.split('\n')[1];
    const dir = await tampered(closed);
    const entries = await entriesOf(dir);
    const cps = await checkpointsOf(dir);
    const k = entries.findIndex((e) => e.actor === 'system' && e.action === 'containment.isolated');
    entries[k] = { ...entries[k], details: { ...entries[k].details, detail: 'isolation skipped' } };
    const forgedTrail = rechain(entries, k);
    const foreign = foreignKey();
    const forged = resign(cps, forgedTrail, foreign);
    await writeTrail(dir, forgedTrail);
    await writeCheckpoints(dir, forged);
    await resum(dir);
    const v = await verify(dir);
    const message = `${where(forged, 0)} is signed by key ${foreign.keyId}, which is not a trusted trail key (the bundle's keys/ holds no key with that id)`;
    expect(v.code).toBe(1);
    expect(v.line('checkpoints')).toBe(`  ✗ checkpoints  ${message}`);
    expect(v.line('head')).toBe(
      `  ✗ head         head.msg is signed by key ${foreign.keyId}, which keys/ does not hold`,
    );
    expect(v.verdict).toBe(`The case bundle of ${closedId} does NOT verify: checkpoints: ${message}.`);

    // The forger ships their own public key in place of the real one: every check passes, and the
    // fingerprint printed is theirs, which the recipient compares with the one published.
    await rm(path.join(dir, 'keys'), { recursive: true });
    await mkdir(path.join(dir, 'keys'));
    await writeFile(path.join(dir, 'keys', `${foreign.keyId}.pem`), foreign.pem);
    await resum(dir);
    const swapped = await verify(dir);
    expect(swapped.code).toBe(0);
    const printed = swapped.stdout.split('\n')[1];
    expect(printed).toBe(`Trail key ${foreign.keyId} in keys/${foreign.keyId}.pem, fingerprint ${foreign.fingerprint}`);
    expect(real).toMatch(/^Trail key [0-9a-f]{16} in keys\/[0-9a-f]{16}\.pem, fingerprint [0-9a-f]{64}$/);
    expect(printed).not.toBe(real);
    expect(swapped.stdout).not.toContain(real.split('fingerprint ')[1]);
  });

  it("an entry moved from another incident's trail: the chain names the incident it belongs to", async () => {
    const dir = await tampered(closed);
    const entries = await entriesOf(dir);
    const other = await entriesOf(open);
    entries[2] = other[2];
    await writeTrail(dir, entries);
    await resum(dir);
    const v = await verify(dir);
    const message = `line 3 (seq 3) belongs to incident ${openId}, not ${closedId}`;
    expect(v.code).toBe(1);
    expect(v.line('chain')).toBe(`  ✗ chain        ${message}`);
    expect(v.verdict).toBe(`The case bundle of ${closedId} does NOT verify: chain: ${message}.`);
  });
});
