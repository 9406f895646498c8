import { mkdtemp, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { sha256OfFile } from '../../stores/evidence-hashing';
import { IncidentClient } from '../../client/incident-client';
import { uniqueId } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { workerProcesses, workerSetup, writeImage } from '../helpers/worker-process';

// The worker is killed with SIGKILL, not asked to stop, in the middle of a forensic copy; a new worker
// process takes over. The copy completes with the right hash, and the audit chain has every step once.

const IMAGE_MIB = 768;

let connection: Connection;
const workers = workerProcesses();

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
});

afterAll(async () => {
  workers.killAll();
  await connection?.close();
});

describe('worker killed mid-step', () => {
  it('finishes a forensic copy after the worker is SIGKILLed mid-copy, with the right hash and an unbroken audit chain', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-kill-'));
    const image = path.join(dataDir, 'big-01.img');
    await writeImage(image, IMAGE_MIB);
    const expected = await sha256OfFile(image);
    const { env, taskQueue } = await workerSetup(dataDir, 'kill', {
      config: {
        systems: {
          'big-01': {
            isolation: { driver: 'command', isolate: ['true'], release: ['true'] },
            evidence: { driver: 'local', path: image },
          },
        },
      },
    });
    const incidents = new IncidentClient(new Client({ connection }), taskQueue);
    const incidentId = uniqueId('KILL');

    const first = workers.start(env);
    await incidents.open({
      incidentId,
      title: 'Copy interrupted',
      severity: 'SEV1',
      category: 'intrusion',
      systems: ['big-01'],
      detection: 'test',
      awareAt: new Date().toISOString(),
      openedBy: 'alice',
    });
    // Kill the worker once part of the image is on disk.
    const roundDir = path.join(dataDir, 'evidence', incidentId, 'big-01', 'round-1');
    const partial = path.join(roundDir, 'image.bin.partial');
    const deadline = Date.now() + 60_000;
    let copied = 0;
    while (Date.now() < deadline) {
      copied = await stat(partial).then(
        (s) => s.size,
        () => 0,
      );
      if (copied > 64 * 1024 * 1024) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(copied).toBeGreaterThan(64 * 1024 * 1024);
    expect(copied).toBeLessThan(IMAGE_MIB * 1024 * 1024);

    workers.start(env);
    const view = await incidents.waitFor(incidentId, (v) => v.state.systems[0].evidence.state === 'done', 120_000);
    const record = view.state.systems[0].evidenceRecords[0];
    expect(record.sha256).toBe(expected);
    expect(record.sizeBytes).toBe(IMAGE_MIB * 1024 * 1024);
    expect(await sha256OfFile(record.location)).toBe(expected);
    expect(await readdir(roundDir)).not.toContain('image.bin.partial');

    const audit = new JsonlAuditStore(path.join(dataDir, 'audit'));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await audit.verify(incidentId)).toMatchObject({ ok: true });
    const entries = await audit.read(incidentId);
    expect(entries.filter((e) => e.action === 'evidence.collected')).toHaveLength(1);
    expect(entries.filter((e) => e.action === 'incident.opened')).toHaveLength(1);
    expect(entries.filter((e) => e.action === 'notify.senior-alerted')).toHaveLength(1);
    const mails = await readdir(path.join(dataDir, 'outbox'));
    expect(mails.filter((f) => f.includes('escalation-0'))).toHaveLength(1);
  });

  it('moves an isolation whose worker was SIGKILLed mid-command to another worker within the heartbeat timeout', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-kill-iso-'));
    const started = path.join(dataDir, 'isolation-started');
    // The first attempt hangs as a firewall call that never answers would; a later attempt finishes at once.
    const isolate = ['sh', '-c', 'if [ -e "$0" ]; then echo isolated; else touch "$0"; sleep 120; fi', started];
    const { env, taskQueue } = await workerSetup(dataDir, 'kill-iso', {
      config: { systems: { 'web-01': { isolation: { driver: 'command', isolate, release: ['true'] } } } },
    });
    const incidents = new IncidentClient(new Client({ connection }), taskQueue);
    const incidentId = uniqueId('KILLISO');
    const first = workers.start(env);
    await incidents.open({
      incidentId,
      title: 'Firewall call hangs',
      severity: 'SEV1',
      category: 'intrusion',
      systems: ['web-01'],
      detection: 'test',
      awareAt: new Date().toISOString(),
      openedBy: 'alice',
    });
    await incidents.waitFor(incidentId, (v) => v.state.systems[0].isolation.state === 'running', 30_000);
    const deadline = Date.now() + 30_000;
    while (
      !(await stat(started).then(
        () => true,
        () => false,
      )) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(
      await stat(started).then(
        () => true,
        () => false,
      ),
    ).toBe(true);
    // A new worker must get the step within the heartbeat timeout, not after the 15-minute limit.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    workers.start(env);
    const view = await incidents.waitFor(incidentId, (v) => v.state.systems[0].isolation.state === 'done', 90_000);
    // Queried while its first workflow task ran, this incident's opening spans two tasks: a new worker
    // must replay that (see the patches decided at start in workflows/incident/index.ts).
    await recordHistory('isolation-worker-killed', new Client({ connection }).workflow.getHandle(incidentId));
    expect(view.state.systems[0].isolation).toMatchObject({
      state: 'done',
      detail: expect.stringContaining('isolated'),
    });
  });
});
