import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inject } from 'vitest';
import { trailKeyFor, uniqueId } from './fixtures';

// The production worker entry point, started as `npm start` runs it against a cluster (TEMPORAL_ADDRESS
// set), for tests that kill it for real; and the large images those tests copy.

export const WORKER_MAIN = path.resolve(__dirname, '..', '..', 'dist', 'apps', 'start.js');

/** Worker processes started by one test file, so that afterAll can kill whatever is left. */
export function workerProcesses() {
  const started: ChildProcess[] = [];
  return {
    start(env: NodeJS.ProcessEnv): ChildProcess {
      const child = spawn(process.execPath, [WORKER_MAIN], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      started.push(child);
      return child;
    },
    killAll(): void {
      for (const w of started) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    },
  };
}

/**
 * What a killed-worker test's processes run with: a config in `dataDir` (no webhook, plus `config`), the
 * run's Temporal server, a trail key, a task queue of their own, errors only in the log, no injected fault
 * unless a start asks for one, and `env` on top.
 */
export async function workerSetup(
  dataDir: string,
  queuePrefix: string,
  { config = {}, env: extra = {} }: { config?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {},
) {
  const configFile = path.join(dataDir, 'incident.config.json');
  await writeFile(configFile, JSON.stringify({ dataDir, ingest: { enabled: false }, ...config }));
  const taskQueue = uniqueId(queuePrefix);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('devServerAddress'),
    INCIDENT_CONFIG: configFile,
    INCIDENT_TRAIL_KEY_FILE: trailKeyFor(dataDir),
    INCIDENT_TASK_QUEUE: taskQueue,
    INCIDENT_LOG_LEVEL: 'ERROR',
    ...extra,
  };
  delete env.INCIDENT_FAULT_CRASH_AT;
  return { env, taskQueue, configFile };
}

/** An image of `mib` MiB whose 8 MiB blocks all differ, so a copy resumed at the wrong offset changes the hash. */
export async function writeImage(file: string, mib: number): Promise<void> {
  const out = createWriteStream(file);
  const chunk = randomBytes(8 * 1024 * 1024);
  for (let i = 0; i < mib / 8; i++) {
    chunk.writeUInt32LE(i, 0);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
