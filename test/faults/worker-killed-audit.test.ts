import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkpointSignatureValid, parseCheckpoint, trailKeyId } from '../../domain/audit-checkpoint';
import { JsonlAuditStore } from '../../stores/audit-store';
import { IncidentClient } from '../../client/incident-client';
import * as api from '../../workflows/incident-api';
import { uniqueId } from '../helpers/fixtures';
import { workerSetup } from '../helpers/worker-process';

// The worker process SIGKILLs itself (INCIDENT_FAULT_CRASH_AT) in the middle of an audit append: once
// after the entry is written and fsynced but before the activity returns, once after writing only half
// of the line, once after the entry is written but before its checkpoint is signed. A new worker process
// continues the incident: the responder's action is reported done once, its entry is in the file once,
// every seq appears once, no torn line is left, the last checkpoint signs the last entry, and
// `incident audit ID --verify` passes every check, Temporal's head included.

const PROJECT_DIR = path.resolve(__dirname, '..', '..');

let connection: Connection;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await connection?.close();
});

function startWorker(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<NodeJS.Signals | number | null>;
} {
  // The production entry point, as `npm start` runs it against a cluster (TEMPORAL_ADDRESS set).
  const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'apps', 'start.js')], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, stderr: () => stderr, exited };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms)),
  ]);
}

type AppendCrash = 'audit-after-write' | 'audit-mid-write' | 'audit-before-checkpoint';

/** `incident audit ID --verify --json` as a responder or an auditor runs it (`--offline`: Temporal not asked). */
function verifyWithCli(env: NodeJS.ProcessEnv, incidentId: string, ...extra: string[]) {
  const cli = spawnSync(
    process.execPath,
    [path.join(PROJECT_DIR, 'bin', 'incident.js'), 'audit', incidentId, '--verify', '--json', ...extra],
    { env, encoding: 'utf8', timeout: 30_000 },
  );
  return { status: cli.status, stderr: cli.stderr, verdict: JSON.parse(cli.stdout) };
}

