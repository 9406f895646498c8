import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { parseConfig, type Config } from '../../platform/config/schema';
import { dataConverterFor } from '../../platform/encryption/codec';
import { atRestKeyRing, loadKeyRing } from '../../platform/encryption/key-ring';
import type { WorkerPair } from '../../worker/worker-pair';
import { createIncidentWorker, type WorkerParts } from '../../worker/create-worker';
import { expectOk, pollUntil, runCliProcess, uniqueId, type CliResult } from './harness';

// Case bundles need what a real deployment leaves in its data dir: a worker configured like the embedded
// default (its own trail key, evidence and reports encrypted at rest), an image copy and a directory
// copy, and incidents both closed (with reports) and still open.

export const IMAGE_SIZE = 1024 * 1024 + 7;

export interface BundleWorld {
  dataDir: string;
  image: Buffer;
  /** The CLI with this machine's configuration. */
  cli(...args: string[]): Promise<CliResult>;
  /** The CLI with no configuration at all: no config file, no data dir, no Temporal. */
  bare(...args: string[]): Promise<CliResult>;
  view(id: string): Promise<any>;
  /** Opens an incident on web-01 (image) and files-01 (directory copy), and waits for both copies. */
  openWithEvidence(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startBundleWorld(): Promise<BundleWorld> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-bundle-'));
  await mkdir(path.join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(dataDir, 'keys', 'payload-keys'), `k1:${randomBytes(32).toString('base64')}\n`, {
    mode: 0o600,
  });
  const image = randomBytes(IMAGE_SIZE);
  await writeFile(path.join(dataDir, 'web-01.img'), image);
  await mkdir(path.join(dataDir, 'share', 'etc'), { recursive: true });
  await writeFile(path.join(dataDir, 'share', 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  await writeFile(path.join(dataDir, 'share', 'customers.csv'), 'name\nGlobex\n');
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
  config.temporal.taskQueue = uniqueId('bundle');
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
  const clean: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(clean))
    if (name.startsWith('INCIDENT_') || name.startsWith('TEMPORAL_')) delete clean[name];
  const env: NodeJS.ProcessEnv = {
    ...clean,
    TEMPORAL_ADDRESS: inject('devServerAddress'),
    INCIDENT_TASK_QUEUE: config.temporal.taskQueue,
    INCIDENT_CONFIG: configFile,
    INCIDENT_ACTOR: 'alice',
  };
  // A config file that does not exist: loading configuration would fail, so none may be loaded.
  const bareEnv: NodeJS.ProcessEnv = { ...clean, HOME: dataDir, INCIDENT_CONFIG: path.join(dataDir, 'absent.json') };
  const cli = (...args: string[]) => runCliProcess(args, env);
  const view = async (id: string) => {
    const r = await cli('show', id, '--json');
    if (r.code !== 0) throw new Error(`show ${id} --json exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  return {
    dataDir,
    image,
    cli,
    bare: (...args) => runCliProcess(args, bareEnv),
    view,
    async openWithEvidence(prefix) {
      const id = uniqueId(prefix);
      expectOk(
        await cli(
          'open',
          '--id',
          id,
          '--title',
          'Web shell on web-01',
          '--severity',
          'SEV2',
          '--category',
          'other',
          '--system',
          'web-01',
          '--system',
          'files-01',
          '--detection',
          'EDR alert',
        ),
      );
      await pollUntil(
        'both copies',
        () => view(id),
        (v) => v.state.systems.length === 2 && v.state.systems.every((s: any) => s.evidence.state === 'done'),
        120_000,
      );
      return id;
    },
    async stop() {
      worker.shutdown();
      await running;
      parts.mailer.close();
      await connection.close();
      await makeWritable(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Evidence copies are read-only; their owner opens them up to remove them. */
export async function makeWritable(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) return chmod(dir, 0o644);
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir)) await makeWritable(path.join(dir, entry));
}
