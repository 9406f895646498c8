import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SMTPServer } from 'smtp-server';
import { describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { messageIdFor } from '../../activities/mailer';
import { IncidentClient } from '../../client/incident-client';
import { freePort } from '../../platform/dev-server';
import { uniqueId } from '../helpers/fixtures';
import { workerSetup } from '../helpers/worker-process';

// The worker is SIGKILLed while the mail relay holds its answer to the CTO alert, so the message was
// never accepted. A new worker process delivers it: the CTO receives it exactly once, with the Message-ID
// derived from its key, and the audit trail records one delivery.

const PROJECT_DIR = path.resolve(__dirname, '..', '..');

describe('worker killed mid-send', () => {
  it('delivers a mail interrupted before the relay accepted it exactly once, after a new worker takes over', async () => {
    const accepted: { to: string[]; messageId: string }[] = [];
    let holdNext = true;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (holdNext) {
            // Received, but never answered: as with a crash before "250 OK", the relay does not accept it.
            holdNext = false;
            holding();
            return;
          }
          const raw = Buffer.concat(chunks).toString();
          accepted.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: /^Message-ID:\s*(\S+)/im.exec(raw.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? '',
          });
          cb();
        });
      },
    });
    const smtpPort = await freePort();
    await new Promise<void>((r) => relay.listen(smtpPort, '127.0.0.1', () => r()));

    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-kill-mail-'));
    const { env, taskQueue } = await workerSetup(dataDir, 'kill-mail', {
      env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` },
    });
    const workers: ChildProcess[] = [];
    const startWorker = () => {
      const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'apps', 'start.js')], {
        env,
        stdio: 'ignore',
      });
      workers.push(child);
      return child;
    };
    const connection = await Connection.connect({ address: inject('devServerAddress') });
    const incidents = new IncidentClient(new Client({ connection }), taskQueue);
    const incidentId = uniqueId('KMAIL');
    try {
      const first = startWorker();
      await incidents.open({
        incidentId,
        title: 'Mail interrupted',
        severity: 'SEV1',
        category: 'other',
        systems: [],
        detection: 'test',
        awareAt: new Date().toISOString(),
        openedBy: 'alice',
      });
      await held;
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(accepted).toHaveLength(0);

      startWorker();
      // The killed attempt times out (start-to-close 1 min), then the new worker retries it.
      const deadline = Date.now() + 150_000;
      while (accepted.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      await new Promise((r) => setTimeout(r, 2_000));
      expect(accepted).toEqual([
        { to: ['cto@example.com', 'ciso@example.com'], messageId: messageIdFor(`${incidentId}/escalation-0`) },
      ]);
      const audit = new JsonlAuditStore(path.join(dataDir, 'audit'));
      await expect
        .poll(async () => (await audit.read(incidentId)).filter((e) => e.action === 'mail.sent').length, {
          timeout: 20_000,
        })
        .toBe(1);
      expect(await audit.verify(incidentId)).toMatchObject({ ok: true });
    } finally {
      for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
      await connection.close();
      await new Promise<void>((r) => relay.close(() => r()));
    }
  });
});
