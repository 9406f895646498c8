import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../activities/audit-store';
import { IncidentClient } from '../../client/incident-client';
import { startIngest } from '../../client/ingest/start';
import type { IngestServer } from '../../client/ingest/server';
import type { Config } from '../../domain/config';
import { createIncidentWorker } from '../../worker/create-worker';
import { startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';

// A real Prometheus Alertmanager posts to the webhook with its bearer token: one incident, one CTO mail,
// the alerts attached, and the resolve recorded.

const TOKEN = 'alertmanager-token-0123456789';

let smtp: TestSmtp;
let connection: Connection;
let nativeConnection: NativeConnection;
let config: Config;
let worker: Worker;
let running: Promise<void>;
let ingest: IngestServer;
let alertmanager: RunningAlertmanager;

beforeAll(async () => {
  smtp = await startTestSmtp();
  connection = await Connection.connect({ address: inject('devServerAddress') });
  nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
  ({ config } = await labConfig({ smtpUrl: smtp.url }));
  config.temporal.taskQueue = uniqueId('am');
  config.ingest = { ...config.ingest, port: 0, sources: { alertmanager: { bearerTokens: [TOKEN], webhookSecrets: [], openAtOrAbove: 'SEV2' } } };
  ({ worker } = await createIncidentWorker(nativeConnection, config, { workflowBundle: { codePath: inject('workflowBundlePath') } }));
  running = worker.run();
  ingest = await startIngest(config, new Client({ connection }), () => undefined);
  alertmanager = await startAlertmanager(`${ingest.url}/v1/alerts/alertmanager`, TOKEN);
});

afterAll(async () => {
  await alertmanager?.stop();
  await ingest?.close();
  worker?.shutdown();
  await running;
  await smtp?.close();
  await connection?.close();
  await nativeConnection?.close();
});

describe('Prometheus Alertmanager into the webhook', () => {
  it('opens one incident with one CTO email for a group of alerts, attaches them, and records their resolve', async () => {
    const alertname = uniqueId('SSHBruteForce');
    const startsAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const labels = (instance: string) => ({ alertname, severity: 'critical', instance, category: 'intrusion' });
    await alertmanager.fire([
      { labels: labels('web-01:9100'), annotations: { summary: 'SSH brute force against web-01' }, startsAt },
      { labels: labels('web-02:9100'), annotations: { summary: 'SSH brute force against web-02' }, startsAt },
    ]);
    const client = new Client({ connection });
    const find = async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${config.temporal.taskQueue}'` })) ids.push(wf.workflowId);
      return ids;
    };
    await expect.poll(find, { timeout: 30_000, interval: 500 }).toHaveLength(1);
    const [incidentId] = await find();
    const incidents = new IncidentClient(client, config.temporal.taskQueue, config.policy);
    const view = await incidents.waitFor(incidentId, (v) => v.state.alerts.length === 2, 30_000);
    expect(view.state.severity).toBe('SEV1');
    expect(view.state.systems.map((s) => s.name).sort()).toEqual(['web-01', 'web-02']);
    expect(view.state.awareAt).toBe(startsAt);
    await expect.poll(() => smtp.messages.filter((m) => m.subject.includes(incidentId) && m.to.includes('cto@example.com')).length, { timeout: 20_000 }).toBe(1);

    // Resolve both: Alertmanager sends a resolved notification (send_resolved: true).
    const endsAt = new Date().toISOString();
    await alertmanager.fire([
      { labels: labels('web-01:9100'), annotations: { summary: 'SSH brute force against web-01' }, startsAt, endsAt },
      { labels: labels('web-02:9100'), annotations: { summary: 'SSH brute force against web-02' }, startsAt, endsAt },
    ]);
    await incidents.waitFor(incidentId, (v) => v.state.alerts.filter((a) => a.status === 'resolved').length === 2, 30_000);
    const store = new JsonlAuditStore(path.join(config.dataDir, 'audit'));
    await expect.poll(async () => (await store.read(incidentId)).filter((e) => e.action === 'alert.resolved').length, { timeout: 10_000 }).toBe(2);
    expect(await find()).toEqual([incidentId]);
    expect(smtp.messages.filter((m) => m.subject.includes(incidentId) && m.to.includes('cto@example.com'))).toHaveLength(1);
  });
});
