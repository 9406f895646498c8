import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chainEntry, type AuditEntry } from '../../domain/audit-chain';
import { signCheckpoint, type SignedCheckpoint } from '../../domain/audit-checkpoint';
import { parseConfig, type Config } from '../../platform/config/schema';
import { sealBuffer } from '../../platform/encryption/at-rest/buffers';
import { dataConverterFor } from '../../platform/encryption/codec';
import { atRestKeyRing, loadKeyRing, type KeyRing } from '../../platform/encryption/key-ring';
import type { WorkerPair } from '../../worker/worker-pair';
import { createIncidentWorker, type WorkerParts } from '../../worker/create-worker';
import {
  expectNoStack,
  expectOk,
  pollUntil,
  runCliProcess,
  startCliWorld,
  uniqueId,
  type CliResult,
  type CliWorld,
} from './harness';

// Evidence and reports encrypted at rest, as a responder meets them: a worker configured like the embedded
// default (a key file under the data dir, atRest left at auto), the built `incident` spawned as a user
// runs it, and `incident evidence export` writing the original bytes back out, verified against the
// audit trail, or refusing with exit 1 when the stored copy was altered.

const MiB = 1024 * 1024;
const MARKER = Buffer.from('Globex customer card 4111-1111-1111-1111');
const CUSTOMER = 'Globex Customer Holdings';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface AtRestWorld {
  dataDir: string;
  ring: KeyRing;
  images: { 'web-01': Buffer };
  cli(...args: string[]): Promise<CliResult>;
  cliWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult>;
  view(id: string): Promise<any>;
  stop(): Promise<void>;
}

