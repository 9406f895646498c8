import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { IncidentClient } from '../client/incident-client';
import { reminderOffsets } from '../domain/deadlines';
import { resolveTemporalCli } from '../platform/binaries';
import { freePort, startDevServer } from '../platform/dev-server';
import * as api from '../workflows/incident-api';
import { peakRssMiB, rssMiB } from './proc-memory';
import { startScaleSink, type Accepted } from './scale-sink';
import type { ScaleWorkerSettings } from './scale-worker';

// N open incidents with pending reminders: how fast they open, how much resident memory the worker and the
// Temporal server hold with all of them open, and how late, and how often, each reminder reaches the relay.
// An intrusion owes law enforcement a notice 72 h after awareness, with a reminder 12 h before; awareness is
// back-dated so that reminder falls LEAD seconds after the incident opens, i.e. after all are open.
// Usage: npm run bench:scale [-- N [LEAD_SECONDS [CONCURRENCY [MAX_CACHED_WORKFLOWS]]]]

const PROJECT_DIR = path.resolve(__dirname, '..', '..');
const HOUR = 3_600_000;
const REMINDER_AFTER_AWARENESS = 60 * HOUR;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (x: number) => `${x.toFixed(0)} MiB`;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function startWorker(settings: ScaleWorkerSettings): Promise<ChildProcess> {
  const child = fork(path.join(__dirname, 'scale-worker.js'), [], {
    env: { ...process.env, BENCH_SCALE_WORKER: JSON.stringify(settings) },
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`The bench worker exited with code ${code} before it was ready.`)));
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** When each incident's reminder was due, as its own state says: the obligation's deadline less the offset. */
async function scheduledReminders(incidents: IncidentClient, ids: string[]): Promise<Map<string, number>> {
  const due = new Map<string, number>();
  await pool(ids, 20, async (id) => {
    const view = await incidents.view(id);
    for (const ob of view.state.obligations) {
      for (const o of reminderOffsets(ob, view.policy!)) {
        if (!ob.noticesSent.includes(`reminder-${o.label}`)) continue;
        due.set(`${id}/${ob.id}/reminder-${o.label}`, new Date(ob.dueAt).getTime() - o.minutes * 60_000);
      }
    }
  });
  return due;
}

function parseArgs(argv: string[]) {
  const [n = 10_000, lead, concurrency = 20, cache] = argv.map(Number);
  if (![n, concurrency].every((x) => Number.isInteger(x) && x > 0) || (lead !== undefined && !(lead > 0)))
    throw new Error('Usage: npm run bench:scale -- [N [LEAD_SECONDS [CONCURRENCY [MAX_CACHED_WORKFLOWS]]]]');
  // Opening ran at about 2 incidents a second on a busy 2-core machine; the margin keeps reminders after the last opens.
  return { n, leadMs: (lead ?? n / 2 + 60) * 1000, concurrency, maxCachedWorkflows: cache };
}

