import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { messageIdFor } from '../../activities/mailer';
import { IncidentClient } from '../../client/incident-client';
import { uniqueId } from '../helpers/fixtures';
import { workerSetup } from '../helpers/worker-process';
import { startTestSmtp } from '../helpers/smtp';

// The worker process SIGKILLs itself (INCIDENT_FAULT_CRASH_AT=mail-after-accept) after the relay has
// accepted the CTO alert and before the mailer records the delivery. SMTP offers no way to ask a relay
// whether it already has a message, so the new worker, finding the sending intent without a delivery,
// sends it again with the same Message-ID: the relay holds two copies of one message, and the audit trail
// has one `mail.sent` entry that says the delivery may be a duplicate.

const PROJECT_DIR = path.resolve(__dirname, '..', '..');

describe('worker killed after the relay accepted a mail', () => {
  it('sends it again with the same Message-ID, records one delivery marked as a possible duplicate, and the chain verifies', async () => {
    const relay = await startTestSmtp();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-kill-accepted-'));
    const { env, taskQueue } = await workerSetup(dataDir, 'kill-accepted', { env: { SMTP_URL: relay.url } });
    const workers: ChildProcess[] = [];
    const startWorker = (extra: NodeJS.ProcessEnv = {}) => {
      const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'dist', 'apps', 'start.js')], {
        env: { ...env, ...extra },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      workers.push(child);
      return {
        child,
        stderr: () => stderr,
        exited: new Promise<NodeJS.Signals | number | null>((resolve) =>
          child.once('exit', (code, signal) => resolve(signal ?? code)),
        ),
      };
    };
    const connection = await Connection.connect({ address: inject('devServerAddress') });
    const incidents = new IncidentClient(new Client({ connection }), taskQueue);
    const incidentId = uniqueId('KACC');
    const messageId = messageIdFor(`${incidentId}/escalation-0`);
    const ledgerDir = path.join(dataDir, 'mail-ledger');
    try {
      const first = startWorker({ INCIDENT_FAULT_CRASH_AT: 'mail-after-accept' });
      await incidents.open({
        incidentId,
        title: 'Mail accepted, then the worker died',
        severity: 'SEV1',
        category: 'other',
        systems: [],
        detection: 'test',
        awareAt: new Date().toISOString(),
        openedBy: 'alice',
      });
      expect(await Promise.race([first.exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))])).toBe(
        'SIGKILL',
      );
      expect(first.stderr()).toContain('WARNING: FAULT INJECTION: INCIDENT_FAULT_CRASH_AT=mail-after-accept is set');
      // The relay has it; the worker died before recording it, leaving only its sending intent.
      expect(relay.messages.map((m) => m.messageId)).toEqual([messageId]);
      const ledgerFiles = await readdir(ledgerDir);
      expect(ledgerFiles).toHaveLength(1);
      expect(ledgerFiles[0]).toMatch(/\.sending\.json$/);
      expect(JSON.parse(await readFile(path.join(ledgerDir, ledgerFiles[0]), 'utf8'))).toMatchObject({
        messageId,
        state: 'in-flight',
        attempts: 1,
      });

      const started = Date.now();
      startWorker();
      // The killed attempt times out (start-to-close 1 min), then the new worker retries it.
      const audit = new JsonlAuditStore(path.join(dataDir, 'audit'));
      await expect
        .poll(async () => (await audit.read(incidentId)).filter((e) => e.action === 'mail.sent').length, {
          timeout: 150_000,
          interval: 500,
        })
        .toBe(1);
      const tookMs = Date.now() - started;
      await new Promise((r) => setTimeout(r, 2_000));

      // At the relay: the same message twice, with one Message-ID; nothing else.
      expect(relay.messages.map((m) => ({ messageId: m.messageId, to: m.to, subject: m.subject }))).toEqual([
        { messageId, to: ['cto@example.com', 'ciso@example.com'], subject: relay.messages[0].subject },
        { messageId, to: ['cto@example.com', 'ciso@example.com'], subject: relay.messages[0].subject },
      ]);
      // In the audit trail: one delivery, which says it may be a duplicate.
      const entries = await audit.read(incidentId);
      const sent = entries.filter((e) => e.action === 'mail.sent');
      expect(sent).toHaveLength(1);
      expect(sent[0].details).toMatchObject({ key: `${incidentId}/escalation-0`, messageId });
      expect(String(sent[0].details.via)).toMatch(
        new RegExp(
          `^${relay.url} \\(possible duplicate: an earlier attempt since \\S+ was interrupted after the message may have reached the relay; every copy carries Message-ID `,
        ),
      );
      expect(sent[0].details.possibleDuplicate).toBe(true);
      expect(entries.filter((e) => e.action === 'notify.senior-alerted')).toHaveLength(1);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
      // In the ledger: the delivery, marked too; the intent is gone.
      const ledger = await readdir(ledgerDir);
      expect(ledger).toHaveLength(1);
      expect(JSON.parse(await readFile(path.join(ledgerDir, ledger[0]), 'utf8'))).toMatchObject({
        messageId,
        possibleDuplicate: true,
        attempts: 2,
      });

      const cli = spawnSync(
        process.execPath,
        [path.join(PROJECT_DIR, 'bin', 'incident.js'), 'audit', incidentId, '--verify', '--json'],
        { env, encoding: 'utf8', timeout: 30_000 },
      );
      expect(cli.status).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, entries: entries.length });
      console.log(
        `[mail-after-accept] relay received ${relay.messages.length} messages, ${relay.messages.filter((m) => m.messageId === messageId).length} with Message-ID ${messageId}; ` +
          `${sent.length} mail.sent entry (possible duplicate noted); ${entries.length} audit entries verify; redelivered ${(tookMs / 1000).toFixed(1)} s after the new worker started`,
      );
    } finally {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
      await connection.close();
      await relay.close();
    }
  });
});
