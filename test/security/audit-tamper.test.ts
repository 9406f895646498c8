import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../domain/audit-chain';
import type { AuditHead } from '../../domain/audit-entry';
import { freePort } from '../../platform/dev-server';
import { expectNoStack, expectOk, pollUntil, startCliWorld, uniqueId, type CliWorld } from '../cli/harness';
import {
  chainOk,
  checkpointBeyond,
  checkpointName,
  checkpointRewritten,
  checkpointsOk,
  entriesRange,
  expectVerdict,
  foreignKey,
  forgedCheckpoint,
  jsonl,
  readTrailFiles,
  rewriteEntry,
  temporalMissing,
  temporalOk,
  temporalRewritten,
  type ExpectedCheck,
  type TrailUnderTest,
} from '../helpers/trail-tamper';

// Someone who can write the data dir, but neither Temporal's history nor the trail key, edits a trail
// and its checkpoints; the built `incident audit ID --verify`, against a real worker and Temporal, must
// name what was done, check by check, and exit 1. One open and one closed incident; each case works on
// copies in a scratch dir (--file, --checkpoints) except the evidence swap, which is made in place.

let world: CliWorld;
let scratch: string;
let open: TrailUnderTest;
let closed: TrailUnderTest;

async function settled(id: string, done: (view: any) => boolean): Promise<TrailUnderTest> {
  const view = await pollUntil(
    `${id} to settle with every entry written`,
    () => world.view(id),
    (v) => done(v) && v.state.auditHead?.seq === v.state.auditSeq,
  );
  const file = path.join(world.dataDir, 'audit', `${id}.jsonl`);
  const checkpointsFile = path.join(world.dataDir, 'audit', `${id}.checkpoints.jsonl`);
  const { entries, checkpoints } = await readTrailFiles(file, checkpointsFile);
  const temporal = view.state.auditHead as AuditHead;
  expect(temporal).toEqual({ seq: entries.length, hash: entries.at(-1)!.hash, at: expect.any(String) });
  expect(checkpoints.at(-1)).toMatchObject({ seq: temporal.seq, hash: temporal.hash });
  expect(checkpoints.length).toBeGreaterThanOrEqual(3);
  return { id, file, checkpointsFile, entries, checkpoints, temporal, keyId: checkpoints[0].keyId };
}

