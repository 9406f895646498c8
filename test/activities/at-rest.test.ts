import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { JsonlAuditStore } from '../../stores/audit-store';
import { evidenceDriver } from '../../activities/drivers/evidence';
import { sha256OfFile, sha256OfSealedFile } from '../../stores/evidence-hashing';
import { EvidenceStore } from '../../stores/evidence-store';
import { LocalReportStore } from '../../stores/report-store';
import type { Mailer } from '../../activities/mailer';
import { parseConfig } from '../../platform/config/schema';
import { defaultPolicy } from '../../domain/policy-schema';
import { openBuffer } from '../../platform/encryption/at-rest/buffers';
import { readSealedPrefix } from '../../platform/encryption/at-rest/sealed-prefix';
import { createSealStream } from '../../platform/encryption/at-rest/streams';
import type { KeyRing } from '../../platform/encryption/key-ring';
import { assessedState } from '../unit/builders';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';

// Evidence copies and reports encrypted at rest, on real files: the stored bytes hold none of the
// source's plaintext, the recorded SHA-256 is still that of the original bytes, an interrupted copy
// resumes at a segment boundary, and a rendered report on disk names no customer.

const MiB = 1024 * 1024;
const made: string[] = [];
const tmp = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-at-rest-act-'));
  made.push(dir);
  return dir;
};

/** Copies are read-only; their owner opens them up to remove them. */
async function openUp(target: string): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return;
  await chmod(target, info.isDirectory() ? 0o755 : 0o644);
  if (info.isDirectory()) for (const entry of await readdir(target)) await openUp(path.join(target, entry));
}

afterAll(async () => {
  for (const dir of made) {
    await openUp(dir);
    await rm(dir, { recursive: true, force: true });
  }
});
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ring: KeyRing = { activeKeyId: 'k-2026', keys: new Map([['k-2026', randomBytes(32)]]) };
const MARKER = Buffer.from('SSN 123-45-6789 belongs to Jane Customer');

/** A disk image whose every MiB holds the marker in plain text, among random bytes. */
function imageWithMarker(bytes: number): Buffer {
  const image = randomBytes(bytes);
  for (let at = 0; at + MARKER.length <= bytes; at += MiB) MARKER.copy(image, at);
  return image;
}

async function sealedPrefixOf(bytes: Buffer, wholeSegments: number, extraBytes = 0): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(
    Readable.from([bytes]),
    createSealStream(ring),
    new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }),
  );
  const sealed = Buffer.concat(parts);
  const header = sealed.length - bytes.length - 16 * Math.ceil(bytes.length / MiB);
  return sealed.subarray(0, header + wholeSegments * (MiB + 16) + extraBytes);
}