async function startAtRestWorld(): Promise<AtRestWorld> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-at-rest-cli-'));
  // What `npm start` makes on first start: the key file the worker and the CLI both read.
  await mkdir(path.join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(dataDir, 'keys', 'payload-keys'), `k1:${randomBytes(32).toString('base64')}\n`, {
    mode: 0o600,
  });
  const image = randomBytes(3 * MiB + 5);
  for (let at = 0; at + MARKER.length <= image.length; at += 256 * 1024) MARKER.copy(image, at);
  await writeFile(path.join(dataDir, 'web-01.img'), image);
  await mkdir(path.join(dataDir, 'share', 'etc'), { recursive: true });
  await writeFile(path.join(dataDir, 'share', 'etc', 'shadow'), `root:$6$${MARKER.toString()}:19000\n`);
  await writeFile(path.join(dataDir, 'share', 'customers.csv'), `name,card\n${CUSTOMER},${MARKER.toString()}\n`);
  const fileContent = {
    dataDir,
    systems: {
      'web-01': {
        isolation: { driver: 'command', isolate: ['true'], release: ['true'] },
        evidence: { driver: 'local', path: path.join(dataDir, 'web-01.img') },
      },
      'files-01': {
        isolation: { driver: 'command', isolate: ['true'], release: ['true'] },
        evidence: { driver: 'local', path: path.join(dataDir, 'share') },
      },
    },
  };
  const configFile = path.join(dataDir, 'incident.config.json');
  await writeFile(configFile, JSON.stringify(fileContent, null, 2));
  const config: Config = parseConfig(fileContent, {}, configFile);
  config.temporal.taskQueue = uniqueId('at-rest');
  const ring = loadKeyRing({}, dataDir)!;
  const connection = await NativeConnection.connect({ address: inject('devServerAddress') });
  const parts: WorkerParts = await createIncidentWorker(
    connection,
    config,
    { workflowBundle: { codePath: inject('workflowBundlePath') } },
    { dataConverter: dataConverterFor(ring) },
    { atRest: atRestKeyRing(config.atRest, ring) },
  );
  const worker: WorkerPair = parts.worker;
  const running = worker.run();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('devServerAddress'),
    INCIDENT_TASK_QUEUE: config.temporal.taskQueue,
    INCIDENT_CONFIG: configFile,
    INCIDENT_ACTOR: 'alice',
    NO_COLOR: '1',
  };
  for (const name of [
    'INCIDENT_PAYLOAD_KEYS',
    'INCIDENT_PAYLOAD_KEYS_FILE',
    'INCIDENT_PAYLOAD_ACTIVE_KEY',
    'INCIDENT_PAYLOAD_ENCRYPTION',
    'INCIDENT_AT_REST_ENCRYPTION',
    'INCIDENT_DATA_DIR',
  ])
    delete env[name];
  const cliWith = (extra: NodeJS.ProcessEnv, ...args: string[]) => runCliProcess(args, { ...env, ...extra });
  const cli = (...args: string[]) => cliWith({}, ...args);
  return {
    dataDir,
    ring,
    images: { 'web-01': image },
    cli,
    cliWith,
    async view(id) {
      const r = await cli('show', id, '--json');
      if (r.code !== 0) throw new Error(`show ${id} --json exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    async stop() {
      worker.shutdown();
      await running;
      parts.mailer.close();
      await connection.close();
      await chmodTree(path.join(dataDir, 'evidence'), 0o755, 0o644);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The store makes copies read-only; the test, as their owner, opens them up to alter or remove them. */
async function chmodTree(dir: string, dirMode: number, fileMode: number): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) return chmod(dir, fileMode);
  await chmod(dir, dirMode);
  for (const entry of await readdir(dir)) await chmodTree(path.join(dir, entry), dirMode, fileMode);
}

/** Rewrites a stored file in place, as someone with write access to the data dir could. */
async function alter(file: string, change: (bytes: Buffer) => Buffer): Promise<Buffer> {
  const original = await readFile(file);
  await chmod(path.dirname(file), 0o755);
  await chmod(file, 0o644);
  await writeFile(file, change(Buffer.from(original)));
  await chmod(file, 0o444);
  await chmod(path.dirname(file), 0o555);
  return original;
}

const refusedWith = (r: CliResult, code: number) => {
  expectNoStack(r);
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
};

let world: AtRestWorld;
let id: string;
let record: any;
let outDir: string;

beforeAll(async () => {
  world = await startAtRestWorld();
  outDir = await mkdtemp(path.join(os.tmpdir(), 'incident-export-'));
  id = uniqueId('INC-REST');
  expectOk(
    await world.cli(
      'open',
      '--id',
      id,
      '--title',
      'Card data taken from web-01',
      '--severity',
      'SEV1',
      '--category',
      'data-breach',
      '--system',
      'web-01',
      '--system',
      'files-01',
      '--detection',
      'EDR alert',
    ),
  );
  const view = await pollUntil(
    'both copies',
    () => world.view(id),
    (v) => v.state.systems.length === 2 && v.state.systems.every((s: any) => s.evidence.state === 'done'),
    120_000,
  );
  record = view.state.systems.find((s: any) => s.name === 'web-01').evidenceRecords[0];
});

afterAll(async () => {
  await world?.stop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('evidence encrypted at rest, exported with incident evidence export', () => {
  it('stores the copy encrypted, with the hash of the original bytes and the key in the custody record', async () => {
    expect(record.sha256).toBe(sha(world.images['web-01']));
    expect(record.sizeBytes).toBe(world.images['web-01'].length);
    expect(record.location).toBe(path.join(world.dataDir, 'evidence', id, 'web-01', 'round-1', 'image.bin.enc'));
    expect(record.encryption).toEqual({ cipher: 'AES-256-GCM', format: 'incident-at-rest/1', keyId: 'k1' });
    expect(record.custody.at(-1).action).toBe(
      'encrypted at rest (AES-256-GCM, key "k1"); the SHA-256 is of the original bytes, verified by decrypting the stored copy',
    );
    const stored = await readFile(record.location);
    expect(stored.includes(MARKER)).toBe(false);
    for (const file of await readdir(path.join(world.dataDir, 'evidence', id, 'files-01', 'round-1', 'tree'), {
      recursive: true,
    })) {
      const full = path.join(world.dataDir, 'evidence', id, 'files-01', 'round-1', 'tree', String(file));
      if ((await stat(full)).isFile()) expect((await readFile(full)).includes(MARKER), full).toBe(false);
    }
  });

  it('writes the original bytes to the named path, verified against the audit trail, read-only', async () => {
    const out = path.join(outDir, 'web-01.img');
    const r = expectOk(await world.cli('evidence', 'export', id, 'web-01', '--out', out));
    expect(r.stdout).toMatch(
      new RegExp(
        `^Exported web-01 \\(round 1\\) of ${id} to ${out}: ${world.images['web-01'].length} bytes, SHA-256 ${record.sha256} matches the audit trail \\(entry \\d+, covered by a signed checkpoint and the head Temporal recorded \\(seq \\d+\\); decrypted with key "k1"\\)\\.\\n$`,
      ),
    );
    expect((await readFile(out)).equals(world.images['web-01'])).toBe(true);
    expect((await stat(out)).mode & 0o777).toBe(0o400);
    expect((await readdir(outDir)).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('refuses to overwrite without --force (exit 2), replaces with it, and prints JSON with --json', async () => {
    const out = path.join(outDir, 'again.img');
    await writeFile(out, 'something the responder had there');
    const refused = await world.cli('evidence', 'export', id, 'web-01', '--out', out);
    refusedWith(refused, 2);
    expect(refused.stderr).toBe(`incident: ${out} already exists; add --force to replace it, or name another path.\n`);
    expect(await readFile(out, 'utf8')).toBe('something the responder had there');

    const r = expectOk(await world.cli('evidence', 'export', id, 'web-01', '--out', out, '--force', '--json'));
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      incidentId: id,
      system: 'web-01',
      round: 1,
      kind: 'file',
      out,
      sha256: record.sha256,
      sizeBytes: world.images['web-01'].length,
      encrypted: true,
      keyId: 'k1',
      auditSeq: expect.any(Number),
      coveredBy: expect.stringMatching(/^a signed checkpoint and the head Temporal recorded \(seq \d+\)$/),
    });
    expect((await readFile(out)).equals(world.images['web-01'])).toBe(true);
  });

  it('exports a directory copy file by file against its manifest', async () => {
    const out = path.join(outDir, 'files-01');
    const r = expectOk(await world.cli('evidence', 'export', id, 'files-01', '--out', out, '--json'));
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      kind: 'directory',
      files: 2,
      encrypted: true,
      keyId: 'k1',
      round: 1,
    });
    expect(await readFile(path.join(out, 'customers.csv'), 'utf8')).toBe(
      `name,card\n${CUSTOMER},${MARKER.toString()}\n`,
    );
    expect(await readFile(path.join(out, 'etc', 'shadow'), 'utf8')).toBe(`root:$6$${MARKER.toString()}:19000\n`);
  });

  it('names the missing key when the ring does not hold it (exit 1), and writes nothing', async () => {
    const out = path.join(outDir, 'wrong-key.img');
    const wrongRing = { INCIDENT_PAYLOAD_KEYS: `k2:${randomBytes(32).toString('base64')}` };
    // Without the key Temporal's copy of the incident cannot be read either, so its head cannot vouch for the hash.
    const unconfirmed = await world.cliWith(wrongRing, 'evidence', 'export', id, 'web-01', '--out', out);
    refusedWith(unconfirmed, 1);
    expect(unconfirmed.stderr).toMatch(
      new RegExp(
        `^The recorded hash of web-01 \\(round 1\\) of ${id} \\(audit entry \\d+\\) cannot be confirmed by Temporal: Temporal could not be asked \\(This payload was encrypted with key "k1", which is not in the key ring\\.`,
      ),
    );
    expect(unconfirmed.stderr).toContain('Fix that, or add --offline to rely on the signed checkpoints alone.');
    const r = await world.cliWith(wrongRing, 'evidence', 'export', id, 'web-01', '--out', out, '--offline');
    refusedWith(r, 1);
    expect(r.stderr).toBe(
      `The copy of web-01 (round 1) of ${id} cannot be exported: ${record.location} was encrypted at rest with key "k1", which is not in the key ring. Add that key back (INCIDENT_PAYLOAD_KEYS, or keys/payload-keys under the data dir) to read it. Nothing was written to ${out}.\n`,
    );
    await expect(stat(out)).rejects.toThrow();
  });

  it('refuses a tampered stored copy with exit 1, naming the file and the segment, and removes the partial output', async () => {
    const out = path.join(outDir, 'tampered.img');
    const original = await alter(record.location, (b) => {
      const header = 6 + 1 + 4 + 1 + 'k1'.length + 32 + 7;
      b[header + 2 * (MiB + 16) + 1000] ^= 0x20; // inside segment 2 of 0..3
      return b;
    });
    try {
      const r = await world.cli('evidence', 'export', id, 'web-01', '--out', out);
      refusedWith(r, 1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^The copy of web-01 \\(round 1\\) of ${id} cannot be exported: ${record.location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, segment 2: \\(file bytes \\d+\\.\\.\\d+\\) does not authenticate: its bytes were changed, or it was moved from another position or another file\\. The file was tampered with or damaged; nothing read from it can be trusted\\. Nothing was written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\n$`,
        ),
      );
      await expect(stat(out)).rejects.toThrow();
      expect((await readdir(outDir)).filter((f) => f.includes('.partial-'))).toEqual([]);

      const json = await world.cli('evidence', 'export', id, 'web-01', '--out', out, '--json');
      expectNoStack(json);
      expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 1, stderr: '' });
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        incidentId: id,
        system: 'web-01',
        problem: expect.stringContaining('segment 2:'),
      });
    } finally {
      await alter(record.location, () => original);
    }
  });

  it('refuses a stored copy that decrypts but is not what was collected (exit 1): the hash is checked, not only the encryption', async () => {
    const out = path.join(outDir, 'swapped.img');
    const forged = Buffer.from(world.images['web-01']);
    forged.write('planted', 2 * MiB);
    const original = await alter(record.location, () => sealBuffer(world.ring, forged));
    try {
      const r = await world.cli('evidence', 'export', id, 'web-01', '--out', out);
      refusedWith(r, 1);
      expect(r.stderr).toBe(
        `The copy of web-01 (round 1) of ${id} does not match its recorded hash: the audit trail records SHA-256 ${record.sha256}, the stored copy gives ${sha(forged)}. Nothing was written to ${out}.\n`,
      );
      await expect(stat(out)).rejects.toThrow();
    } finally {
      await alter(record.location, () => original);
    }
  });

  it('refuses a substituted copy whose recorded hash was rewritten: the checkpoints name it, and once re-signed with the trail key, Temporal does', async () => {
    const out = path.join(outDir, 'substituted.img');
    const planted = randomBytes(world.images['web-01'].length);
    const trailFile = path.join(world.dataDir, 'audit', `${id}.jsonl`);
    const checkpointsFile = path.join(world.dataDir, 'audit', `${id}.checkpoints.jsonl`);
    const [trailText, checkpointsText] = [await readFile(trailFile, 'utf8'), await readFile(checkpointsFile, 'utf8')];
    const original = await alter(record.location, () => sealBuffer(world.ring, planted));
    try {
      // Whoever can write the data dir swaps the image and rewrites its recorded hash, recomputing the chain.
      let prev: AuditEntry | undefined;
      const entries = trailText
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEntry);
      const collected = entries.find((e) => e.action === 'evidence.collected' && e.details.system === 'web-01')!;
      collected.details = { ...collected.details, sha256: sha(planted) };
      const rechained = entries.map(({ prevHash: _p, hash: _h, ...r }) => (prev = chainEntry(prev, r)));
      await writeFile(trailFile, rechained.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const byCheckpoint = await world.cli('evidence', 'export', id, 'web-01', '--out', out);
      refusedWith(byCheckpoint, 1);
      expect(byCheckpoint.stderr).toMatch(
        new RegExp(
          `^The recorded hash of web-01 \\(round 1\\) of ${id} \\(audit entry ${collected.seq}\\) is not covered by a valid checkpoint: entry (\\d+) does not match checkpoint \\d+ \\(seq \\1, signed at \\S+\\): the trail was rewritten\\. See: incident audit ${id} --verify\\n$`,
        ),
      );
      // Someone who also holds the worker's trail key re-signs every checkpoint: Temporal's head still differs.
      const key = createPrivateKey(await readFile(path.join(world.dataDir, 'keys', 'trail-key.pem')));
      const resigned = checkpointsText
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const { signature: _s, ...cp } = JSON.parse(l) as SignedCheckpoint;
          return JSON.stringify(signCheckpoint({ ...cp, hash: rechained[cp.seq - 1].hash }, key));
        });
      await writeFile(checkpointsFile, resigned.join('\n') + '\n');
      const byTemporal = await world.cli('evidence', 'export', id, 'web-01', '--out', out);
      refusedWith(byTemporal, 1);
      expect(byTemporal.stderr).toMatch(
        new RegExp(
          `^The recorded hash of web-01 \\(round 1\\) of ${id} \\(audit entry ${collected.seq}\\) is not covered by the head Temporal recorded: entry \\d+ does not match the head Temporal recorded at \\S+ \\([0-9a-f]{16}…\\): the trail was rewritten\\. See: incident audit ${id} --verify\\n$`,
        ),
      );
      await expect(stat(out)).rejects.toThrow();
      // The limit README states: offline, the trail key alone vouches, so its holder can forge.
      expectOk(await world.cli('evidence', 'export', id, 'web-01', '--out', out, '--offline'));
      expect((await readFile(out)).equals(planted)).toBe(true);
    } finally {
      await alter(record.location, () => original);
      await writeFile(trailFile, trailText);
      await writeFile(checkpointsFile, checkpointsText);
    }
  });

  it('explains a system without a copy, an unknown round, and a missing --out', async () => {
    const none = await world.cli('evidence', 'export', id, 'db-01', '--out', path.join(outDir, 'x'));
    refusedWith(none, 1);
    expect(none.stderr).toBe(
      `The audit trail of ${id} records no stored copy of db-01. See the systems and their evidence with: incident show ${id}\n`,
    );
    const round = await world.cli('evidence', 'export', id, 'web-01', '--round', '7', '--out', path.join(outDir, 'x'));
    refusedWith(round, 1);
    expect(round.stderr).toBe('There is no copy of web-01 from round 7; the audit trail records round 1.\n');
    const noOut = await world.cli('evidence', 'export', id, 'web-01');
    refusedWith(noOut, 2);
    expect(noOut.stderr).toContain("required option '--out <path>' not specified");
  });

  it('has help with an example', async () => {
    const r = expectOk(await runCliProcess(['evidence', 'export', '--help'], { ...process.env, NO_COLOR: '1' }));
    expect(r.stdout).toMatch(/^Usage: incident evidence export \[options\] <id> <system>/);
    expect(r.stdout).toContain('Example:\n  incident evidence export INC-1 web-01 --out /mnt/case/web-01.img');
    expect(r.stdout).toContain('--force');
  });
});