async function crashMidAppend(point: AppendCrash) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-kill-audit-'));
  const { env, taskQueue } = await workerSetup(dataDir, 'kill-audit');
  const incidents = new IncidentClient(new Client({ connection }), taskQueue);
  const store = new JsonlAuditStore(path.join(dataDir, 'audit'));
  const incidentId = uniqueId(
    { 'audit-mid-write': 'KAUDM', 'audit-after-write': 'KAUDA', 'audit-before-checkpoint': 'KAUDC' }[point],
  );
  const auditFile = store.fileOf(incidentId);
  const checkpointsFile = store.checkpointsFileOf(incidentId);
  const readCheckpoints = async () =>
    (await readFile(checkpointsFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => parseCheckpoint(line)!);

  // A first worker opens the incident and alerts the CTO (to the outbox); then it stops, politely.
  const first = startWorker(env);
  await incidents.open({
    incidentId,
    title: 'Audit append interrupted',
    severity: 'SEV2',
    category: 'other',
    systems: [],
    detection: 'test',
    awareAt: new Date().toISOString(),
    openedBy: 'alice',
  });
  await expect
    .poll(async () => (await store.read(incidentId)).some((e) => e.action === 'mail.sent'), { timeout: 30_000 })
    .toBe(true);
  first.child.kill('SIGTERM');
  await within(first.exited, 30_000, 'the first worker to stop');
  const before = await store.read(incidentId);
  const signedBefore = await readCheckpoints();
  expect(signedBefore.at(-1)).toMatchObject({ seq: before.length, hash: before.at(-1)!.hash });

  // The next worker dies in the append of the responder's note, the first append it makes.
  const crashing = startWorker({ ...env, INCIDENT_FAULT_CRASH_AT: point });
  let reported = 0;
  const note = incidents
    .act(incidentId, api.noteUpdate, { actor: 'bob', text: `written across a crash at ${point}` })
    .then((r) => {
      reported++;
      return r;
    });
  expect(await within(crashing.exited, 60_000, `the worker to kill itself at ${point}`)).toBe('SIGKILL');
  expect(crashing.stderr()).toContain(`WARNING: FAULT INJECTION: INCIDENT_FAULT_CRASH_AT=${point} is set`);
  const afterCrash = await readFile(auditFile, 'utf8');
  if (point === 'audit-mid-write') {
    // Half a line on disk, never acknowledged: readers skip it, verify names it.
    expect(afterCrash.endsWith('\n')).toBe(false);
    expect(await store.read(incidentId)).toEqual(before);
    expect(await store.verify(incidentId)).toMatchObject({
      ok: false,
      line: before.length + 1,
      problem: expect.stringMatching(/^is an unfinished last line/),
    });
  } else {
    // The entry is durably written, but the activity never reported it.
    expect(afterCrash.endsWith('\n')).toBe(true);
    expect((await store.read(incidentId)).slice(before.length)).toMatchObject([
      { seq: before.length + 1, action: 'note.added' },
    ]);
  }
  if (point === 'audit-before-checkpoint') {
    // Nothing signed the new head yet, and an auditor reading the files now is told so.
    expect(await readCheckpoints()).toEqual(signedBefore);
    const midCrash = verifyWithCli(env, incidentId, '--offline');
    expect(midCrash.status).toBe(1);
    expect(midCrash.verdict.checks.find((c: { check: string }) => c.check === 'checkpoints')).toEqual({
      check: 'checkpoints',
      ok: false,
      message: `entry ${before.length + 1} is covered by no checkpoint: written after the last checkpoint, or its checkpoints were removed`,
    });
  }
  expect(reported).toBe(0);

  // A new worker process takes over: the append is retried (after the 30 s start-to-close timeout).
  const started = Date.now();
  startWorker(env);
  const result = await within(note, 150_000, 'the note to be reported done');
  const tookMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 1_000));
  expect(reported).toBe(1);

  const text = await readFile(auditFile, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const entries = await store.read(incidentId);
  expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
  const notes = entries.filter((e) => e.action === 'note.added');
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatchObject({
    seq: result.auditSeq,
    actor: 'bob',
    details: { note: `written across a crash at ${point}` },
  });
  expect(result.auditSeq).toBe(before.length + 1);
  expect(entries.slice(0, before.length)).toEqual(before);

  // Both files end complete: one checkpoint per signed head, in order, each signed by the trail key,
  // and the last one signs the last entry (the one left unsigned by a crash was signed by the retry).
  const checkpoints = await readCheckpoints();
  const trailKey = createPublicKey(await readFile(env.INCIDENT_TRAIL_KEY_FILE, 'utf8'));
  expect(checkpoints.slice(0, signedBefore.length)).toEqual(signedBefore);
  for (const cp of checkpoints) {
    expect(cp).toMatchObject({ incidentId, keyId: trailKeyId(trailKey), hash: entries[cp.seq - 1].hash });
    expect(checkpointSignatureValid(cp, trailKey)).toBe(true);
  }
  const seqs = checkpoints.map((cp) => cp.seq);
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
  expect(checkpoints.at(-1)).toMatchObject({ seq: entries.length, hash: entries.at(-1)!.hash });
  expect((await readFile(checkpointsFile, 'utf8')).endsWith('\n')).toBe(true);

  // What a responder or an auditor runs: every check passes, Temporal's head included.
  const { status, verdict } = verifyWithCli(env, incidentId);
  expect(status).toBe(0);
  expect(verdict).toMatchObject({ ok: true, entries: entries.length, closed: false });
  expect(verdict.checks).toEqual([
    {
      check: 'chain',
      ok: true,
      message: `${entries.length} entries link from the first to the last (incident still open)`,
    },
    {
      check: 'checkpoints',
      ok: true,
      message: `${checkpoints.length} signed checkpoints (key ${trailKeyId(trailKey)}) cover all ${entries.length} entries`,
    },
    {
      check: 'temporal',
      ok: true,
      message: expect.stringMatching(
        new RegExp(`^entry ${entries.length} matches the head Temporal recorded at \\S+$`),
      ),
    },
  ]);
  return { entries: entries.length, tookMs };
}

describe('worker killed mid audit append', () => {
  it.concurrent(
    'after the entry is written: the new worker reports the step done once, and the entry is in the file once',
    async () => {
      const { entries, tookMs } = await crashMidAppend('audit-after-write');
      console.log(
        `[audit-after-write] ${entries} entries, each seq once; the note completed ${(tookMs / 1000).toFixed(1)} s after the new worker started`,
      );
    },
  );

  it.concurrent('after half a line: the new worker cuts the torn line off and writes the entry once', async () => {
    const { entries, tookMs } = await crashMidAppend('audit-mid-write');
    console.log(
      `[audit-mid-write] ${entries} entries, each seq once; the note completed ${(tookMs / 1000).toFixed(1)} s after the new worker started`,
    );
  });

  it.concurrent(
    'after the entry is written, before its checkpoint: the new worker signs the head first, and both files end complete',
    async () => {
      const { entries, tookMs } = await crashMidAppend('audit-before-checkpoint');
      console.log(
        `[audit-before-checkpoint] ${entries} entries, the last one signed; the note completed ${(tookMs / 1000).toFixed(1)} s after the new worker started`,
      );
    },
  );
});
