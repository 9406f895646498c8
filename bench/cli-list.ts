import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { IncidentClient } from '../client/incident-client';
import { installationDataConverter } from '../platform/encryption/codec';
import { parseConfig } from '../platform/config/schema';
import { resolveTemporalCli } from '../platform/binaries';
import { freePort, startDevServer } from '../platform/dev-server';
import * as api from '../workflows/incident-api';

// `incident list` beside `temporal workflow list` over the same open incidents on one dev server, in one
// run: the CLI must stay within 1.5x of Temporal's own. Usage: npm run bench:list [-- INCIDENTS [RUNS]]

const run = promisify(execFile);
const PROJECT_DIR = path.resolve(__dirname, '..', '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeCommand(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; lines: number; stdout: string }> {
  const start = performance.now();
  const { stdout } = await run(program, args, { env, maxBuffer: 64 * 1024 * 1024 });
  return { ms: performance.now() - start, lines: stdout.trim().split('\n').length, stdout };
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  const runs = Number(process.argv[3] ?? 11);
  const cliPath = await resolveTemporalCli({ cacheDir: path.join(PROJECT_DIR, '.cache') });
  if (!cliPath) throw new Error('The benchmark needs the Temporal CLI.');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-list-'));
  const port = await freePort();
  const server = await startDevServer({
    searchAttributes: api.SEARCH_ATTRIBUTES,
    cliPath,
    port,
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'server.log'),
  });
  try {
    const config = parseConfig({ dataDir: dir }, {});
    const connection = await Connection.connect({ address: server.address });
    // Encrypted as the embedded default is (a key ring under the data dir): the CLI decrypts every title.
    const dataConverter = installationDataConverter(process.env, dir, {
      create: true,
      namespace: config.temporal.namespace,
    });
    const incidents = new IncidentClient(new Client({ connection, dataConverter }), 'bench-no-worker');
    const severities = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
    const started = performance.now();
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, (_, j) =>
          incidents.open({
            incidentId: `BENCH-${String(i + j).padStart(5, '0')}`,
            title: `Benchmark incident ${i + j}`,
            severity: severities[(i + j) % 4],
            category: 'intrusion',
            systems: [],
            detection: 'benchmark',
            awareAt: new Date(Date.now() - (i + j) * 60_000).toISOString(),
            openedBy: 'bench',
          }),
        ),
      );
    }
    console.log(`started ${count} incidents in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Visibility is eventually consistent: wait until every incident is listed.
    const query = `WorkflowType = '${api.WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
    for (;;) {
      const { count: listed } = await new Client({ connection }).workflow.count(query);
      if (listed >= count) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await connection.close();
    const env = { ...process.env, TEMPORAL_ADDRESS: server.address, INCIDENT_DATA_DIR: dir, NO_COLOR: '1' };
    const ours: number[] = [];
    const theirs: number[] = [];
    const bareNode: number[] = [];
    let oursLines = 0;
    let theirsLines = 0;
    // BENCH_CPU_PROFILE_DIR=dir writes a V8 CPU profile of one extra `incident list` run there.
    if (process.env.BENCH_CPU_PROFILE_DIR) {
      await timeCommand(
        process.execPath,
        [
          '--cpu-prof',
          '--cpu-prof-dir',
          process.env.BENCH_CPU_PROFILE_DIR,
          path.join(PROJECT_DIR, 'bin', 'incident.js'),
          'list',
        ],
        env,
      );
    }
    for (let i = 0; i < runs; i++) {
      const a = await timeCommand(process.execPath, [path.join(PROJECT_DIR, 'bin', 'incident.js'), 'list'], env);
      if (!a.stdout.includes('Benchmark incident 999'))
        throw new Error(`incident list did not show the decrypted titles:\n${a.stdout.slice(0, 500)}`);
      const b = await timeCommand(cliPath, ['workflow', 'list', '--address', server.address, '--query', query], env);
      ours.push(a.ms);
      theirs.push(b.ms);
      oursLines = a.lines;
      theirsLines = b.lines;
      bareNode.push((await timeCommand(process.execPath, ['-e', ''], env)).ms);
    }
    console.log(`listing ${count} open incidents, ${runs} runs each, medians:`);
    console.log(`  temporal workflow list: ${median(theirs).toFixed(0)} ms (${theirsLines - 1} rows)`);
    console.log(`  incident list:          ${median(ours).toFixed(0)} ms (${oursLines - 1} rows, sorted by deadline)`);
    console.log(`  ratio incident / temporal: ${(median(ours) / median(theirs)).toFixed(2)} (target ≤ 1.5)`);
    // The floor of any Node command in this environment; NODE_EXTRA_CA_CERTS, when set, is read at Node's start.
    console.log(
      `  node -e '' (Node's own start${process.env.NODE_EXTRA_CA_CERTS ? ', with NODE_EXTRA_CA_CERTS set' : ''}): ${median(bareNode).toFixed(0)} ms`,
    );
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