/** Writes a trail (and, when given, its checkpoints beside it) into a scratch dir named after the case. */
async function copyAs(name: string, inc: TrailUnderTest, entries: readonly object[], checkpoints?: readonly object[]) {
  const dir = path.join(scratch, name);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${inc.id}.jsonl`);
  await writeFile(file, jsonl(entries));
  const checkpointsFile = path.join(dir, `${inc.id}.checkpoints.jsonl`);
  if (checkpoints) await writeFile(checkpointsFile, jsonl(checkpoints));
  return { id: inc.id, file, checkpointsFile, entries: entries as AuditEntry[] };
}

const verify = (id: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  world.run(['audit', id, '--verify', ...args], env);

beforeAll(async () => {
  world = await startCliWorld('tamper');
  scratch = await mkdtemp(path.join(os.tmpdir(), 'incident-tamper-'));
  const openId = uniqueId('INC-TAMPER-OPEN');
  const closedId = uniqueId('INC-TAMPER-CLOSED');
  const base = ['--severity', 'SEV2', '--category', 'other', '--detection', 'EDR alert'];
  expectOk(await world.run(['open', '--id', openId, '--title', 'Web shell on web-01', '--system', 'web-01', ...base]));
  expectOk(await world.run(['open', '--id', closedId, '--title', 'Phishing mail reported', ...base]));
  // Acknowledged, so that no escalation timer adds entries while the cases run.
  expectOk(await world.run(['ack', openId]));
  expectOk(await world.run(['close', closedId]));
  open = await settled(
    openId,
    (v) => v.state.acknowledgement && v.state.systems.every((s: any) => s.evidence.state === 'done'),
  );
  closed = await settled(closedId, (v) => v.phase === 'closed');
  expect(closed.entries.at(-1)!.action).toBe('incident.closed');
});

afterAll(async () => {
  if (world && open) {
    await chmod(path.join(world.dataDir, 'evidence', open.id, 'web-01', 'round-1'), 0o755).catch(() => undefined);
  }
  await world?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('incident audit --verify against the worker and Temporal', () => {
  it('passes both untouched trails, with every check named', async () => {
    expectVerdict(await verify(open.id), open, [
      chainOk(open.entries.length),
      checkpointsOk(open, open.checkpoints.length, open.entries.length),
      temporalOk(open),
    ]);
    expectVerdict(await verify(closed.id), closed, [
      chainOk(closed.entries.length, true),
      checkpointsOk(closed, closed.checkpoints.length, closed.entries.length),
      temporalOk(closed),
    ]);
  });

  it('(a) catches an open trail cut short by its checkpoints and by Temporal; cut back to a signed head, by Temporal', async () => {
    const n = open.checkpoints.at(-3)!.seq;
    const cut = await copyAs('a-open-cut', open, open.entries.slice(0, n), open.checkpoints);
    expectVerdict(await verify(open.id, ['--file', cut.file]), cut, [
      chainOk(n),
      checkpointBeyond(open, n),
      temporalMissing(open, n),
    ]);

    const json = await verify(open.id, ['--file', cut.file, '--json']);
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 1, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      incidentId: open.id,
      entries: n,
      lastHash: open.entries[n - 1].hash,
      closed: false,
      head: { seq: n, hash: open.entries[n - 1].hash },
      checkpoints: open.checkpoints.filter((c) => c.seq <= n).length,
      checks: [chainOk(n), checkpointBeyond(open, n), temporalMissing(open, n)].map(([mark, check, message]) => ({
        check,
        ok: mark === 'ok',
        message,
      })),
      signatures: { signed: 0, verified: 0, failures: [] },
    });

    // The checkpoints cut to match: the file vouches for itself, Temporal's head still names the loss.
    const signed = open.checkpoints.filter((c) => c.seq <= n);
    const both = await copyAs('a-open-cut-both', open, open.entries.slice(0, n), signed);
    expectVerdict(await verify(open.id, ['--file', both.file, '--checkpoints', both.checkpointsFile]), both, [
      chainOk(n),
      checkpointsOk(open, signed.length, n),
      temporalMissing(open, n),
    ]);
  });

  it('(b) catches a closed trail cut short, against the head in the workflow result', async () => {
    const n = closed.checkpoints.at(-2)!.seq;
    const cut = await copyAs('b-closed-cut', closed, closed.entries.slice(0, n), closed.checkpoints);
    expectVerdict(await verify(closed.id, ['--file', cut.file]), cut, [
      chainOk(n),
      checkpointBeyond(closed, n),
      temporalMissing(closed, n),
    ]);
    const signed = closed.checkpoints.filter((c) => c.seq <= n);
    const both = await copyAs('b-closed-cut-both', closed, closed.entries.slice(0, n), signed);
    expectVerdict(await verify(closed.id, ['--file', both.file]), both, [
      chainOk(n),
      checkpointsOk(closed, signed.length, n),
      temporalMissing(closed, n),
    ]);
  });

  it('(c) catches a system entry rewritten with every hash recomputed: the chain holds, checkpoints and Temporal do not', async () => {
    const alert = open.entries.find((e) => e.action === 'notify.senior-alerted')!;
    expect(alert.actor).toBe('system');
    const rewritten = rewriteEntry(open.entries, alert.seq, (r) => ({
      ...r,
      details: { ...r.details, to: ['ciso@example.com'] },
    }));
    const copy = await copyAs('c-rewrite', open, rewritten, open.checkpoints);
    expectVerdict(await verify(open.id, ['--file', copy.file]), copy, [
      chainOk(open.entries.length),
      checkpointRewritten(open, alert.seq),
      temporalRewritten(open),
    ]);
  });

  it('(d) catches a substituted evidence copy whose recorded hash was rewritten in the trail', async () => {
    const collected = open.entries.find((e) => e.action === 'evidence.collected')!;
    const details = collected.details as { location: string; sha256: string; custody: { action: string }[] };
    const planted = randomBytes(1024 * 1024);
    const plantedSha = createHash('sha256').update(planted).digest('hex');
    const rewritten = rewriteEntry(open.entries, collected.seq, (r) => ({
      ...r,
      details: {
        ...r.details,
        sha256: plantedSha,
        custody: details.custody.map((c) => ({ ...c, action: c.action.replace(details.sha256, plantedSha) })),
      },
    }));
    const original = { copy: await readFile(details.location), trail: await readFile(open.file) };
    // In place, as in the data dir: the stored copy (read-only, in a read-only dir) and the trail.
    await chmod(path.dirname(details.location), 0o755);
    await chmod(details.location, 0o644);
    try {
      await writeFile(details.location, planted);
      await writeFile(open.file, jsonl(rewritten));
      expectVerdict(await verify(open.id), { ...open, entries: rewritten }, [
        chainOk(open.entries.length),
        checkpointRewritten(open, collected.seq),
        temporalRewritten(open),
      ]);
    } finally {
      await writeFile(details.location, original.copy);
      await writeFile(open.file, original.trail);
      await chmod(details.location, 0o444);
      await chmod(path.dirname(details.location), 0o555);
    }
    expect(expectOk(await verify(open.id)).stdout).toContain(`The audit trail of ${open.id} verifies.`);
  });

  it('(e) names a deleted checkpoint file, and one cut mid-line, while Temporal still vouches for the trail', async () => {
    const none = await copyAs('e-no-checkpoints', open, open.entries);
    expectVerdict(await verify(open.id, ['--file', none.file]), none, [
      chainOk(open.entries.length),
      [
        'failed',
        'checkpoints',
        'there is no checkpoint file, so nothing signed vouches for this trail (deleted, or written before trail keys existed)',
      ],
      temporalOk(open),
    ]);

    const torn = await copyAs('e-torn-checkpoints', open, open.entries, open.checkpoints);
    const text = await readFile(torn.checkpointsFile, 'utf8');
    await writeFile(torn.checkpointsFile, text.slice(0, text.length - 40));
    expectVerdict(await verify(open.id, ['--file', torn.file]), torn, [
      chainOk(open.entries.length),
      [
        'failed',
        'checkpoints',
        `checkpoint line ${open.checkpoints.length} is unfinished: the checkpoint file was cut short`,
      ],
      temporalOk(open),
    ]);
  });

  it('(f) refuses a checkpoint signed with a foreign Ed25519 key, under its own key id or under the worker’s', async () => {
    const key = foreignKey();
    const last = open.checkpoints.at(-1)!;
    const name = checkpointName(open.checkpoints, last);
    const own = await copyAs('f-foreign-key', open, open.entries, [
      ...open.checkpoints.slice(0, -1),
      forgedCheckpoint(last, key),
    ]);
    expectVerdict(await verify(open.id, ['--file', own.file]), own, [
      chainOk(open.entries.length),
      [
        'failed',
        'checkpoints',
        `${name} is signed by key ${key.keyId}, which is not a trusted trail key (list it in trail.publicKeys if it is yours)`,
      ],
      temporalOk(open),
    ]);
    // What the message advises, for a key that is in fact the installation's (a rotated one).
    expectVerdict(await verify(open.id, ['--file', own.file], { INCIDENT_TRAIL_PUBLIC_KEYS: key.raw }), own, [
      chainOk(open.entries.length),
      checkpointsOk(open, open.checkpoints.length, open.entries.length, `${open.keyId}, ${key.keyId}`),
      temporalOk(open),
    ]);

    const claimed = await copyAs('f-claimed-key', open, open.entries, [
      ...open.checkpoints.slice(0, -1),
      forgedCheckpoint(last, key, open.keyId),
    ]);
    expectVerdict(await verify(open.id, ['--file', claimed.file]), claimed, [
      chainOk(open.entries.length),
      [
        'failed',
        'checkpoints',
        `${name} carries a signature key ${open.keyId} did not make: the checkpoint was altered or forged`,
      ],
      temporalOk(open),
    ]);
  });

  it('(g) names an entry moved in from another incident’s trail', async () => {
    const last = open.entries.length;
    const seq = open.checkpoints.map((c) => c.seq).find((s) => s < last && s <= closed.entries.length)!;
    expect(seq).toBeDefined();
    const moved = open.entries.map((e) => (e.seq === seq ? closed.entries[seq - 1] : e));
    const copy = await copyAs('g-moved', open, moved, open.checkpoints);
    expectVerdict(await verify(open.id, ['--file', copy.file]), copy, [
      ['failed', 'chain', `line ${seq} (seq ${seq}) belongs to incident ${closed.id}, not ${open.id}`],
      checkpointRewritten(open, seq),
      temporalOk(open),
    ]);
  });

  it('(h) checks heads held from incident show, a mail or a report (--head); a malformed one is a usage error', async () => {
    const shown = expectOk(await world.run(['show', open.id])).stdout;
    const head = new RegExp(
      `^Trail head: .* check with: incident audit ${open.id} --verify --head (\\d+:[0-9a-f]{16})\\b`,
      'm',
    ).exec(shown)?.[1];
    expect(head).toBe(`${open.temporal.seq}:${open.temporal.hash.slice(0, 16)}`);
    const all = [
      chainOk(open.entries.length),
      checkpointsOk(open, open.checkpoints.length, open.entries.length),
      temporalOk(open),
    ];
    const earlier = open.checkpoints[0];
    const later = open.temporal.seq - earlier.seq;
    expectVerdict(
      await verify(open.id, ['--head', head!, '--head', `${earlier.seq}:${earlier.hash.slice(0, 8)}`]),
      open,
      [
        ...all,
        ['ok', 'witness', `entry ${open.temporal.seq} matches the head you gave`],
        [
          'ok',
          'witness',
          `entry ${earlier.seq} matches the head you gave (${later} later ${later === 1 ? 'entry' : 'entries'} written since)`,
        ],
      ],
    );
    expectVerdict(await verify(open.id, ['--head', `${open.temporal.seq}:deadbeefdeadbeef`]), open, [
      ...all,
      [
        'failed',
        'witness',
        `entry ${open.temporal.seq} does not match the head you gave (deadbeefdeadbeef…): the trail was rewritten`,
      ],
    ]);
    const beyond = open.temporal.seq + 3;
    expectVerdict(await verify(open.id, ['--head', `${beyond}:${open.temporal.hash.slice(0, 16)}`]), open, [
      ...all,
      [
        'failed',
        'witness',
        `the trail ends at seq ${open.temporal.seq}; the head you gave is ${beyond}: entries ${open.temporal.seq + 1}–${beyond} are missing`,
      ],
    ]);

    for (const bad of ['9', '0:deadbeefdeadbeef']) {
      const r = await verify(open.id, ['--head', bad]);
      expectNoStack(r);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        code: 2,
        stdout: '',
        stderr: `incident: --head ${JSON.stringify(bad)} is not SEQ:HASH; copy it from a mail or a report, e.g. --head 37:4ebaf5b6c1d2e3f4\n`,
      });
    }
  });

  it('(i) --offline says Temporal was not asked; a trail cut back to a signed head then passes, unless a witness is given', async () => {
    const offline: ExpectedCheck = ['skipped', 'temporal', 'not checked: Temporal was not asked (--offline)'];
    expectVerdict(await verify(open.id, ['--offline']), open, [
      chainOk(open.entries.length),
      checkpointsOk(open, open.checkpoints.length, open.entries.length),
      offline,
    ]);
    // What checkpoints alone cannot prove: that nothing was signed after the last checkpoint kept.
    const n = open.checkpoints.at(-2)!.seq;
    const signed = open.checkpoints.filter((c) => c.seq <= n);
    const cut = await copyAs('i-offline-cut', open, open.entries.slice(0, n), signed);
    expectVerdict(await verify(open.id, ['--offline', '--file', cut.file]), cut, [
      chainOk(n),
      checkpointsOk(open, signed.length, n),
      offline,
    ]);
    const witness = `${open.temporal.seq}:${open.temporal.hash.slice(0, 16)}`;
    expectVerdict(await verify(open.id, ['--offline', '--file', cut.file, '--head', witness]), cut, [
      chainOk(n),
      checkpointsOk(open, signed.length, n),
      offline,
      [
        'failed',
        'witness',
        `the trail ends at seq ${n}; the head you gave is ${open.temporal.seq}: ${entriesRange(n + 1, open.temporal.seq)} ${open.temporal.seq === n + 1 ? 'is' : 'are'} missing`,
      ],
    ]);
  });

  it('(i) a Temporal that cannot be reached leaves its check "not checked" within seconds; the checkpoints still decide', async () => {
    const port = await freePort();
    const n = open.checkpoints.at(-2)!.seq;
    const cut = await copyAs('i-unreachable-cut', open, open.entries.slice(0, n), open.checkpoints);
    const started = Date.now();
    const r = await verify(open.id, ['--file', cut.file], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    const tookMs = Date.now() - started;
    console.log(`[unreachable] the verdict took ${(tookMs / 1000).toFixed(1)} s`);
    expect(tookMs).toBeLessThan(15_000);
    // The connection error's own words come from the SDK; the rest of the line is the project's.
    const temporal = r.stdout.split('\n')[3];
    expect(temporal).toMatch(
      new RegExp(
        `^  – temporal     not checked: Temporal is not reachable at 127\\.0\\.0\\.1:${port} \\([^)]+\\)\\. Start the embedded server with \`npm start\`, or set TEMPORAL_ADDRESS to your cluster$`,
      ),
    );
    expectVerdict(r, cut, [chainOk(n), checkpointBeyond(open, n), ['skipped', 'temporal', temporal.slice(17)]]);
  });
});
