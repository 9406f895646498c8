import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCheckpoint, type SignedCheckpoint } from '../../domain/audit-checkpoint';
import { parseConfig, type Config } from '../../platform/config/schema';
import { createIncidentWorker } from '../../worker/create-worker';
import { expectOk, pollUntil, runCliProcess, uniqueId, type CliResult } from './harness';

// A worker whose clock is wrong signs checkpoints with wrong times: the incident carries a problem that
// says so, in `incident show`, until a worker with a right clock appends again. Each checkpoint keeps
// both clocks, the worker's and Temporal's, so the gap stays visible in the files an auditor is given.

const AHEAD_MS = 10 * 60_000;

let dataDir: string;
let config: Config;
let connection: NativeConnection;
let env: NodeJS.ProcessEnv;
let stopWorker: (() => Promise<void>) | undefined;

async function startWorker(clock?: () => Date): Promise<void> {
  const parts = await createIncidentWorker(
    connection,
    config,
    { workflowBundle: { codePath: inject('workflowBundlePath') } },
    {},
    clock ? { clock } : {},
  );
  const running = parts.worker.run();
  stopWorker = async () => {
    parts.worker.shutdown();
    await running;
    parts.mailer.close();
    stopWorker = undefined;
  };
}

const cli = (...args: string[]): Promise<CliResult> => runCliProcess(args, env);
const view = async (id: string) => JSON.parse(expectOk(await cli('show', id, '--json')).stdout);

async function checkpointsOf(id: string): Promise<SignedCheckpoint[]> {
  const text = await readFile(path.join(dataDir, 'audit', `${id}.checkpoints.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => parseCheckpoint(line)!);
}

const gapMs = (cp: SignedCheckpoint) => Date.parse(cp.at) - Date.parse(cp.temporalAt!);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-clock-skew-'));
  const configFile = path.join(dataDir, 'incident.config.json');
  const fileContent = { dataDir };
  await writeFile(configFile, JSON.stringify(fileContent));
  config = parseConfig(fileContent, {}, configFile);
  config.temporal.taskQueue = uniqueId('clock-skew');
  connection = await NativeConnection.connect({ address: inject('devServerAddress') });
  env = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('devServerAddress'),
    INCIDENT_TASK_QUEUE: config.temporal.taskQueue,
    INCIDENT_CONFIG: configFile,
    INCIDENT_ACTOR: 'alice',
    NO_COLOR: '1',
  };
});

afterAll(async () => {
  await stopWorker?.();
  await connection?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a worker whose clock is wrong', () => {
  it('puts a problem on the incident naming both clocks, keeps both in each checkpoint, and a right clock clears it', async () => {
    await startWorker(() => new Date(Date.now() + AHEAD_MS));
    const id = uniqueId('INC-CLOCK');
    expectOk(
      await cli(
        'open',
        '--id',
        id,
        '--title',
        'Clock',
        '--severity',
        'SEV3',
        '--category',
        'other',
        '--detection',
        'NTP',
      ),
    );
    expectOk(await cli('ack', id));
    const skewed = await pollUntil(
      'the acknowledgement written and the clock problem recorded',
      () => view(id),
      (v) =>
        v.state.acknowledgement !== undefined &&
        v.state.auditHead?.seq === v.state.auditSeq &&
        v.state.problems.some((p: { key: string }) => p.key === 'trail:clock-skew'),
    );

    // Every checkpoint this worker signed holds its clock and Temporal's, ten minutes apart.
    const checkpoints = await checkpointsOf(id);
    expect(checkpoints.at(-1)!.seq).toBe(skewed.state.auditHead.seq);
    for (const cp of checkpoints) {
      expect(gapMs(cp)).toBeGreaterThanOrEqual(AHEAD_MS);
      expect(gapMs(cp)).toBeLessThan(AHEAD_MS + 30_000);
    }

    // What a responder sees: the problem names the last append, both clocks and the limit.
    const last = checkpoints.at(-1)!;
    const problem = skewed.state.problems.find((p: { key: string }) => p.key === 'trail:clock-skew');
    const match =
      /^At audit seq (\d+) the worker's clock was 10 min ahead of Temporal's \(worker (\S+), Temporal (\S+); limit 2 min\): the trail's timestamps are weak evidence until the worker's clock is fixed \(NTP\)\.$/.exec(
        problem.message,
      );
    expect(match?.slice(1, 2)).toEqual([String(last.seq)]);
    const [workerAt, temporalAt] = [match![2], match![3]];
    expect(temporalAt).toBe(last.temporalAt);
    // The worker read its clock when the append began, and again when it signed.
    expect(Date.parse(workerAt) - Date.parse(temporalAt)).toBeGreaterThanOrEqual(AHEAD_MS);
    expect(Date.parse(workerAt)).toBeLessThanOrEqual(Date.parse(last.at));
    const shown = expectOk(await cli('show', id)).stdout;
    expect(shown).toContain(`\nNeeds attention:\n  - ${problem.message}\n`);

    // A worker with a right clock takes over; its first append clears the problem.
    await stopWorker!();
    await startWorker();
    expectOk(await cli('note', id, 'NTP fixed on the worker'));
    const fixed = await pollUntil(
      'the note written',
      () => view(id),
      (v) => v.state.auditHead?.seq === v.state.auditSeq,
    );
    expect(fixed.state.problems).toEqual([]);
    const after = await checkpointsOf(id);
    expect(after.slice(0, checkpoints.length)).toEqual(checkpoints);
    expect(after.at(-1)!.seq).toBe(fixed.state.auditHead.seq);
    expect(Math.abs(gapMs(after.at(-1)!))).toBeLessThan(10_000);
    const shownAfter = expectOk(await cli('show', id)).stdout;
    expect(shownAfter).not.toContain('Needs attention:');
    expect(shownAfter).not.toContain("the worker's clock");
  });
});
