import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { freePort } from '../../platform/dev-server';
import { uniqueId } from '../helpers/fixtures';
import { WORKER_MAIN, workerProcesses, workerSetup } from '../helpers/worker-process';

// What an operator scrapes from a running worker: the SDK's own metrics (slots, schedule-to-start, cache)
// and the incidents' (senior alerts, their latency from opening) on the address they configured.

let connection: Connection;
const workers = workerProcesses();

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
});

afterAll(async () => {
  workers.killAll();
  await connection?.close();
});

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The value of one series, its labels matched by the given pairs. */
function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('worker metrics', () => {
  it("serves the SDK's metrics and the senior alert's count and latency on the configured address", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-metrics-'));
    const address = `127.0.0.1:${await freePort()}`;
    const { env, taskQueue } = await workerSetup(dataDir, 'metrics', { env: { INCIDENT_METRICS_ADDRESS: address } });
    workers.start(env);
    const incidents = new IncidentClient(new Client({ connection }), taskQueue);
    const incidentId = uniqueId('METRICS');
    await incidents.open({
      incidentId,
      title: 'Metrics',
      severity: 'SEV1',
      category: 'intrusion',
      systems: [],
      detection: 'test',
      awareAt: new Date().toISOString(),
      openedBy: 'alice',
    });
    const outbox = path.join(dataDir, 'outbox');
    await eventually(async () => ((await readdir(outbox)).length > 0 ? true : undefined), 'the senior alert');
    const scrape = () => fetch(`http://${address}/metrics`).then((r) => r.text());
    const text = await eventually(async () => {
      const t = await scrape();
      return seriesValue(t, 'incident_senior_alerts_sent_total', { taskQueue }) === 1 ? t : undefined;
    }, 'the senior alert counted');
    expect(seriesValue(text, 'incident_senior_alert_seconds_count', { taskQueue })).toBe(1);
    const latency = seriesValue(text, 'incident_senior_alert_seconds_sum', { taskQueue });
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan(60);
    // The SDK's own: what an operator of Temporal workers looks at first.
    expect(text).toMatch(/^temporal_workflow_task_schedule_to_start_latency_bucket\{/m);
    expect(text).toMatch(/^temporal_worker_task_slots_available\{/m);
    expect(text).toMatch(/^temporal_sticky_cache_size\{/m);
  });

  it('refuses a metrics address that is not host:port, naming the setting', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-metrics-'));
    const configFile = path.join(dataDir, 'incident.config.json');
    await writeFile(configFile, '{}');
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: {
        ...process.env,
        INCIDENT_CONFIG: configFile,
        INCIDENT_DATA_DIR: dataDir,
        INCIDENT_METRICS_ADDRESS: 'http://0.0.0.0:9464/metrics',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('metrics.address');
    expect(stderr).toContain('must be host:port, for example 127.0.0.1:9464');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
