import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { resolveTemporalCli } from '../platform/binaries';
import { openLoop, type AlertSpec, type Posted } from './storm-load';
import { startStormSink, type StormSink } from './storm-sink';
import { startFloor, startSystem, type Target } from './storm-procs';
import { figures, ms, ratio, type Figures } from './storm-stats';
import { groupCpu } from './storm-cpu';

// An alert storm, from the POST to the senior alert to the CTO accepted by a real SMTP relay: this system
// as `npm start` runs it beside a bare Temporal floor (bench/floor-app.ts) in the same run, 1, 20 and 50
// new incidents a second, then 2,000 alerts a minute into 10 open incidents while new ones open at 1 a
// second. Every step gets a fresh process, dev server and data dir for each program.
// Usage: npm run bench:storm [-- SECONDS [DRAIN_SECONDS]]; STORM_RATES=1,20 STORM_MIXED=0 STORM_TARGETS=system.

const PROJECT_DIR = path.resolve(__dirname, '..', '..');
const MIXED_ATTACH_PER_SECOND = 2000 / 60;
const EXISTING = 10;

interface Step {
  name: string;
  newPerSecond: number;
  attachPerSecond: number;
}

type Launch = () => Promise<Target>;

/** How many incidents the webhook started eagerly (first task straight to its worker) and how many queued. */
async function webhookStarts(webhookUrl: string): Promise<string> {
  const text = await (await fetch(new URL('/metrics', webhookUrl))).text();
  const count = (start: string) =>
    Number(
      new RegExp(`incident_ingest_incidents_started_total\\{[^}]*start="${start}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0,
    );
  return `${count('eager')} eager, ${count('queued')} queued`;
}

async function settle(sink: StormSink, posted: Posted, what: string): Promise<void> {
  const missing = await sink.waitFor([...posted.at.keys()], 120_000);
  if (posted.failures || missing.length)
    throw new Error(`${what}: ${missing.length} mails missing, ${posted.failures} refused (${posted.firstFailure})`);
}

async function runStep(launch: Launch, step: Step, prefix: string, sink: StormSink, seconds: number, drainMs: number) {
  const target = await launch();
  try {
    const one = (tag: string): AlertSpec => ({ tag, correlationKey: tag, host: `${tag}-host` });
    // The first incident on a fresh worker pays for loading; a storm meets a worker that has run before.
    await settle(sink, await openLoop(target.url, 1, 1, () => one(`${prefix}-warm`)), `${target.name} warm-up`);
    if (step.attachPerSecond)
      await settle(sink, await openLoop(target.url, EXISTING, EXISTING, (i) => one(`${prefix}-open${i}`)), 'opening');
    const cpuBefore = groupCpu(target.pid);
    const [fresh, attached] = await Promise.all([
      openLoop(target.url, step.newPerSecond, Math.round(step.newPerSecond * seconds), (i) => one(`${prefix}-n${i}`)),
      step.attachPerSecond
        ? openLoop(target.url, step.attachPerSecond, Math.round(step.attachPerSecond * seconds), (i) => ({
            tag: `${prefix}-a${i}`,
            correlationKey: `${prefix}-open${i % EXISTING}`,
            host: `${prefix}-open${i % EXISTING}-host`,
          }))
        : undefined,
    ]);
    await sink.waitFor([...fresh.at.keys()], Math.max(0, drainMs - (performance.now() - fresh.lastAt)));
    const result = figures(fresh, sink.accepted, step.newPerSecond);
    const cpuAfter = groupCpu(target.pid);
    if (cpuBefore && cpuAfter)
      result.cpuMsPerIncident = {
        node: (1000 * (cpuAfter.node - cpuBefore.node)) / result.sent,
        server: (1000 * (cpuAfter.server - cpuBefore.server)) / result.sent,
      };
    if (attached) {
      result.failures += attached.failures;
      result.firstFailure ??= attached.firstFailure;
    }
    console.log(
      `  ${target.name.padEnd(6)} ${step.name}: p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, max ${ms(result.max)}, ` +
        `${result.delivered}/${result.sent} delivered, ${result.completedPerSecond.toFixed(1)}/s while arriving, ` +
        `${result.outstandingAfterSettle} outstanding 5 s after the last POST` +
        (result.cpuMsPerIncident
          ? `, CPU per new incident ${result.cpuMsPerIncident.node.toFixed(0)} ms Node + ${result.cpuMsPerIncident.server.toFixed(0)} ms Temporal`
          : '') +
        (result.failures ? `, ${result.failures} POSTs refused (first: ${result.firstFailure})` : ''),
    );
    if (target.name === 'system')
      console.log(`         incidents started by the webhook: ${await webhookStarts(target.url)}`);
    return result;
  } finally {
    await target.stop();
  }
}

function table(steps: Step[], results: Map<string, Partial<Record<Target['name'], Figures>>>): string {
  const cpu = (f?: Figures) =>
    f?.cpuMsPerIncident ? `${f.cpuMsPerIncident.node.toFixed(0)} + ${f.cpuMsPerIncident.server.toFixed(0)}` : '—';
  const three = (f?: Figures) => (f ? `${ms(f.p50)} / ${ms(f.p99)} / ${ms(f.max)}` : '—');
  const lines = [
    '| step | new incidents | floor p50 / p99 / max | system p50 / p99 / max | ratio p50 / p99 / max | senior alerts/s while arriving, floor / system | outstanding 5 s after the last POST, floor / system | CPU ms per new incident (Node + Temporal), floor / system |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const step of steps) {
    const { floor, system } = results.get(step.name) ?? {};
    const ratios =
      floor && system
        ? `${ratio(system.p50, floor.p50)} / ${ratio(system.p99, floor.p99)} / ${ratio(system.max, floor.max)}`
        : '—';
    lines.push(
      `| ${step.name} | ${floor?.sent ?? system?.sent} | ${three(floor)} | ${three(system)} | ${ratios} | ` +
        `${floor?.completedPerSecond.toFixed(1) ?? '—'} / ${system?.completedPerSecond.toFixed(1) ?? '—'} | ` +
        `${floor?.outstandingAfterSettle ?? '—'} / ${system?.outstandingAfterSettle ?? '—'} | ${cpu(floor)} / ${cpu(system)} |`,
    );
  }
  return lines.join('\n');
}

function sustained(steps: Step[], results: Map<string, Partial<Record<Target['name'], Figures>>>, who: Target['name']) {
  let best = 0;
  for (const step of steps)
    if (!step.attachPerSecond && results.get(step.name)?.[who]?.sustained) best = Math.max(best, step.newPerSecond);
  return best;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? process.env.STORM_SECONDS ?? 30);
  const drainMs = 1000 * Number(process.argv[3] ?? process.env.STORM_DRAIN_SECONDS ?? 180);
  const rates = (process.env.STORM_RATES ?? '1,20,50').split(',').filter(Boolean).map(Number);
  const targets = (process.env.STORM_TARGETS ?? 'floor,system').split(',') as Target['name'][];
  if (!(seconds > 0) || !(drainMs > 0) || rates.some((r) => !(r > 0)))
    throw new Error(
      'Usage: npm run bench:storm [-- SECONDS [DRAIN_SECONDS]], with STORM_RATES=1,20,50 (positive numbers)',
    );
  const steps: Step[] = rates.map((r) => ({ name: `${r}/s`, newPerSecond: r, attachPerSecond: 0 }));
  if (process.env.STORM_MIXED !== '0')
    steps.push({
      name: 'mixed: 1/s new + 2,000/min into 10 open',
      newPerSecond: 1,
      attachPerSecond: MIXED_ATTACH_PER_SECOND,
    });

  const cliPath = await resolveTemporalCli({ cacheDir: path.join(PROJECT_DIR, '.cache') });
  if (!cliPath)
    throw new Error('The benchmark needs the Temporal CLI (see README, Provisioning the Temporal binaries).');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'storm-bundle-'));
  const bundlePath = path.join(dir, 'floor-workflow.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflow') });
  await writeFile(bundlePath, code);
  const sink = await startStormSink();
  const launchers: Record<Target['name'], Launch> = {
    floor: () => startFloor(cliPath, bundlePath, sink.port),
    system: () => startSystem(sink.port),
  };
  console.log(
    `Alert storm on ${os.availableParallelism()} cores: ${seconds} s per step, drain up to ${drainMs / 1000} s; POST → senior alert to the CTO accepted by the SMTP relay.`,
  );
  const results = new Map<string, Partial<Record<Target['name'], Figures>>>();
  try {
    for (const [i, step] of steps.entries()) {
      const row: Partial<Record<Target['name'], Figures>> = {};
      results.set(step.name, row);
      for (const who of targets)
        row[who] = await runStep(launchers[who], step, `${who[0]}${i}`, sink, seconds, drainMs);
    }
  } finally {
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log('');
  console.log(`Cores: ${os.availableParallelism()}. ${seconds} s per step.`);
  console.log(table(steps, results));
  console.log(
    `Highest rate sustained without a growing backlog (of ${rates.join(', ')}/s): floor ${sustained(steps, results, 'floor')}/s, system ${sustained(steps, results, 'system')}/s.`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