describe('reports encrypted at rest', () => {
  it('keeps the customer name out of the files on disk; incident report --stored decrypts them, and incident report still renders', async () => {
    expectOk(
      await world.cli('contact', id, '--kind', 'customer', '--org', CUSTOMER, '--shared', 'which cards were exposed'),
    );
    expectOk(await world.cli('reports', id));
    const dir = path.join(world.dataDir, 'reports', id);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['rca.html.enc', 'rca.md.enc', 'rfo.html.enc', 'rfo.md.enc']);
    for (const f of files) expect((await readFile(path.join(dir, f))).includes(Buffer.from(CUSTOMER)), f).toBe(false);

    const stored = expectOk(await world.cli('report', id, '--kind', 'rca', '--stored'));
    expect(stored.stdout.startsWith('# Root-cause analysis: Card data taken from web-01\n')).toBe(true);
    expect(stored.stdout).toContain(CUSTOMER);
    const html = expectOk(await world.cli('report', id, '--kind', 'rca', '--format', 'html', '--stored'));
    expect(html.stdout).toContain('<h1>Root-cause analysis: Card data taken from web-01</h1>');
    expect(expectOk(await world.cli('report', id, '--kind', 'rca')).stdout).toContain(CUSTOMER);

    const missing = await world.cli('report', id, '--kind', 'regulator', '--stored');
    refusedWith(missing, 1);
    expect(missing.stderr).toBe(
      `No regulator report rendered for ${id} under ${dir}. Render it with: incident reports ${id} (or leave out --stored to render it now).\n`,
    );
  });
});

