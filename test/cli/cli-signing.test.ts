import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chainEntry, type AuditEntry } from '../../domain/audit-chain';
import { parseConfig } from '../../platform/config/schema';
import { loadConfig } from '../../platform/config/loader';
import { createIncidentWorker, type WorkerParts } from '../../worker/create-worker';
import { expectNoStack, expectOk, pollUntil, runCliProcess, uniqueId, type CliResult } from './harness';

// Signed actions as responders meet them: each makes a key with `incident keygen`, an administrator puts
// the printed entry in the roster, and from then on the CLI signs every action; the workflow refuses
// what is unsigned, signed with another key, or beyond the actor's role, and the trail proves the rest.

describe('incident keygen, signed actions and reload-access', () => {
  let dir: string;
  let configFile: string;
  let env: NodeJS.ProcessEnv;
  let connection: NativeConnection;
  let parts: WorkerParts;
  let running: Promise<void>;
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCliProcess(args, { ...env, ...extra });
  const key = (name: string) => path.join(dir, `${name}.pem`);
  const roster: Record<string, { roles: string[]; publicKey: string }> = {};
  const enrol = async (name: string, role: string) => {
    const r = expectOk(await run(['keygen', '--as', name, '--out', key(name), '--json']));
    const printed = JSON.parse(r.stdout) as { keyFile: string; actor: string; publicKey: string };
    expect(printed).toMatchObject({ keyFile: key(name), actor: name });
    roster[name] = { roles: [role], publicKey: printed.publicKey };
    await writeFile(configFile, JSON.stringify({ dataDir: dir, access: { roster } }, null, 2));
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'incident-cli-signing-'));
    configFile = path.join(dir, 'incident.config.json');
    const taskQueue = uniqueId('cli-signing');
    // HOME points at an empty folder, so no default key is found unless the test names one.
    env = {
      ...process.env,
      HOME: dir,
      XDG_CONFIG_HOME: '',
      TEMPORAL_ADDRESS: inject('devServerAddress'),
      INCIDENT_TASK_QUEUE: taskQueue,
      INCIDENT_CONFIG: configFile,
      NO_COLOR: '1',
      INCIDENT_SIGNING_KEY: '',
    };
    await enrol('alice', 'responder');
    await enrol('ian', 'incident-commander');
    const config = parseConfig(JSON.parse(await readFile(configFile, 'utf8')), {}, configFile);
    config.temporal.taskQueue = taskQueue;
    connection = await NativeConnection.connect({ address: inject('devServerAddress') });
    parts = await createIncidentWorker(
      connection,
      config,
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      {},
      { rereadAccess: () => loadConfig({ INCIDENT_CONFIG: configFile }).access },
    );
    running = parts.worker.run();
  });
  afterAll(async () => {
    parts?.worker.shutdown();
    await running;
    parts?.mailer.close();
    await connection?.close();
  });

  it('signs with the responder key, refuses forgeries and missing roles with exit 1, and the trail verifies every signature', async () => {
    // The private key is readable by its owner only.
    expect((await stat(key('alice'))).mode & 0o777).toBe(0o600);
    const again = await run(['keygen', '--as', 'alice', '--out', key('alice')]);
    expect({ code: again.code, stderr: again.stderr.trim() }).toEqual({
      code: 2,
      stderr: `incident: ${key('alice')} already exists; keep it, or replace it with --force (the old key then stops working once the roster is updated).`,
    });

    const id = uniqueId('SIG');
    expectOk(
      await run([
        'open',
        '--id',
        id,
        '--title',
        'Phishing wave',
        '--severity',
        'SEV3',
        '--category',
        'other',
        '--detection',
        'user report',
        '--as',
        'alice',
      ]),
    );

    const expectRefused = (r: CliResult, message: string) => {
      expectNoStack(r);
      expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({ code: 1, stderr: message });
    };
    expectRefused(
      await run(['note', id, 'unsigned', '--as', 'alice']),
      "The action is not signed. Sign it with alice's key: set INCIDENT_SIGNING_KEY or --key (incident keygen makes one).",
    );
    expectRefused(
      await run(['note', id, 'in alice name, ian key', '--as', 'alice'], { INCIDENT_SIGNING_KEY: key('ian') }),
      "The signature does not match alice's key in the roster: the action was changed after signing, or signed with another key.",
    );
    expectRefused(
      await run(['close', id, '--as', 'alice', '--key', key('alice')]),
      'alice (responder) may not close: it needs the role incident-commander.',
    );
    const missingKey = await run(['note', id, 'x', '--as', 'alice', '--key', path.join(dir, 'nope.pem')]);
    expect({ code: missingKey.code, stderr: missingKey.stderr.trim() }).toEqual({
      code: 2,
      stderr: `incident: Cannot read the signing key ${path.join(dir, 'nope.pem')} (ENOENT). Make one with: incident keygen --out ${path.join(dir, 'nope.pem')}`,
    });

    expect(
      expectOk(
        await run(['note', id, 'Blocked the sender domain', '--as', 'alice', '--key', key('alice')]),
      ).stdout.trim(),
    ).toBe('Note added.');
    expectOk(await run(['ack', id, '--as', 'ian', '--key', key('ian')]));

    // A new member joins mid-incident: the roster file changes, the incident reloads it.
    await enrol('dana', 'incident-commander');
    expectRefused(
      await run(['note', id, 'before reload', '--as', 'dana', '--key', key('dana')]),
      '"dana" is not in the roster of people who may act on incidents. Act as yourself (--as NAME) or ask an administrator to add you.',
    );
    expectOk(await run(['reload-access', id, '--as', 'ian']));
    await pollUntil(
      'the reloaded roster',
      async () => (await run(['note', id, 'after reload', '--as', 'dana', '--key', key('dana')])).code,
      (code) => code === 0,
      20_000,
    );
    expectOk(await run(['close', id, '--as', 'dana', '--key', key('dana'), '--summary', 'Sender blocked']));

    const entries = await pollUntil(
      'four refusals in the trail',
      async () =>
        JSON.parse(expectOk(await run(['audit', id, '--json'])).stdout) as {
          action: string;
          actor: string;
          details: Record<string, unknown>;
        }[],
      (list) => list.filter((e) => e.action === 'access.refused').length >= 4,
    );
    const refusals = entries
      .filter((e) => e.action === 'access.refused')
      .map((e) => `${e.details.claimedActor}:${e.details.action}:${e.details.reason}`);
    expect(refusals.slice(0, 4)).toEqual([
      'alice:addNote:unsigned',
      'alice:addNote:bad-signature',
      'alice:close:role',
      'dana:addNote:unknown-actor',
    ]);
    expect(
      entries
        .filter((e) => e.action === 'access.policy-loaded')
        .map((e) => [e.actor, Object.keys(e.details.members as object).sort()]),
    ).toEqual([
      ['system', ['alice', 'ian']],
      ['ian', ['alice', 'dana', 'ian']],
    ]);

    // The chain and every signature verify from the exported file alone, on another machine.
    const exported = path.join(dir, `${id}.jsonl`);
    expectOk(await run(['audit', id, '--export', exported]));
    const verify = expectOk(await run(['audit', id, '--verify', '--file', exported]));
    expect(verify.stdout).toMatch(
      /^ {2}✓ signatures +all 4 signed actions verify against the roster recorded in the trail$/m,
    );
    // One changed character in a signed note is caught, even with the hash chain recomputed around it.
    const trail = (await readFile(exported, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
    const forged = trail.find((e) => e.details.note === 'Blocked the sender domain')!;
    forged.details = {
      ...forged.details,
      note: 'Nothing found',
      signedRequest: { ...(forged.details.signedRequest as object), input: { actor: 'alice', text: 'Nothing found' } },
    };
    let prev: AuditEntry | undefined;
    const rechained = trail.map(({ prevHash: _p, hash: _h, ...record }) => (prev = chainEntry(prev, record)));
    await writeFile(exported, rechained.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const tampered = await run(['audit', id, '--verify', '--file', exported]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`The audit trail of ${id} does NOT verify`);
    expect(tampered.stdout).toContain(
      `entry ${forged.seq}: the signature of alice does not match the recorded request`,
    );
  });
});
