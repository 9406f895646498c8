import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { expect, inject } from 'vitest';
import { parseConfig, type Config } from '../../platform/config/schema';
import type { WorkerPair } from '../../worker/worker-pair';
import { createIncidentWorker, type WorkerParts } from '../../worker/create-worker';
import { uniqueId } from '../helpers/fixtures';

// The `incident` command as a user runs it: the built executable in a child process, a config file on
// disk, and a real worker (in this test process) serving the task queue the CLI starts incidents on.

export const PROJECT_DIR = path.resolve(__dirname, '..', '..');
export const BIN = path.join(PROJECT_DIR, 'bin', 'incident.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliWorld {
  dataDir: string;
  configFile: string;
  taskQueue: string;
  config: Config;
  env: NodeJS.ProcessEnv;
  /** Runs `node bin/incident.js ...args`, no shell, stdin not a terminal. */
  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** `show <id> --json`, parsed. */
  view(id: string): Promise<any>;
  /** Stops the worker only (the data dir and Temporal stay), as an operator does before moving storage. */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export function runCliProcess(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env, cwd: os.tmpdir(), timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') {
          reject(
            new Error(`incident ${args.join(' ')} did not run: ${err.message}\nstdout: ${stdout}\nstderr: ${stderr}`),
          );
          return;
        }
        resolve({ code: err ? (err as { code: number }).code : 0, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end();
  });
}

/**
 * Data dir, config file with web-01 and web-02 (1 MiB images; `inventory` names others or none), and a
 * running worker on a unique queue;
 * `settings` go into the config file beside them (an SMTP relay, a policy).
 */
export async function startCliWorld(
  label: string,
  settings: Record<string, unknown> = {},
  inventory: readonly string[] = ['web-01', 'web-02'],
): Promise<CliWorld> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `incident-cli-${label}-`));
  const systems: Record<string, unknown> = {};
  for (const name of inventory) {
    const image = path.join(dataDir, `${name}.img`);
    await writeFile(image, randomBytes(1024 * 1024));
    systems[name] = {
      isolation: { driver: 'command', isolate: ['true', '{system}'], release: ['true', '{system}'] },
      evidence: { driver: 'local', path: image },
    };
  }
  const fileContent = { ...settings, dataDir, systems };
  const configFile = path.join(dataDir, 'incident.config.json');
  await writeFile(configFile, JSON.stringify(fileContent, null, 2));

  const taskQueue = uniqueId(`cli-${label}`);
  const config = parseConfig(fileContent, {}, configFile);
  config.temporal.taskQueue = taskQueue;
  const connection = await NativeConnection.connect({ address: inject('devServerAddress') });
  const parts: WorkerParts = await createIncidentWorker(connection, config, {
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  const worker: WorkerPair = parts.worker;
  const running = worker.run();

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('devServerAddress'),
    INCIDENT_TASK_QUEUE: taskQueue,
    INCIDENT_CONFIG: configFile,
    INCIDENT_ACTOR: 'alice',
    NO_COLOR: '1',
  };
  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCliProcess(args, { ...env, ...extraEnv });
  const view = async (id: string) => {
    const r = await run(['show', id, '--json']);
    if (r.code !== 0) throw new Error(`show ${id} --json exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  return {
    dataDir,
    configFile,
    taskQueue,
    config,
    env,
    run,
    view,
    async stopWorker() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      parts.mailer.close();
      await parts.storage.close();
      await connection.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** No output a person sees may carry a stack trace. */
export function expectNoStack(r: CliResult): void {
  expect(r.stderr).not.toMatch(/^\s{4}at /m);
  expect(r.stdout).not.toMatch(/^\s{4}at /m);
}

/** Asserts a command succeeded, showing its stderr when it did not. */
export function expectOk(r: CliResult): CliResult {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return r;
}

export async function pollUntil<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export { uniqueId };

/** A new incident opened, acknowledged and closed through the CLI, once every entry of it is written. */
export async function closedIncident(world: CliWorld, id: string, title = 'Web shell on web-01'): Promise<string> {
  const base = ['--severity', 'SEV2', '--category', 'other', '--detection', 'EDR alert', '--system', 'web-01'];
  expectOk(await world.run(['open', '--id', id, '--title', title, ...base]));
  expectOk(await world.run(['ack', id]));
  expectOk(await world.run(['close', id]));
  await pollUntil(
    `${id} closed with every entry written`,
    () => world.view(id),
    (v) => v.phase === 'closed' && v.state.auditHead?.seq === v.state.auditSeq,
  );
  return id;
}