describe('evidence store encrypted at rest', () => {
  it('stores a file copy with none of its plaintext, records the SHA-256 of the original bytes, and verifies by decrypting', async () => {
    const dir = await tmp();
    const bytes = imageWithMarker(5 * MiB + 17);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    const progress: number[] = [];
    const stored = await new EvidenceStore(path.join(dir, 'store'), ring).copyFromPath(
      target,
      path.join(dir, 'disk.img'),
      { onProgress: (n) => progress.push(n) },
    );

    expect(stored.sha256).toBe(sha(bytes));
    expect(stored.sizeBytes).toBe(bytes.length);
    expect(stored.location).toBe(path.join(target, 'image.bin.enc'));
    expect(stored.encryption).toEqual({
      cipher: 'AES-256-GCM',
      format: 'incident-at-rest/1',
      keyId: 'k-2026',
      segmentBytes: MiB,
    });
    const onDisk = await readFile(stored.location);
    expect(onDisk.includes(MARKER)).toBe(false);
    expect(onDisk.includes(Buffer.from('Jane Customer'))).toBe(false);
    expect(await sha256OfFile(stored.location)).not.toBe(stored.sha256);
    expect(await sha256OfSealedFile(stored.location, ring)).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect((await stat(stored.location)).mode & 0o777).toBe(0o444);
    expect((await readdir(target)).sort()).toEqual(['evidence.json', 'image.bin.enc']);
    expect(JSON.parse(await readFile(path.join(target, 'evidence.json'), 'utf8'))).toEqual(stored);
    expect(progress[progress.length - 1]).toBe(bytes.length);
  });

  it('resumes a copy interrupted after whole segments from the next segment, under the same file key', async () => {
    const dir = await tmp();
    const bytes = imageWithMarker(6 * MiB + 5);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    await mkdir(target, { recursive: true });
    // What a worker killed after sealing 4 segments leaves behind (whole segments: one write per segment).
    const partial = await sealedPrefixOf(bytes, 4);
    await writeFile(path.join(target, 'image.bin.enc.partial'), partial);
    const progress: number[] = [];
    const stored = await new EvidenceStore(path.join(dir, 'store'), ring).copyFromPath(
      target,
      path.join(dir, 'disk.img'),
      { onProgress: (n) => progress.push(n) },
    );
    expect(stored.sha256).toBe(sha(bytes));
    expect(Math.min(...progress)).toBeGreaterThan(4 * MiB);
    const final = await readFile(stored.location);
    expect(final.subarray(0, partial.length).equals(partial)).toBe(true); // the first 4 segments were kept as they were
    expect(await sha256OfSealedFile(stored.location, ring)).toEqual({ sha256: sha(bytes), size: bytes.length });
  });

  it('seals again the segment a crash cut short, when the source gives the very same bytes', async () => {
    const dir = await tmp();
    const bytes = imageWithMarker(4 * MiB);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    await mkdir(target, { recursive: true });
    // A SIGKILL during the write of segment 2 leaves its first bytes on disk.
    const partial = await sealedPrefixOf(bytes, 2, 1000);
    await writeFile(path.join(target, 'image.bin.enc.partial'), partial);
    const progress: number[] = [];
    const stored = await new EvidenceStore(path.join(dir, 'store'), ring).copyFromPath(
      target,
      path.join(dir, 'disk.img'),
      { onProgress: (n) => progress.push(n) },
    );
    expect(stored.sha256).toBe(sha(bytes));
    expect(Math.min(...progress)).toBeGreaterThan(2 * MiB);
    expect((await readFile(stored.location)).subarray(0, partial.length).equals(partial)).toBe(true);
    expect(await sha256OfSealedFile(stored.location, ring)).toEqual({ sha256: sha(bytes), size: bytes.length });
  });

  it('starts over under a new file key when the source changed under the segment cut short: no nonce is reused for other bytes', async () => {
    const dir = await tmp();
    const before = imageWithMarker(4 * MiB);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    await mkdir(target, { recursive: true });
    const partial = await sealedPrefixOf(before, 2, 1000);
    await writeFile(path.join(target, 'image.bin.enc.partial'), partial);
    const after = Buffer.from(before);
    after[2 * MiB + 10] ^= 0xff; // inside the 1000 torn bytes of segment 2
    await writeFile(path.join(dir, 'disk.img'), after);
    const progress: number[] = [];
    const stored = await new EvidenceStore(path.join(dir, 'store'), ring).copyFromPath(
      target,
      path.join(dir, 'disk.img'),
      { onProgress: (n) => progress.push(n) },
    );
    expect(stored.sha256).toBe(sha(after));
    expect(progress).toContain(after.length);
    expect(Math.min(...progress)).toBeLessThan(2 * MiB); // read again from the start
    const final = await readFile(stored.location);
    expect(final.subarray(0, 60).equals(partial.subarray(0, 60))).toBe(false); // a new salt and nonce prefix
    expect(await sha256OfSealedFile(stored.location, ring)).toEqual({ sha256: sha(after), size: after.length });
  });

  it('starts over when a segment before the end is damaged', async () => {
    const dir = await tmp();
    const bytes = imageWithMarker(4 * MiB);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    await mkdir(target, { recursive: true });
    const partial = Buffer.from(await sealedPrefixOf(bytes, 3));
    partial[partial.length - 2 * MiB] ^= 1; // segment 1 of 0..2
    await writeFile(path.join(target, 'image.bin.enc.partial'), partial);
    const stored = await new EvidenceStore(path.join(dir, 'store'), ring).copyFromPath(
      target,
      path.join(dir, 'disk.img'),
    );
    expect(stored.sha256).toBe(sha(bytes));
    expect((await readFile(stored.location)).subarray(0, 60).equals(partial.subarray(0, 60))).toBe(false);
    expect(await sha256OfSealedFile(stored.location, ring)).toEqual({ sha256: sha(bytes), size: bytes.length });
  });

  it('finishes a sealing whose rename was lost without reading the source again', async () => {
    const dir = await tmp();
    const bytes = imageWithMarker(3 * MiB + 1);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, 'image.bin.enc.partial'), await sealedPrefixOf(bytes, 3, 1 + 16));
    await chmod(path.join(dir, 'disk.img'), 0o000); // reading the source now would fail (unless running as root)
    const progress: number[] = [];
    const stored = await new EvidenceStore(path.join(dir, 'store'), ring).copyFromPath(
      target,
      path.join(dir, 'disk.img'),
      { onProgress: (n) => progress.push(n) },
    );
    expect(stored.sha256).toBe(sha(bytes));
    expect(progress).toEqual([]);
  });

  it('a partial copy of the other kind is discarded: no plaintext lingers once encryption is on', async () => {
    const dir = await tmp();
    const bytes = imageWithMarker(2 * MiB);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, 'image.bin.partial'), bytes.subarray(0, MiB));
    const stored = await new EvidenceStore(path.join(dir, 'store'), ring).copyFromPath(
      target,
      path.join(dir, 'disk.img'),
    );
    expect(stored.sha256).toBe(sha(bytes));
    expect((await readdir(target)).sort()).toEqual(['evidence.json', 'image.bin.enc']);
  });

  it('a copy aborted mid-way (the worker lost its activity) completes on the next attempt with the right hash', async () => {
    const dir = await tmp();
    const bytes = imageWithMarker(128 * MiB);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const store = new EvidenceStore(path.join(dir, 'store'), ring);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    const abort = new AbortController();
    // Abort once 8 MiB are on disk, as a cancelled or timed-out activity would be.
    const watch = setInterval(() => {
      stat(path.join(target, 'image.bin.enc.partial')).then(
        (s) => s.size > 8 * MiB && abort.abort(),
        () => undefined,
      );
    }, 1);
    const first = await store
      .copyFromPath(target, path.join(dir, 'disk.img'), { signal: abort.signal })
      .then(
        () => 'finished',
        (e: Error) => e.name,
      )
      .finally(() => clearInterval(watch));
    expect(first).toBe('AbortError');
    const left = await readSealedPrefix(path.join(target, 'image.bin.enc.partial'), ring, () => undefined);
    expect(left?.segments).toBeGreaterThan(0);
    const stored = await store.copyFromPath(target, path.join(dir, 'disk.img'));
    expect(stored.sha256).toBe(sha(bytes));
    expect(await sha256OfSealedFile(stored.location, ring)).toEqual({ sha256: sha(bytes), size: bytes.length });
  });

  it('encrypts each file of a directory copy; the manifest keeps the original names and hashes', async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, 'src', 'etc'), { recursive: true });
    const passwdText = 'root:x:0:0:Jane Customer\n';
    const logText = 'GET /shell.php?who=Jane Customer\n';
    await writeFile(path.join(dir, 'src', 'etc', 'passwd'), passwdText);
    await writeFile(path.join(dir, 'src', 'access.log'), logText);
    await writeFile(path.join(dir, 'src', 'empty'), '');
    const target = path.join(dir, 'store', 'INC-1', 'host', 'round-1');
    const stored = await new EvidenceStore(path.join(dir, 'store'), ring).copyFromPath(target, path.join(dir, 'src'));
    expect(stored.manifest!.map((m) => m.path)).toEqual(['access.log', 'empty', 'etc/passwd']);
    expect(stored.manifest![2]).toEqual({
      path: 'etc/passwd',
      sha256: sha(Buffer.from(passwdText)),
      sizeBytes: passwdText.length,
    });
    expect(stored.sha256).toBe(sha(await readFile(path.join(target, 'MANIFEST.sha256'))));
    expect(stored.encryption?.keyId).toBe('k-2026');
    expect(stored.sizeBytes).toBe(passwdText.length + logText.length);
    const passwd = await readFile(path.join(stored.location, 'etc', 'passwd.enc'));
    expect(passwd.includes(Buffer.from('Jane Customer'))).toBe(false);
    expect(openBuffer(ring, passwd, 'passwd.enc').toString()).toBe(passwdText);
    expect((await readdir(stored.location)).sort()).toEqual(['access.log.enc', 'empty.enc', 'etc']);
  });

  it('encrypts the standard output of a command driver, recording the hash of what the command wrote', async () => {
    const dir = await tmp();
    const bytes = imageWithMarker(2 * MiB + 3);
    await writeFile(path.join(dir, 'remote.img'), bytes);
    const driver = evidenceDriver(
      { driver: 'command', snapshot: ['cat', path.join(dir, '{system}.img')], timeoutSeconds: 30 },
      new EvidenceStore(path.join(dir, 'store'), ring),
    );
    const out = await driver.snapshot(
      { incidentId: 'INC-1', system: 'remote', dir: path.join(dir, 'store', 'INC-1', 'remote', 'round-1') },
      {},
    );
    if (out.kind !== 'done') throw new Error('expected a copy');
    expect(out.stored.sha256).toBe(sha(bytes));
    expect(out.stored.encryption?.keyId).toBe('k-2026');
    expect((await readFile(out.stored.location)).includes(MARKER)).toBe(false);
  });
});

