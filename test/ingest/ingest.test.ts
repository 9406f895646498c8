import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { IncidentClient } from '../../client/incident-client';
import { signStandardWebhook } from '../../services/ingest/auth';
import { incidentBaseId } from '../../services/ingest/correlate';
import { startIngest } from '../../services/ingest/start';
import type { IngestServer } from '../../services/ingest/server';
import { parseConfig, type Config } from '../../platform/config/schema';
import * as api from '../../workflows/incident-api';
import { uniqueId } from '../helpers/fixtures';
import { startIngestHarness, type IngestHarness } from '../helpers/ingest-harness';
import type { TestSmtp } from '../helpers/smtp';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

// The alert webhook against the dev server, a real worker and a real SMTP server: what a detection
// system's operator would check.

const TOKEN = 'generic-token-0123456789abcdef';
const FALCO_TOKEN = 'falco-token-0123456789abcdef';
const SECRET = `whsec_${Buffer.from('a-signing-secret-of-32-bytes!!!!').toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.from('the-previous-secret-being-rotated').toString('base64')}`;

let h: IngestHarness;
let smtp: TestSmtp;
let connection: Connection;
let config: Config;
let ingest: IngestServer;
let logs: Record<string, unknown>[];

beforeAll(async () => {
  h = await startIngestHarness({
    generic: { bearerTokens: [TOKEN], webhookSecrets: [SECRET, OLD_SECRET], openAtOrAbove: 'SEV3' },
    falco: { bearerTokens: [FALCO_TOKEN], webhookSecrets: [], openAtOrAbove: 'SEV3' },
  });
  ({ smtp, connection, config, ingest, logs } = h);
});

afterAll(async () => {
  await h?.stop();
});

function alert(over: Record<string, unknown> = {}) {
  return {
    id: uniqueId('alert'),
    severity: 'SEV1',
    category: 'intrusion',
    title: 'Suspicious shell on web-01',
    systems: [],
    observedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
    ...over,
  };
}

async function post(
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  route = '/v1/alerts/generic',
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${ingest.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => ({}))) as Record<string, unknown>,
    headers: res.headers,
  };
}

async function workflowsFor(correlationKey: string): Promise<string[]> {
  const base = incidentBaseId('generic', correlationKey);
  const ids: string[] = [];
  for await (const wf of new Client({ connection }).workflow.list({ query: `WorkflowId STARTS_WITH '${base}'` }))
    ids.push(wf.workflowId);
  return ids;
}