async function main(): Promise<void> {
  const { n, leadMs, concurrency, maxCachedWorkflows } = parseArgs(process.argv.slice(2));
  const cliPath = await resolveTemporalCli({ cacheDir: path.join(PROJECT_DIR, '.cache') });
  if (!cliPath) throw new Error('The benchmark needs the Temporal CLI.');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-scale-'));
  const server = await startDevServer({
    searchAttributes: api.SEARCH_ATTRIBUTES,
    cliPath,
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'server.log'),
  });
  const serverPid = server.process.pid!;
  const sink = await startScaleSink();
  let worker: ChildProcess | undefined;
  try {
    const taskQueue = 'bench-scale';
    worker = await startWorker({
      address: server.address,
      dataDir: path.join(dir, 'data'),
      smtpUrl: sink.url,
      taskQueue,
      maxCachedWorkflows,
    });
    await sleep(3_000);
    const idle = { worker: rssMiB(worker.pid!), server: rssMiB(serverPid) };
    const connection = await Connection.connect({ address: server.address });
    const incidents = new IncidentClient(new Client({ connection }), taskQueue);
    const ids = Array.from({ length: n }, (_, i) => `SCALE-${String(i).padStart(5, '0')}`);

    const started = Date.now();
    await pool(ids, concurrency, async (incidentId) => {
      const awareAt = new Date(Date.now() - REMINDER_AFTER_AWARENESS + leadMs).toISOString();
      await incidents.open({
        incidentId,
        title: `Intrusion ${incidentId}`,
        severity: 'SEV2',
        category: 'intrusion',
        systems: [],
        detection: 'IDS',
        awareAt,
        openedBy: 'alice',
      });
      // Acknowledged, so that no escalation mail competes with the reminders.
      await incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'bob' });
    });
    const opened = Date.now();
    const allOpen = { worker: rssMiB(worker.pid!), server: rssMiB(serverPid) };

    // Every reminder is due by the last opening plus the lead; wait that long and a minute more at most.
    const reminders = (xs: Accepted[]) => xs.filter((a) => /\/reminder-/.test(a.key));
    const giveUpAt = opened + leadMs + 60_000;
    let lastReport = Date.now();
    while (reminders(sink.accepted).length < n && Date.now() < giveUpAt) {
      await sleep(1_000);
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        console.error(`  … ${reminders(sink.accepted).length}/${n} reminders accepted`);
      }
    }
    await sleep(10_000); // a duplicate would come soon after its first
    const after = { worker: rssMiB(worker.pid!), server: rssMiB(serverPid) };
    const peak = { worker: peakRssMiB(worker.pid!), server: peakRssMiB(serverPid) };

    const perIncident = (now: number, before: number) => `${(((now - before) * 1024) / n).toFixed(0)} KiB/incident`;
    console.log(`bench:scale, ${os.availableParallelism()} cores, ${n} incidents, ${concurrency} concurrent openers`);
    console.log(
      `  cache: maxCachedWorkflows ${maxCachedWorkflows ?? 'as configured (worker.maxCachedWorkflows, default 600)'}; reminders due ${leadMs / 1000} s after each opening`,
    );
    console.log(
      `  open + acknowledge all: ${((opened - started) / 1000).toFixed(1)} s (${((n * 1000) / (opened - started)).toFixed(1)} incidents/s)`,
    );
    console.log(
      `  worker RSS: idle ${mib(idle.worker)}, all open ${mib(allOpen.worker)} (${perIncident(allOpen.worker, idle.worker)}), after reminders ${mib(after.worker)}, peak ${mib(peak.worker)}`,
    );
    console.log(
      `  server RSS: empty ${mib(idle.server)}, all open ${mib(allOpen.server)} (${perIncident(allOpen.server, idle.server)}), after reminders ${mib(after.server)}, peak ${mib(peak.server)}`,
    );
    const due = await scheduledReminders(incidents, ids);
    const byKey = new Map<string, number[]>();
    for (const a of reminders(sink.accepted)) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a.at]);
    const late = [...due].filter(([k]) => byKey.has(k)).map(([k, at]) => Math.min(...byKey.get(k)!) - at);
    const dueBeforeAllOpen = [...due.values()].filter((at) => at < opened).length;
    const duplicates = [...byKey.values()].filter((xs) => xs.length > 1).length;
    const unexpected = [...byKey.keys()].filter((k) => !due.has(k)).length;
    const reminded = new Set([...byKey.keys()].map((k) => k.split('/')[0]));
    const missing = ids.filter((id) => !reminded.has(id)).length;
    await connection.close();

    console.log(
      `  reminders: expected ${n}, sent by the system ${due.size}, accepted by the relay ${byKey.size}, missing ${missing}, duplicates ${duplicates}, not expected ${unexpected}, due before all were open ${dueBeforeAllOpen}`,
    );
    if (late.length)
      console.log(
        `  lateness (relay acceptance - scheduled instant): p50 ${percentile(late, 50)} ms, p99 ${percentile(late, 99)} ms, max ${Math.max(...late)} ms`,
      );
  } finally {
    if (worker) await stopWorker(worker);
    await sink.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error && process.env.BENCH_DEBUG ? err.stack : err instanceof Error ? err.message : err);
  process.exit(1);
});