describe('plaintext evidence (no key ring)', () => {
  let plain: CliWorld;
  afterAll(async () => {
    if (plain) {
      await chmodTree(path.join(plain.dataDir, 'evidence'), 0o755, 0o644);
      await plain.stop();
    }
  });

  it('exports by copying, with the same verification', async () => {
    plain = await startCliWorld('export-plain');
    const plainId = uniqueId('INC-PLAIN');
    expectOk(
      await plain.run([
        'open',
        '--id',
        plainId,
        '--title',
        'Plain copy',
        '--severity',
        'SEV2',
        '--category',
        'other',
        '--system',
        'web-01',
        '--detection',
        'EDR',
      ]),
    );
    const view = await pollUntil(
      'the copy',
      () => plain.view(plainId),
      (v) => v.state.systems[0]?.evidence.state === 'done',
    );
    const copy = view.state.systems[0].evidenceRecords[0];
    expect(copy.location.endsWith(`${path.sep}image.bin`)).toBe(true);
    expect(copy.encryption).toBeUndefined();
    const out = path.join(outDir, 'plain.img');
    const r = expectOk(await plain.run(['evidence', 'export', plainId, 'web-01', '--out', out]));
    expect(r.stdout).toMatch(
      new RegExp(
        `^Exported web-01 \\(round 1\\) of ${plainId} to ${out}: ${1024 * 1024} bytes, SHA-256 ${copy.sha256} matches the audit trail \\(entry \\d+, covered by a signed checkpoint and the head Temporal recorded \\(seq \\d+\\); stored unencrypted\\)\\.\\n$`,
      ),
    );
    const image = (plain.config.systems['web-01'].evidence as { path: string }).path;
    expect((await readFile(out)).equals(await readFile(image))).toBe(true);
  });
});
