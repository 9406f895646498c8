import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { resolveTemporalCli, resolveTestServer } from '../platform/binaries';
import { freePort, startDevServer, type DevServer } from '../platform/dev-server';
import { SEARCH_ATTRIBUTES } from '../workflows/incident-api';
import { preloadedWorkflowModules } from '../worker/workflow-preload';
import { startTestPostgres, type TestPostgres } from './helpers/postgres-server';
import { startTestS3, type TestS3 } from './helpers/s3-server';

// One Temporal dev server and one workflow bundle for the whole run; the time-skipping server is started
// by the workflow test file itself, since its clock is shared by everything connected to it.

const PROJECT_DIR = path.resolve(__dirname, '..');
const CACHE_DIR = path.join(PROJECT_DIR, '.cache');

declare module 'vitest' {
  export interface ProvidedContext {
    devServerAddress: string;
    testServerPath: string;
    workflowBundlePath: string;
    temporalCliPath: string;
    /** The dev server's SQLite file, read by the test that checks no plaintext reaches the server. */
    devServerDbFile: string;
    /** PostgreSQL for the run: the owner's connection (migrations; may create databases) and the worker's. */
    postgresOwnerUrl: string;
    postgresWorkerUrl: string;
    /** The S3 server for the run (versitygw): endpoint and root credentials; buckets in helpers/s3-server.ts. */
    s3Endpoint: string;
    s3AccessKeyId: string;
    s3SecretAccessKey: string;
  }
}

let server: DevServer | undefined;
let scratch: string | undefined;
let bundleFile: string | undefined;
let postgres: TestPostgres | undefined;
let s3: TestS3 | undefined;

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => console.log(`[setup] ${line}`);
  const [cliPath, testServerPath] = await Promise.all([
    resolveTemporalCli({ cacheDir: CACHE_DIR, log }),
    resolveTestServer({ cacheDir: CACHE_DIR, log }),
  ]);
  if (!cliPath)
    throw new Error(
      'The tests need the Temporal CLI: install Go (it is built from the module proxy) or set TEMPORAL_CLI_PATH.',
    );
  if (!testServerPath)
    throw new Error(
      'The tests need the time-skipping test server: install Java 17 and Maven, or set TEMPORAL_TEST_SERVER_PATH.',
    );
  scratch = await mkdtemp(path.join(os.tmpdir(), 'incident-devserver-'));
  const postgresStarted = startTestPostgres();
  postgresStarted.catch(() => undefined); // awaited below; a failure is reported there
  const s3Started = startTestS3(CACHE_DIR);
  s3Started.catch(() => undefined);
  const [port, bundle] = await Promise.all([
    freePort(),
    bundleWorkflowCode({
      workflowsPath: path.join(PROJECT_DIR, 'workflows', 'index.ts'),
      preloadModules: preloadedWorkflowModules(path.join(PROJECT_DIR, 'workflows', 'index.ts')),
      logger: new DefaultLogger('WARN'),
    }),
  ]);
  server = await startDevServer({
    searchAttributes: SEARCH_ATTRIBUTES,
    cliPath,
    port,
    dbFile: path.join(scratch, 'temporal.db'),
    logFile: path.join(scratch, 'dev-server.log'),
  });
  const bundleDir = path.join(CACHE_DIR, 'test');
  await mkdir(bundleDir, { recursive: true });
  const workflowBundlePath = path.join(bundleDir, `workflow-bundle-${process.pid}.js`);
  await writeFile(workflowBundlePath, bundle.code);
  bundleFile = workflowBundlePath;
  project.provide('devServerAddress', server.address);
  project.provide('testServerPath', testServerPath);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('temporalCliPath', cliPath);
  project.provide('devServerDbFile', path.join(scratch, 'temporal.db'));
  postgres = await postgresStarted;
  project.provide('postgresOwnerUrl', postgres.ownerUrl);
  project.provide('postgresWorkerUrl', postgres.workerUrl);
  s3 = await s3Started;
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('s3AccessKeyId', s3.accessKeyId);
  project.provide('s3SecretAccessKey', s3.secretAccessKey);
  return teardown;
}

async function teardown(): Promise<void> {
  await Promise.all([server?.stop(), postgres?.stop(), s3?.destroy()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
  if (bundleFile) await rm(bundleFile, { force: true });
}