describe('activities with encryption at rest', () => {
  async function activitiesIn(dataDir: string, systems: Record<string, unknown> = {}) {
    const config = parseConfig({ dataDir, systems }, {}, 'test');
    return createActivities({
      config,
      audit: new JsonlAuditStore(path.join(dataDir, 'audit')),
      mailer: {} as Mailer,
      evidence: new EvidenceStore(path.join(dataDir, 'evidence'), ring),
      reports: new LocalReportStore(path.join(dataDir, 'reports')),
      reportsAtRest: ring,
    });
  }

  it('collectEvidence records the original hash, the key and an encryption entry in the chain of custody', async () => {
    const dataDir = await tmp();
    const bytes = imageWithMarker(3 * MiB);
    await writeFile(path.join(dataDir, 'web-01.img'), bytes);
    const acts = await activitiesIn(dataDir, {
      'web-01': { evidence: { driver: 'local', path: path.join(dataDir, 'web-01.img') } },
    });
    const out = await new MockActivityEnvironment().run(acts.collectEvidence, {
      incidentId: 'INC-7',
      system: 'web-01',
      round: 1,
      collector: 'alice',
    });
    if (out.kind !== 'done') throw new Error('expected a copy');
    expect(out.record.sha256).toBe(sha(bytes));
    expect(out.record.location).toBe(path.join(dataDir, 'evidence', 'INC-7', 'web-01', 'round-1', 'image.bin.enc'));
    expect(out.record.encryption).toEqual({ cipher: 'AES-256-GCM', format: 'incident-at-rest/1', keyId: 'k-2026' });
    expect(out.record.custody.map((c) => c.action)).toEqual([
      `copy started from ${path.join(dataDir, 'web-01.img')} (file)`,
      `SHA-256 computed while copying and verified on the stored copy: ${sha(bytes)}`,
      `stored read-only at ${out.record.location}`,
      'encrypted at rest (AES-256-GCM, key "k-2026"); the SHA-256 is of the original bytes, verified by decrypting the stored copy',
    ]);
    expect((await readFile(out.record.location)).includes(MARKER)).toBe(false);
  });

  it('writes rendered reports encrypted: no customer name on disk, the full report when decrypted, no stale plaintext left', async () => {
    const dataDir = await tmp();
    const acts = await activitiesIn(dataDir);
    const state = assessedState();
    state.contacts.push({
      kind: 'customer',
      organisation: 'Globex Customer Holdings',
      person: 'Jane Customer',
      at: '2026-03-28T17:00:00.000Z',
      shared: 'what was taken',
      by: 'alice',
    });
    // A rendering from before encryption was switched on.
    await mkdir(path.join(dataDir, 'reports', state.incidentId), { recursive: true });
    await writeFile(
      path.join(dataDir, 'reports', state.incidentId, 'rca.md'),
      'Globex Customer Holdings (old plaintext)',
    );

    const files = await acts.renderReports({
      state,
      policy: defaultPolicy(),
      kinds: ['rca', 'rfo'],
      renderedAt: '2026-03-29T10:00:00.000Z',
    });
    expect(files.map((f) => path.basename(f.path))).toEqual([
      'rca.md.enc',
      'rca.html.enc',
      'rfo.md.enc',
      'rfo.html.enc',
    ]);
    expect((await readdir(path.join(dataDir, 'reports', state.incidentId))).sort()).toEqual([
      'rca.html.enc',
      'rca.md.enc',
      'rfo.html.enc',
      'rfo.md.enc',
    ]);
    for (const f of files) {
      const onDisk = await readFile(f.path);
      for (const secret of ['Globex Customer Holdings', 'Jane Customer', state.title])
        expect(onDisk.includes(Buffer.from(secret)), `${secret} in ${f.path}`).toBe(false);
    }
    const rca = openBuffer(ring, await readFile(files[0].path), files[0].path).toString('utf8');
    expect(rca.startsWith(`# Root-cause analysis: ${state.title}\n`)).toBe(true);
    expect(rca).toContain('Globex Customer Holdings');
    expect(rca).toContain('Jane Customer');
  });

  it('writes plaintext reports when no ring is given, and removes an encrypted rendering left from before', async () => {
    const dataDir = await tmp();
    const state = assessedState();
    await mkdir(path.join(dataDir, 'reports', state.incidentId), { recursive: true });
    await writeFile(path.join(dataDir, 'reports', state.incidentId, 'rfo.md.enc'), 'old');
    const acts = createActivities({
      config: parseConfig({ dataDir }, {}, 'test'),
      audit: new JsonlAuditStore(path.join(dataDir, 'audit')),
      mailer: {} as Mailer,
      evidence: new EvidenceStore(path.join(dataDir, 'evidence')),
      reports: new LocalReportStore(path.join(dataDir, 'reports')),
    });
    const files = await acts.renderReports({
      state,
      policy: defaultPolicy(),
      kinds: ['rfo'],
      renderedAt: '2026-03-29T10:00:00.000Z',
    });
    expect(files.map((f) => path.basename(f.path))).toEqual(['rfo.md', 'rfo.html']);
    expect((await readdir(path.join(dataDir, 'reports', state.incidentId))).sort()).toEqual(['rfo.html', 'rfo.md']);
    expect(await readFile(files[0].path, 'utf8')).toContain(`# Reason for Outage: ${state.title}`);
  });
});
