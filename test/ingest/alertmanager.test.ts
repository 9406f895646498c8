import path from 'node:path';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { IncidentClient } from '../../client/incident-client';
import { startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager';
import { uniqueId } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { startIngestHarness, type IngestHarness } from '../helpers/ingest-harness';

// A real Prometheus Alertmanager posts to the webhook with its bearer token: one incident, one senior alert to the CTO,
// the alerts attached, and the resolve recorded.

const TOKEN = 'alertmanager-token-0123456789';

let h: IngestHarness;
let alertmanager: RunningAlertmanager;

beforeAll(async () => {
  h = await startIngestHarness({ alertmanager: { bearerTokens: [TOKEN], webhookSecrets: [], openAtOrAbove: 'SEV2' } });
  alertmanager = await startAlertmanager(`${h.ingest.url}/v1/alerts/alertmanager`, TOKEN);
});

afterAll(async () => {
  await alertmanager?.stop();
  await h?.stop();
});

describe('Prometheus Alertmanager into the webhook', () => {
  it('opens one incident with one senior alert to the CTO for a group of alerts, attaches them, and records their resolve', async () => {
    const alertname = uniqueId('SSHBruteForce');
    const startsAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const labels = (instance: string) => ({ alertname, severity: 'critical', instance, category: 'intrusion' });
    await alertmanager.fire([
      { labels: labels('web-01:9100'), annotations: { summary: 'SSH brute force against web-01' }, startsAt },
      { labels: labels('web-02:9100'), annotations: { summary: 'SSH brute force against web-02' }, startsAt },
    ]);
    const client = new Client({ connection: h.connection });
    const find = async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({
        query: `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${h.config.temporal.taskQueue}'`,
      }))
        ids.push(wf.workflowId);
      return ids;
    };
    await expect.poll(find, { timeout: 30_000, interval: 500 }).toHaveLength(1);
    const [incidentId] = await find();
    const incidents = new IncidentClient(client, h.config.temporal.taskQueue);
    const view = await incidents.waitFor(incidentId, (v) => v.state.alerts.length === 2, 30_000);
    expect(view.state.severity).toBe('SEV1');
    expect(view.state.systems.map((s) => s.name).sort()).toEqual(['web-01', 'web-02']);
    expect(view.state.awareAt).toBe(startsAt);
    // The webhook shares the worker's connection, as npm start composes it: the incident was started eagerly,
    // its opening alerts in its input rather than in a signal, and Temporal handed its first task straight over.
    const opened = await client.workflow.getHandle(incidentId).fetchHistory();
    expect(opened.events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBe(0);
    const metrics = await (await fetch(`${h.ingest.url}/metrics`)).text();
    expect(metrics).toMatch(/incident_ingest_incidents_started_total\{source="alertmanager",start="eager"\} 1\n/);
    await expect
      .poll(
        () =>
          h.smtp.messages.filter(
            (m) => m.subject.includes(`Security incident ${incidentId}:`) && m.to.includes('cto@example.com'),
          ).length,
        { timeout: 20_000 },
      )
      .toBe(1);

    // Resolve both: Alertmanager sends a resolved notification (send_resolved: true).
    const endsAt = new Date().toISOString();
    await alertmanager.fire([
      { labels: labels('web-01:9100'), annotations: { summary: 'SSH brute force against web-01' }, startsAt, endsAt },
      { labels: labels('web-02:9100'), annotations: { summary: 'SSH brute force against web-02' }, startsAt, endsAt },
    ]);
    await incidents.waitFor(
      incidentId,
      (v) => v.state.alerts.filter((a) => a.status === 'resolved').length === 2,
      30_000,
    );
    const store = new JsonlAuditStore(path.join(h.config.dataDir, 'audit'));
    await expect
      .poll(async () => (await store.read(incidentId)).filter((e) => e.action === 'alert.resolved').length, {
        timeout: 10_000,
      })
      .toBe(2);
    expect(await find()).toEqual([incidentId]);
    await recordHistory('alert-opened-eagerly', client.workflow.getHandle(incidentId));
    expect(
      h.smtp.messages.filter(
        (m) => m.subject.includes(`Security incident ${incidentId}:`) && m.to.includes('cto@example.com'),
      ),
    ).toHaveLength(1);
  });
});