describe('alert ingestion', () => {
  it('opens exactly one incident and sends exactly one senior alert to the CTO for 50 identical alerts delivered at once', async () => {
    const a = alert({ title: 'Concurrent duplicate' });
    const results = await Promise.all(Array.from({ length: 50 }, () => post(a)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(202));
    const incidentId = `${incidentBaseId('generic', a.id)}-1`;
    expect(new Set(results.map((r) => (r.body.incidents as { incidentId: string }[])[0].incidentId))).toEqual(
      new Set([incidentId]),
    );
    const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
    const view = await incidents.waitFor(incidentId, (v) => v.state.escalationsSent > 0 && v.state.alerts.length > 0);
    expect(view.state.alerts).toHaveLength(1);
    // Awareness is when the detector saw it, not when the request arrived.
    expect(view.state.awareAt).toBe(new Date(a.observedAt).toISOString());
    await expect
      .poll(
        () =>
          smtp.messages.filter(
            (m) => m.subject.includes(`Security incident ${incidentId}:`) && m.to.includes('cto@example.com'),
          ).length,
        { timeout: 20_000 },
      )
      .toBe(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      smtp.messages.filter(
        (m) => m.subject.includes(`Security incident ${incidentId}:`) && m.to.includes('cto@example.com'),
      ),
    ).toHaveLength(1);
    expect(await workflowsFor(a.id)).toEqual([incidentId]);
  });

  it('records a resolve on its incident, keeps the raw payload in the audit trail, and attaches later alerts of the same key', async () => {
    const a = alert({ title: 'Brute force on vpn-01', details: { attempts: 5000 } });
    await post(a);
    const incidentId = `${incidentBaseId('generic', a.id)}-1`;
    expect((await post({ ...a, severity: 'SEV4', observedAt: new Date().toISOString() })).status).toBe(202);
    expect((await post({ ...a, status: 'resolved' })).status).toBe(202);
    const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
    const view = await incidents.waitFor(incidentId, (v) => v.state.alerts.some((x) => x.status === 'resolved'));
    expect(view.state.alerts.map((x) => x.status)).toEqual(['firing', 'resolved']);
    const store = new JsonlAuditStore(path.join(config.dataDir, 'audit'));
    await expect
      .poll(async () => (await store.read(incidentId)).some((e) => e.action === 'alert.resolved'), { timeout: 10_000 })
      .toBe(true);
    const received = (await store.read(incidentId)).find((e) => e.action === 'alert.received')!;
    expect((received.details.raw as Record<string, unknown>).details).toEqual({ attempts: 5000 });
  });

  it('opens a new incident that refers to the previous one when an alert recurs after its incident closed', async () => {
    const a = alert({ severity: 'SEV2', category: 'other', title: 'Recurring scan' });
    await post(a);
    const first = `${incidentBaseId('generic', a.id)}-1`;
    const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
    await incidents.waitFor(first, (v) => v.state.alerts.length === 1);
    await incidents.act(first, api.closeUpdate, { actor: 'bob' });
    const again = await post({ ...a, observedAt: new Date().toISOString() });
    expect(again.status).toBe(202);
    const second = `${incidentBaseId('generic', a.id)}-2`;
    expect((again.body.incidents as { incidentId: string }[])[0].incidentId).toBe(second);
    const view = await incidents.waitFor(second, (v) => v.state.alerts.length === 1);
    expect(view.state.previousIncidentId).toBe(first);
  });

  it('lets a low-severity alert only attach: with no open incident it is recorded, and nothing is started', async () => {
    const a = alert({ severity: 'SEV4', title: 'Informational' });
    const res = await post(a);
    expect(res.status).toBe(202);
    expect(res.body.incidents).toEqual([{ correlationKey: a.id, outcome: 'recorded-without-incident' }]);
    expect(await workflowsFor(a.id)).toEqual([]);
  });

  it('accepts Standard Webhooks signatures from the current and the previous secret, and refuses forged, stale and replayed ones', async () => {
    const body = JSON.stringify(alert({ severity: 'SEV4' }));
    const now = Math.floor(Date.now() / 1000);
    const signed = (secret: string, id: string, ts = now) => ({
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': signStandardWebhook(secret, id, ts, body),
    });
    expect((await post(body, signed(SECRET, 'msg_1'))).status).toBe(202);
    expect((await post(body, signed(OLD_SECRET, 'msg_2'))).status).toBe(202);
    expect((await post(body, signed(SECRET, 'msg_1'))).status).toBe(401); // replayed id
    expect((await post(body, signed(SECRET, 'msg_3', now - 301))).status).toBe(401); // outside five minutes
    const forged = signed(SECRET, 'msg_4');
    forged['webhook-signature'] = signStandardWebhook(
      `whsec_${Buffer.from('attacker').toString('base64')}`,
      'msg_4',
      now,
      body,
    );
    expect((await post(body, forged)).status).toBe(401);
    const tampered = signed(SECRET, 'msg_5');
    expect((await post(body.replace('SEV4', 'SEV1'), tampered)).status).toBe(401);
  });

  it('refuses wrong credentials, bad bodies and unknown routes with the right status, starting nothing', async () => {
    const a = alert();
    expect((await post(a, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await post(a, {})).status).toBe(401);
    const tooBig = await post({ ...a, title: 'x'.repeat(2 * 1024 * 1024) });
    expect(tooBig.status).toBe(413);
    const malformed = await post('{"id": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/not valid JSON/);
    const wrongType = await post({ ...a, severity: 7 });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.field).toBe('severity');
    expect((await post(a, { authorization: `Bearer ${TOKEN}` }, '/v1/alerts/nagios')).status).toBe(404);
    expect((await post(a, { authorization: `Bearer ${TOKEN}` }, '/v1/alerts/ocsf')).status).toBe(404); // source not enabled
    expect(await workflowsFor(a.id)).toEqual([]);
    // Nothing of a refused body reaches the logs.
    expect(JSON.stringify(logs)).not.toContain(a.title);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${ingest.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${ingest.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toMatch(/incident_ingest_alerts_received_total\{source="generic"\} \d+/);
    expect(metrics).toMatch(/incident_ingest_alerts_rejected_total\{reason="auth-invalid",source="generic"\} \d+/);
    expect(metrics).toMatch(/incident_ingest_accept_seconds_count \d+/);
  });

  it('answers 503 with Retry-After, and not ready, when Temporal is unreachable', async () => {
    const dead = parseConfig({ dataDir: config.dataDir }, {});
    dead.ingest = {
      ...dead.ingest,
      port: 0,
      sources: { generic: { bearerTokens: [TOKEN], webhookSecrets: [], openAtOrAbove: 'SEV3' } },
    };
    const deadClient = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' }) });
    const server = await startIngest(dead, deadClient, () => undefined);
    try {
      const started = Date.now();
      const res = await fetch(`${server.url}/v1/alerts/generic`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(alert()),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('10');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it('suppresses repeats of the same Falco event within the window, after the first reached Temporal', async () => {
    const event = {
      output: '12:00:00.000000000: Critical Terminal shell in container (user=root container_id=abc123 shell=bash)',
      priority: 'Critical',
      rule: `Terminal shell in container ${uniqueId('r')}`,
      time: new Date().toISOString(),
      output_fields: { 'container.id': 'abc123', 'container.name': 'web' },
      source: 'syscall',
      tags: ['shell'],
      hostname: 'web-07',
    };
    const answers = [];
    for (let i = 0; i < 20; i++)
      answers.push(await post(event, { authorization: `Bearer ${FALCO_TOKEN}` }, '/v1/alerts/falco'));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(answers.map((r) => r.body.suppressed)).toEqual([0, ...Array(19).fill(1)]);
    const incidentId = (answers[0].body.incidents as { incidentId: string }[])[0].incidentId;
    const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
    const view = await incidents.waitFor(incidentId, (v) => v.state.alerts.length > 0);
    expect(view.state.alerts).toHaveLength(1);
    expect(view.state.systems.map((s) => s.name)).toEqual(['web-07']);
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toMatch(/incident_ingest_alerts_deduplicated_total\{source="falco"\} 19/);
  });

  it('serves HTTPS with a configured certificate and refuses TLS older than 1.2', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ingest-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    expect(made.status).toBe(0);
    const tlsConfig = parseConfig({ dataDir: config.dataDir }, {});
    tlsConfig.ingest = { ...tlsConfig.ingest, port: 0, tls: { certPath: cert, keyPath: key }, sources: {} };
    const server = await startIngest(tlsConfig, new Client({ connection }), () => undefined);
    const ca = await readFile(cert);
    const get = (maxVersion: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3') =>
      new Promise<number>((resolve, reject) => {
        const req = https.get(`${server.url}/healthz`, { ca, maxVersion, minVersion: 'TLSv1' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
    try {
      expect(server.url).toMatch(/^https:\/\//);
      expect(await get('TLSv1.3')).toBe(200);
      expect(await get('TLSv1.2')).toBe(200);
      await expect(get('TLSv1.1')).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});
