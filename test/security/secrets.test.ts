import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SMTPServer } from 'smtp-server';
import { describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { dataConverterFor } from '../../platform/encryption/codec';
import { parseKeyRing } from '../../platform/encryption/key-ring';
import { freePort } from '../../platform/dev-server';
import * as api from '../../workflows/incident-api';
import { uniqueId, trailKeyFor } from '../helpers/fixtures';
import { serverDatabaseFiles } from '../helpers/server-database';

// A full run with real secrets configured: the SMTP password (used, since the relay requires it), a
// webhook token (used by the alert that opens the incident) and the payload key. None of them may appear
// in any log line of the worker process, nor in any file it stored, nor in the Temporal database.

const PROJECT_DIR = path.resolve(__dirname, '..', '..');

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

describe('secrets', () => {
  it('never appear in logs, stored files or the Temporal database of a full run', async () => {
    const smtpPassword = `smtp-${randomBytes(12).toString('hex')}`;
    const webhookToken = `hook-${randomBytes(12).toString('hex')}`;
    const keyBytes = randomBytes(32);
    const payloadKey = keyBytes.toString('base64');
    const secrets = [smtpPassword, webhookToken, payloadKey, keyBytes.toString('hex')];

    const received: string[] = [];
    const smtpPort = await freePort();
    const relay = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'ir' && auth.password === smtpPassword) return cb(null, { user: 'ir' });
        cb(new Error('Invalid username or password'));
      },
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString());
          cb();
        });
      },
    });
    await new Promise<void>((r) => relay.listen(smtpPort, '127.0.0.1', () => r()));

    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-secrets-'));
    const configFile = path.join(dataDir, 'incident.config.json');
    await writeFile(configFile, JSON.stringify({ dataDir, ingest: { port: 0 } }));
    const taskQueue = uniqueId('secrets');
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('devServerAddress'),
      INCIDENT_CONFIG: configFile,
      INCIDENT_TRAIL_KEY_FILE: trailKeyFor(dataDir),
      INCIDENT_TASK_QUEUE: taskQueue,
      INCIDENT_LOG_LEVEL: 'DEBUG',
      SMTP_URL: `smtp://ir@127.0.0.1:${smtpPort}`,
      SMTP_PASSWORD: smtpPassword,
      INCIDENT_INGEST_GENERIC_TOKENS: webhookToken,
      INCIDENT_PAYLOAD_KEYS: `k1:${payloadKey}`,
    };
    const worker = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'apps', 'start.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    worker.stdout.on('data', (c: Buffer) => (logs += c.toString()));
    worker.stderr.on('data', (c: Buffer) => (logs += c.toString()));
    const connection = await Connection.connect({ address: inject('devServerAddress') });
    try {
      const deadline = Date.now() + 60_000;
      let webhook: string | undefined;
      while (!webhook && Date.now() < deadline) {
        webhook = /Alert webhook: (http:\/\/[^\s/]+)\/v1\/alerts/.exec(logs)?.[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(webhook, logs).toBeDefined();
      const alertId = uniqueId('secret-alert');
      const opened = await fetch(`${webhook}/v1/alerts/generic`, {
        method: 'POST',
        headers: { authorization: `Bearer ${webhookToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: alertId,
          severity: 'SEV1',
          category: 'data-breach',
          title: 'Secrets run',
          observedAt: new Date().toISOString(),
        }),
      });
      expect(opened.status).toBe(202);
      const incidentId = ((await opened.json()) as { incidents: { incidentId: string }[] }).incidents[0].incidentId;
      expect(
        (
          await fetch(`${webhook}/v1/alerts/generic`, {
            method: 'POST',
            headers: { authorization: 'Bearer not-the-token-000000' },
            body: '{}',
          })
        ).status,
      ).toBe(401);

      const incidents = new IncidentClient(
        new Client({ connection, dataConverter: dataConverterFor(parseKeyRing(`k1:${payloadKey}`)) }),
        taskQueue,
      );
      await incidents.waitFor(incidentId, (v) => v.state.escalationsSent > 0);
      await incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'bob' });
      await incidents.act(incidentId, api.assessUpdate, {
        actor: 'dpo',
        dataImpact: 'personal',
        customers: [{ name: 'ACME', email: 'security@acme.example' }],
        regulatorRequired: true,
      });
      await incidents.act(incidentId, api.approveNoticeUpdate, { actor: 'dpo' });
      await incidents.act(incidentId, api.regulatorFilingUpdate, { actor: 'dpo', reference: 'CNIL-1' });
      await incidents.act(incidentId, api.closeUpdate, { actor: 'bob' });
      expect(received.length).toBeGreaterThanOrEqual(2); // the CTO alert and the customer notice went through the authenticated relay
    } finally {
      worker.kill('SIGINT');
      await new Promise((r) => worker.once('exit', r));
      await connection.close();
      await new Promise<void>((r) => relay.close(() => r()));
    }

    expect(logs.length).toBeGreaterThan(0);
    const stored = [...(await filesUnder(dataDir))];
    expect(stored.length).toBeGreaterThan(5);
    const database = await serverDatabaseFiles(inject('devServerDbFile'));
    for (const secret of secrets) {
      expect(logs.includes(secret), `a secret in the worker's logs`).toBe(false);
      for (const file of stored) {
        if ((await stat(file)).size > 512 * 1024 * 1024) continue;
        expect((await readFile(file)).toString('latin1').includes(secret), `a secret in ${file}`).toBe(false);
      }
      for (const { file, text } of database) expect(text.includes(secret), `a secret in ${file}`).toBe(false);
    }
  });
});
