import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256OfFile } from '../../stores/evidence-hashing';
import type { Policy } from '../../domain/policy';
import * as api from '../../workflows/incident-api';
import type { incidentWorkflow } from '../../workflows/incident';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { actions, auditOf, HOUR, MINUTE, offsetHours, timeSkippingHarness } from '../helpers/time-skipping';

import { recordHistory } from '../helpers/histories';
import { rejection } from '../helpers/refusal';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { freePort } from '../../platform/dev-server';

// The whole lifecycle on the time-skipping test server, with the policy's real durations: a day of
// simulated time passes in seconds, and every notice is checked at the simulated minute it was due.

type Harness = Awaited<ReturnType<typeof timeSkippingHarness>>;

let env: TestWorkflowEnvironment;
let withWorker: Harness['withWorker'];
let start: Harness['start'];
/** Workflows a test started itself (not through start()), terminated when it ends like the others. */
let started: Harness['started'];
let teardown: Harness['teardown'] | undefined;

let harness: Harness;

beforeAll(async () => {
  harness = await timeSkippingHarness();
  ({ env, withWorker, start, started, teardown } = harness);
});

afterAll(async () => {
  await teardown?.();
});

describe('incident lifecycle (time-skipping)', () => {
  it('tells the CTO at once, escalates every 15 minutes until acknowledged, then stops', async () => {
    const { config } = await labConfig();
    await withWorker(config, async () => {
      const { handle, incidentId, startMs } = await start(config);
      await env.sleep(40 * MINUTE);
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      await env.sleep(2 * HOUR);
      const audit = await auditOf(config, incidentId);
      const alerted = actions(audit, 'notify.senior-alerted');
      expect(alerted).toHaveLength(1);
      expect(offsetHours(alerted[0], startMs)).toBeCloseTo(0, 2);
      expect(alerted[0].details.to).toEqual(['cto@example.com', 'ciso@example.com']);
      const escalations = actions(audit, 'notify.escalated');
      expect(escalations.map((e) => Math.round((new Date(e.at).getTime() - startMs) / MINUTE))).toEqual([15, 30]);
      expect(escalations.map((e) => e.details.to)).toEqual([
        ['ceo@example.com'],
        ['ceo@example.com', 'legal@example.com'],
      ]);
      expect(actions(audit, 'incident.acknowledged')[0].actor).toBe('bob');
      const outbox = await readdir(path.join(config.dataDir, 'outbox'));
      expect(outbox.filter((f) => f.includes('escalation-0'))).toHaveLength(1);
      expect(outbox.filter((f) => f.includes('escalation'))).toHaveLength(3);
      const refused = (
        await rejection(
          WorkflowUpdateFailedError,
          handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'carol' }] }),
        )
      ).cause?.message;
      expect(refused).toMatch(/already acknowledged by bob/);
      await recordHistory('escalation-then-ack', handle);
    });
  });

  it('isolates each system and takes a verified byte-for-byte copy', async () => {
    const { config, images } = await labConfig({ systems: ['web-01', 'db-01'], imageBytes: 3 * 1024 * 1024 });
    await withWorker(config, async () => {
      const { handle, incidentId } = await start(config, { systems: ['web-01'] });
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      await handle.executeUpdate(api.addSystemUpdate, { args: [{ actor: 'bob', system: 'db-01' }] });
      const refused = (
        await rejection(
          WorkflowUpdateFailedError,
          handle.executeUpdate(api.addSystemUpdate, { args: [{ actor: 'bob', system: 'db-01' }] }),
        )
      ).cause?.message;
      expect(refused).toMatch(/already part of incident/);
      let view = await handle.query(api.stateQuery);
      for (let i = 0; i < 100 && view.phase === 'containment'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        view = await handle.query(api.stateQuery);
      }
      expect(view.phase).toBe('assessment');
      for (const name of ['web-01', 'db-01']) {
        const sys = view.state.systems.find((x) => x.name === name)!;
        expect(sys.isolation.state).toBe('done');
        expect(sys.evidence.state).toBe('done');
        const record = sys.evidenceRecords[0];
        expect(record.sha256).toBe(await sha256OfFile(images[name]));
        expect(await sha256OfFile(record.location)).toBe(record.sha256);
        expect(record.sizeBytes).toBe(3 * 1024 * 1024);
        expect(record.custody.length).toBeGreaterThanOrEqual(3);
      }
      const audit = await auditOf(config, incidentId);
      expect(
        actions(audit, 'containment.isolated')
          .map((e) => e.details.system)
          .sort(),
      ).toEqual(['db-01', 'web-01']);
      expect(actions(audit, 'evidence.collected')).toHaveLength(2);
      await recordHistory('containment-and-evidence', handle);
    });
  });

  it('hands a system outside the inventory to a person, saying why and how to record it, and accepts the manual steps', async () => {
    const { config } = await labConfig();
    await withWorker(config, async () => {
      const { handle, incidentId } = await start(config, { systems: ['mystery-box'] });
      let view = await handle.query(api.stateQuery);
      const settled = () =>
        view.state.systems[0].isolation.state === 'awaiting-manual' &&
        view.state.systems[0].evidence.state === 'awaiting-manual';
      for (let i = 0; i < 100 && !settled(); i++) {
        await new Promise((r) => setTimeout(r, 100));
        view = await handle.query(api.stateQuery);
      }
      const sys = view.state.systems[0];
      expect(sys.isolation.state).toBe('awaiting-manual');
      expect(sys.evidence.state).toBe('awaiting-manual');
      expect(sys.isolation.detail).toBe(
        `mystery-box is not in this worker's systems inventory (configuration "systems"), so no driver acts on it. Isolate mystery-box by hand, then record it: incident manual-step ${incidentId} mystery-box --step isolation --detail "…"`,
      );
      expect(sys.evidence.detail).toMatch(
        /^mystery-box is not in this worker's systems inventory .* Take a byte-for-byte copy of mystery-box by hand/,
      );
      expect(view.state.problems.map((p) => p.key).sort()).toEqual(['evidence:mystery-box', 'isolation:mystery-box']);
      await handle.executeUpdate(api.manualStepUpdate, {
        args: [{ actor: 'bob', system: 'mystery-box', step: 'isolation', detail: 'unplugged the network cable' }],
      });
      view = await handle.query(api.stateQuery);
      expect(view.state.systems[0].isolation.state).toBe('manual');
      expect(view.state.problems.map((p) => p.key)).toEqual(['evidence:mystery-box']);
      const audit = await auditOf(config, incidentId);
      expect(actions(audit, 'containment.isolation-failed')).toHaveLength(0);
      expect(actions(audit, 'containment.isolation-awaiting-manual')).toHaveLength(1);
      expect(actions(audit, 'step.recorded-manually')[0].details.detail).toBe('unplugged the network cable');
    });
  });

  it('reminds leadership 12 h, 4 h and 1 h before the 24 h customer deadline, escalates when it passes, and stops once met', async () => {
    const { config } = await labConfig();
    await withWorker(config, async () => {
      // Aware 2 h before the incident was opened: every clock runs from awareness.
      const { handle, incidentId, awareMs } = await start(config, { awareAgoMs: 2 * HOUR });
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      const result = await handle.executeUpdate(api.assessUpdate, {
        args: [
          {
            actor: 'dpo',
            dataImpact: 'personal',
            customers: [{ name: 'ACME', email: 'security@acme.example' }],
            dataCategories: ['email addresses'],
            approxPeople: 1200,
          },
        ],
      });
      expect(result.message).toMatch(/contract:policy/);
      let view = await handle.query(api.stateQuery);
      const customers = view.state.obligations.find((o) => o.kind === 'notify-customers')!;
      const regulator = view.state.obligations.find((o) => o.kind === 'notify-regulator')!;
      expect(new Date(customers.dueAt).getTime() - awareMs).toBe(24 * HOUR);
      expect(new Date(regulator.dueAt).getTime() - awareMs).toBe(72 * HOUR);

      await env.sleep(31 * HOUR); // now aware + 33 h: 9 h past the customer deadline
      let audit = await auditOf(config, incidentId);
      const customerNotices = audit.filter(
        (e) => e.details.obligation === 'contract:policy' && e.action.startsWith('deadline.'),
      );
      expect(customerNotices.map((e) => [e.action, e.details.notice, offsetHours(e, awareMs)])).toEqual([
        ['deadline.reminder', 'reminder-12h', 12],
        ['deadline.reminder', 'reminder-4h', 20],
        ['deadline.reminder', 'reminder-1h', 23],
        ['deadline.overdue', 'overdue-0', 24],
        ['deadline.overdue', 'overdue-1', 28],
        ['deadline.overdue', 'overdue-2', 32],
      ]);
      expect(customerNotices[0].details.to).toEqual(['cto@example.com', 'dpo@example.com', 'legal@example.com']);

      await handle.executeUpdate(api.approveNoticeUpdate, { args: [{ actor: 'dpo' }] });
      view = await handle.query(api.stateQuery);
      const met = view.state.obligations.find((o) => o.kind === 'notify-customers')!;
      expect(met.status).toBe('met');
      expect(met.proof[0]).toMatch(/^security@acme\.example <[0-9a-f]{40}@/);
      const countBefore = (await auditOf(config, incidentId)).filter(
        (e) => e.details.obligation === 'contract:policy' && e.action.startsWith('deadline.'),
      ).length;
      await env.sleep(30 * HOUR); // aware + 63 h: seven more overdue notices would have fallen due
      audit = await auditOf(config, incidentId);
      expect(
        audit.filter((e) => e.details.obligation === 'contract:policy' && e.action.startsWith('deadline.')),
      ).toHaveLength(countBefore);
      // The regulator clock kept running: its 12 h reminder fell at aware + 60 h.
      const regulatorReminder = audit.find(
        (e) => e.details.obligation === 'gdpr-art33-notification' && e.details.notice === 'reminder-12h',
      )!;
      expect(offsetHours(regulatorReminder, awareMs)).toBe(60);
      await recordHistory('customer-deadline-reminders', handle);
    });
  });

  it('refuses a late regulator filing without a reason, accepts it with one, and only closes when every obligation is met or waived', async () => {
    const { config } = await labConfig();
    await withWorker(config, async () => {
      const { handle, incidentId } = await start(config, { category: 'intrusion' });
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      await handle.executeUpdate(api.assessUpdate, {
        args: [{ actor: 'dpo', dataImpact: 'personal', customers: [{ name: 'ACME', email: 'security@acme.example' }] }],
      });
      await handle.executeUpdate(api.approveNoticeUpdate, { args: [{ actor: 'dpo' }] });
      await env.sleep(73 * HOUR);
      const late = (
        await rejection(
          WorkflowUpdateFailedError,
          handle.executeUpdate(api.regulatorFilingUpdate, { args: [{ actor: 'dpo', reference: 'CNIL-2026-0042' }] }),
        )
      ).cause?.message;
      expect(late).toMatch(/late .*Art\. 33\(1\) requires the reasons for the delay/);
      let closing = (
        await rejection(WorkflowUpdateFailedError, handle.executeUpdate(api.closeUpdate, { args: [{ actor: 'bob' }] }))
      ).cause?.message;
      expect(closing).toMatch(/still has open obligations: .*gdpr-art33-notification/);
      expect(closing).toMatch(/still has open obligations: .*inform-law-enforcement/);
      await handle.executeUpdate(api.regulatorFilingUpdate, {
        args: [
          {
            actor: 'dpo',
            reference: 'CNIL-2026-0042',
            lateReason: 'Scope was unknown until forensic analysis finished',
          },
        ],
      });
      await handle.executeUpdate(api.regulatorFilingUpdate, {
        args: [{ actor: 'dpo', reference: 'CNIL-2026-0042-b', phase: 'follow-up', notes: 'final numbers' }],
      });
      closing = (
        await rejection(WorkflowUpdateFailedError, handle.executeUpdate(api.closeUpdate, { args: [{ actor: 'bob' }] }))
      ).cause?.message;
      expect(closing).toMatch(/inform-law-enforcement/);
      expect(closing).not.toMatch(/gdpr-art33-notification/);
      await handle.executeUpdate(api.contactUpdate, {
        args: [
          {
            actor: 'bob',
            kind: 'law-enforcement',
            organisation: 'Police nationale (OFAC)',
            shared: 'IOCs and timeline',
            reference: 'PV-77',
          },
        ],
      });
      await handle.executeUpdate(api.conclusionsUpdate, {
        args: [
          {
            actor: 'bob',
            rootCause: 'Stolen VPN credentials',
            actions: [{ action: 'Enforce MFA on VPN', owner: 'IT' }],
          },
        ],
      });
      await handle.executeUpdate(api.restoreUpdate, { args: [{ actor: 'bob' }] });
      const closed = await handle.executeUpdate(api.closeUpdate, {
        args: [{ actor: 'bob', summary: 'Contained and reported' }],
      });
      expect(closed.message).toMatch(/closed/);
      expect(await handle.result()).toMatchObject({ incidentId, closedAt: expect.any(String) });
      const view = await handle.query(api.stateQuery);
      const regulator = view.state.obligations.find((o) => o.kind === 'notify-regulator')!;
      expect(regulator.status).toBe('met');
      expect(regulator.lateReason).toMatch(/forensic analysis/);
      expect(view.state.regulatorFilings.map((f) => f.phase)).toEqual(['initial', 'follow-up']);
      const audit = await auditOf(config, incidentId);
      expect(audit[audit.length - 1].action).toBe('incident.closed');
      expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
      // The closing entry names the head before it, and the close answers with the head after it.
      const [beforeClosing, closingEntry] = audit.slice(-2);
      expect(closingEntry.details.trailHeadBefore).toEqual({ seq: beforeClosing.seq, hash: beforeClosing.hash });
      expect(closed.details?.finalHead).toEqual({ seq: closingEntry.seq, hash: closingEntry.hash });
      const rca = await readFile(path.join(config.dataDir, 'reports', incidentId, 'rca.md'), 'utf8');
      expect(rca).toContain('Stolen VPN credentials');
      expect(rca).toContain('Police nationale (OFAC)');
      await recordHistory('late-filing-and-close', handle);
    });
  });

  it('continues as new before the history grows too long, keeping state, obligations, deadlines and one unbroken audit chain', async () => {
    const { config } = await labConfig();
    await withWorker(config, async () => {
      const { handle, incidentId, awareMs } = await start(config, { maxHistoryEvents: 150 });
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      await handle.executeUpdate(api.assessUpdate, {
        args: [{ actor: 'dpo', dataImpact: 'personal', customers: [{ name: 'ACME', email: 'security@acme.example' }] }],
      });
      const firstRun = (await handle.describe()).runId;
      for (let i = 1; i <= 60; i++)
        await handle.executeUpdate(api.noteUpdate, { args: [{ actor: 'bob', text: `observation ${i}` }] });
      await expect.poll(async () => (await handle.describe()).runId, { timeout: 30_000 }).not.toBe(firstRun);
      const view = await handle.query(api.stateQuery);
      expect(view.state.acknowledgement?.by).toBe('bob');
      expect(view.state.obligations.map((o) => [o.id, o.status])).toEqual([
        ['contract:policy', 'pending'],
        ['gdpr-art33-notification', 'pending'],
      ]);
      // The new run's clock still fires the carried deadlines: the 12 h customer reminder at aware + 12 h.
      await env.sleep(13 * HOUR);
      const audit = await auditOf(config, incidentId);
      expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
      expect(audit.filter((e) => e.action === 'note.added')).toHaveLength(60);
      expect(actions(audit, 'workflow.continued').length).toBeGreaterThanOrEqual(1);
      const reminder = audit.find(
        (e) => e.details.obligation === 'contract:policy' && e.details.notice === 'reminder-12h',
      )!;
      expect(offsetHours(reminder, awareMs)).toBe(12);
      expect(
        audit.filter((e) => e.details.notice === 'reminder-12h' && e.details.obligation === 'contract:policy'),
      ).toHaveLength(1);
      await recordHistory('continue-as-new', handle);
    });
  });

  it('tells the CTO and writes the opening first even when an acknowledgement arrives with the start', async () => {
    const { config } = await labConfig();
    await withWorker(config, async () => {
      const incidentId = uniqueId('INC');
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof incidentWorkflow>(api.WORKFLOW_TYPE, {
        workflowId: incidentId,
        taskQueue: config.temporal.taskQueue,
        workflowIdConflictPolicy: 'FAIL',
        args: [
          {
            request: {
              incidentId,
              title: 'Ack races the start',
              severity: 'SEV2',
              category: 'other',
              systems: [],
              detection: 'phone call',
              awareAt: new Date(await env.currentTimeMs()).toISOString(),
              openedBy: 'alice',
            },
            policy: config.policy,
          },
        ],
      });
      await env.client.workflow.executeUpdateWithStart(api.acknowledgeUpdate, {
        args: [{ actor: 'bob' }],
        startWorkflowOperation,
      });
      const handle = await startWorkflowOperation.workflowHandle();
      started.push(handle);
      await env.sleep(2 * HOUR);
      const audit = await auditOf(config, incidentId);
      expect(audit[0].action).toBe('incident.opened');
      expect(actions(audit, 'incident.acknowledged')).toHaveLength(1);
      expect(actions(audit, 'notify.senior-alerted')).toHaveLength(1);
      expect(actions(audit, 'notify.escalated')).toHaveLength(0);
      await recordHistory('ack-with-start', handle);
    });
  });

  it('keeps retrying mail while SMTP is down, tells leadership through the trail and the incident view, then delivers each message once', async () => {
    const port = await freePort();
    const { config } = await labConfig({ smtpUrl: `smtp://127.0.0.1:${port}` });
    let smtp: TestSmtp | undefined;
    try {
      await withWorker(config, async () => {
        const { handle, incidentId } = await start(config);
        let view = await handle.query(api.stateQuery);
        for (let i = 0; i < 100 && !view.state.problems.some((p) => p.key.startsWith('mail:')); i++) {
          await new Promise((r) => setTimeout(r, 100));
          view = await handle.query(api.stateQuery);
        }
        expect(view.state.problems.find((p) => p.key === `mail:${incidentId}/escalation-0`)?.message).toMatch(
          /^Mail to cto@example\.com, ciso@example\.com is failing and being retried: /,
        );
        // The view changes in the workflow task; the trail gets the entry by the append activity that follows it.
        await expect
          .poll(
            async () => actions(await auditOf(config, incidentId), 'mail.delivery-failing').map((e) => e.details.key),
            { timeout: 20_000 },
          )
          .toEqual([`${incidentId}/escalation-0`]);

        smtp = await startTestSmtp(port);
        smtp.rejectRecipients = /security@gone\.example/;
        await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
        await env.sleep(10 * MINUTE); // the workflow's backoff timer fires in simulated time
        await expect
          .poll(() => smtp!.messages.filter((m) => m.subject.includes(incidentId)).length, { timeout: 20_000 })
          .toBe(1);
        view = await handle.query(api.stateQuery);
        expect(view.state.problems.filter((p) => p.key.startsWith('mail:'))).toEqual([]);

        // A permanent refusal is not retried for ever: it becomes a failed delivery on the obligation.
        await handle.executeUpdate(api.assessUpdate, {
          args: [
            { actor: 'dpo', dataImpact: 'project', customers: [{ name: 'Gone Ltd', email: 'security@gone.example' }] },
          ],
        });
        const sent = await handle.executeUpdate(api.approveNoticeUpdate, { args: [{ actor: 'dpo' }] });
        expect(sent.message).toMatch(/NOT delivered to security@gone\.example/);
        view = await handle.query(api.stateQuery);
        const customers = view.state.obligations.find((o) => o.kind === 'notify-customers')!;
        expect(customers.status).toBe('pending');
        expect(customers.deliveryFailures).toEqual(['security@gone.example: not delivered']);
        expect(view.state.problems.find((p) => p.key.includes('customer-notice'))?.message).toMatch(
          /was refused: .*550/,
        );
        await env.sleep(2 * HOUR);
        const audit = await auditOf(config, incidentId);
        expect(actions(audit, 'mail.rejected')).toHaveLength(1);
        // The senior alert and the customer deadline's calendar invite, each once; the refused notice is not retried.
        expect(
          smtp!.messages.filter((m) => m.subject.includes(incidentId)).map((m) => m.subject.replace(/:.*/, '')),
        ).toEqual([`[SEV1] Security incident ${incidentId}`, '[SEV1] Calendar']);
        await recordHistory('smtp-down-and-refusal', handle);
      });
    } finally {
      await smtp?.close();
    }
  });

  it("takes its deadlines and recipients from the worker's policy, never from the opener's, and records which policy it took", async () => {
    const { config } = await labConfig({
      policy: {
        version: '2026-12',
        recipients: {
          cto: ['cto@hosting.example'],
          ciso: ['ciso@hosting.example'],
          ceo: ['ceo@hosting.example'],
          dpo: ['dpo@hosting.example'],
          legal: ['legal@hosting.example'],
        },
      },
      policyProfiles: { 'short-contract': { customerPersonalDataHours: 12 } },
    });
    // An opener that bypasses the CLI and puts its own policy in the workflow input.
    const doctored: Policy = {
      ...config.policy,
      regulatorHours: 10_000,
      customerPersonalDataHours: 10_000,
      recipients: { ...config.policy.recipients, cto: ['mallory@attacker.example'] },
    };
    await withWorker(config, async () => {
      const { handle, incidentId, awareMs } = await start(config, { policy: doctored });
      await env.sleep(MINUTE);
      const assessed = await handle.executeUpdate(api.assessUpdate, {
        args: [{ actor: 'bob', dataImpact: 'personal', customers: [{ name: 'ACME', email: 'security@acme.example' }] }],
      });
      expect(assessed.ok).toBe(true);
      const view = await handle.query(api.stateQuery);
      const dueHours = (kind: string) =>
        (new Date(view.state.obligations.find((o) => o.kind === kind)!.dueAt).getTime() - awareMs) / HOUR;
      expect(dueHours('notify-customers')).toBe(24);
      expect(dueHours('notify-regulator')).toBe(72);
      expect(view.policy?.regulatorHours).toBe(72);
      expect(view.policyVersion).toEqual({
        profile: 'default',
        version: '2026-12',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const audit = await auditOf(config, incidentId);
      expect(actions(audit, 'notify.senior-alerted')[0].details.to).toEqual([
        'cto@hosting.example',
        'ciso@hosting.example',
      ]);
      const loaded = actions(audit, 'policy.loaded');
      expect(loaded).toHaveLength(1);
      expect(loaded[0].details).toMatchObject({
        profile: 'default',
        version: '2026-12',
        sha256: view.policyVersion!.sha256,
        openerPolicyIgnored: true,
      });
      expect((loaded[0].details.policy as Policy).regulatorHours).toBe(72);
      const outbox = await readdir(path.join(config.dataDir, 'outbox'));
      for (const file of outbox)
        expect(await readFile(path.join(config.dataDir, 'outbox', file), 'utf8')).not.toContain(
          'mallory@attacker.example',
        );
      await recordHistory('doctored-opener-policy', handle);

      // A profile the worker allows applies; one it does not know gets the default, and responders are told.
      const contract = await start(config, { policyProfile: 'short-contract' });
      await contract.handle.executeUpdate(api.assessUpdate, {
        args: [{ actor: 'bob', dataImpact: 'personal', customers: [{ name: 'ACME', email: 'security@acme.example' }] }],
      });
      const contractView = await contract.handle.query(api.stateQuery);
      expect(contractView.policyVersion?.profile).toBe('short-contract');
      expect(
        new Date(contractView.state.obligations.find((o) => o.kind === 'notify-customers')!.dueAt).getTime() -
          contract.awareMs,
      ).toBe(12 * HOUR);
      const unknown = await start(config, { policyProfile: 'no-such-profile' });
      await unknown.handle.executeUpdate(api.noteUpdate, {
        args: [{ actor: 'bob', text: 'policy is loaded once this returns' }],
      });
      const unknownView = await unknown.handle.query(api.stateQuery);
      expect(unknownView.policyVersion?.profile).toBe('default');
      expect(unknownView.state.problems.map((p) => p.message)).toContainEqual(
        expect.stringContaining('The policy profile "no-such-profile" is not in the worker\'s configuration'),
      );
    });
  });
});
