import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { sha256OfFile } from '../../stores/evidence-hashing';
import { ActionRefused } from '../../domain/actions';
import { IncidentClient } from '../../client/incident-client';
import { createIncidentWorker } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { formatInZone } from '../../domain/time-format';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';

// What a responder sees, end to end: the dev server, the real worker and activities, a real SMTP server
// receiving the mails, a real disk image copied as evidence, reports on disk and an audit file that verifies.

let smtp: TestSmtp;
let connection: Connection;
let nativeConnection: NativeConnection;

beforeAll(async () => {
  smtp = await startTestSmtp();
  connection = await Connection.connect({ address: inject('devServerAddress') });
  nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
});

afterAll(async () => {
  await smtp?.close();
  await connection?.close();
  await nativeConnection?.close();
});

describe('incident lifecycle end to end (dev server, SMTP, files)', () => {
  it('takes a data breach from open to closed: mails received, evidence hashed, reports written, audit verified', async () => {
    const { config, images } = await labConfig({ systems: ['web-01'], imageBytes: 8 * 1024 * 1024, smtpUrl: smtp.url });
    config.temporal.taskQueue = uniqueId('e2e');
    const { worker, mailer } = await createIncidentWorker(nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
    const incidentId = uniqueId('INC');
    await worker.runUntil(async () => {
      const awareAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
      await incidents.open({
        incidentId,
        title: 'Web shell on <b>web-01</b>',
        severity: 'SEV1',
        category: 'intrusion',
        systems: ['web-01'],
        detection: 'EDR alert: suspicious process spawned by php-fpm',
        awareAt,
        openedBy: 'alice',
      });
      // The CTO is told at once, by a real mail (the intrusion's law-enforcement deadline also reaches their calendar).
      const isAlert = (m: { subject: string; to: string[] }) =>
        m.subject.includes(`Security incident ${incidentId}:`) && m.to.includes('cto@example.com');
      await expect.poll(() => smtp.messages.filter(isAlert).length, { timeout: 30_000 }).toBe(1);
      const alert = smtp.messages.find(isAlert)!;
      expect(alert.to.sort()).toEqual(['ciso@example.com', 'cto@example.com']);
      expect(alert.subject).toContain(`[SEV1] Security incident ${incidentId}`);
      expect(alert.raw).toContain('&lt;b&gt;web-01&lt;/b&gt;');
      // Before any assessment, leadership already reads the GDPR clock it would open: 72 h from awareness.
      const cnilDue = new Date(Date.parse(awareAt) + 72 * 3_600_000).toISOString();
      expect(String((await simpleParser(alert.raw)).text).split('\n')).toContain(
        `If personal data is involved: CNIL by ${formatInZone(cnilDue, 'Europe/Paris')} = ${cnilDue.replace(/\.\d{3}Z$/, 'Z')} UTC (GDPR (EU) 2016/679 Art. 33(1))`,
      );

      await incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'bob' });
      const contained = await incidents.waitFor(incidentId, (v) => v.phase === 'assessment');
      const evidence = contained.state.systems[0].evidenceRecords[0];
      expect(evidence.sha256).toBe(await sha256OfFile(images['web-01']));
      expect(await sha256OfFile(evidence.location)).toBe(evidence.sha256);
      expect((await stat(evidence.location)).mode & 0o222).toBe(0);

      await incidents.act(incidentId, api.assessUpdate, {
        actor: 'dpo',
        dataImpact: 'both',
        customers: [
          { name: 'ACME SAS', email: 'security@acme.example' },
          { name: 'Globex', email: 'dpo@globex.example' },
        ],
        dataCategories: ['names', 'email addresses'],
        approxPeople: 3200,
        approxRecords: 15000,
        likelyConsequences: 'phishing attempts',
        measures: 'credentials rotated',
      });
      const assessed = await incidents.view(incidentId);
      const due = (kind: string) =>
        new Date(assessed.state.obligations.find((o) => o.kind === kind)!.dueAt).getTime() -
        new Date(awareAt).getTime();
      expect(due('notify-customers')).toBe(24 * 3_600_000);
      expect(due('notify-regulator')).toBe(72 * 3_600_000);
      expect(due('inform-law-enforcement')).toBe(72 * 3_600_000);

      const sent = await incidents.act(incidentId, api.approveNoticeUpdate, { actor: 'dpo' });
      expect(sent.message).toBe('Notice approved and sent to 2 contact(s).');
      const customerMails = smtp.messages.filter(
        (m) => m.to.includes('security@acme.example') || m.to.includes('dpo@globex.example'),
      );
      expect(customerMails).toHaveLength(2);
      expect(customerMails.find((m) => m.to.includes('security@acme.example'))!.raw).toContain('Dear ACME SAS,');

      await expect(incidents.act(incidentId, api.closeUpdate, { actor: 'bob' })).rejects.toThrow(ActionRefused);
      await incidents.act(incidentId, api.regulatorFilingUpdate, { actor: 'dpo', reference: 'CNIL-NOTIF-123' });
      await incidents.act(incidentId, api.contactUpdate, {
        actor: 'bob',
        kind: 'law-enforcement',
        organisation: 'Gendarmerie C3N',
        shared: 'indicators of compromise',
      });
      await incidents.act(incidentId, api.conclusionsUpdate, {
        actor: 'bob',
        rootCause: 'Unpatched CMS plugin allowed file upload',
        contributingFactors: ['No WAF rule for uploads'],
        actions: [{ action: 'Patch plugin and add WAF rule', owner: 'web team' }],
      });
      const restored = await incidents.act(incidentId, api.restoreUpdate, { actor: 'bob' });
      expect(restored.message).toMatch(/normal operations restored/);
      const { details } = await incidents.act(incidentId, api.requestRfoUpdate, {
        actor: 'bob',
        customer: 'ACME SAS',
        email: 'security@acme.example',
      });
      await incidents.act(incidentId, api.sendRfoUpdate, { actor: 'bob', requestId: details!.requestId as string });
      const rfoMail = smtp.messages.find((m) => m.subject.startsWith('Reason for Outage'))!;
      expect(rfoMail.raw).toContain('Unpatched CMS plugin');
      const closed = await incidents.act(incidentId, api.closeUpdate, {
        actor: 'bob',
        summary: 'Web shell removed; customers and CNIL notified',
      });
      expect(closed.message).toContain('closed');
      await expect(incidents.act(incidentId, api.noteUpdate, { actor: 'bob', text: 'late note' })).rejects.toThrow(
        /closed/,
      );
    });
    mailer.close();

    for (const file of ['rca.md', 'rca.html', 'rfo.md', 'rfo.html', 'regulator.md', 'regulator.html']) {
      await access(path.join(config.dataDir, 'reports', incidentId, file));
    }
    const rca = await readFile(path.join(config.dataDir, 'reports', incidentId, 'rca.html'), 'utf8');
    expect(rca).toContain('Unpatched CMS plugin allowed file upload');
    expect(rca).not.toContain('<b>web-01</b>');
    const audit = new JsonlAuditStore(path.join(config.dataDir, 'audit'));
    const verdict = await audit.verify(incidentId);
    expect(verdict).toMatchObject({ ok: true, closed: true });
    const entries = await audit.read(incidentId);
    const actions = entries.map((e) => e.action);
    for (const expected of [
      'incident.opened',
      'notify.senior-alerted',
      'containment.isolated',
      'evidence.collected',
      'assessment.recorded',
      'customer-notice.sent',
      'regulator.filed',
      'contact.recorded',
      'rca.concluded',
      'recovery.restored',
      'rfo.sent',
      'incident.closed',
    ]) {
      expect(actions).toContain(expected);
    }
    // No mail went out twice: every Message-ID the relay saw is distinct.
    const ids = smtp.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
