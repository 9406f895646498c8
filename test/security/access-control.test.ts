import { createPrivateKey } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSigningKey, signerFromKey, type ActionSigner } from '../../client/action-signer';
import { IncidentClient, type UpdateDef } from '../../client/incident-client';
import { ActionRefused } from '../../domain/actions';
import { verifyProofs } from '../../domain/access';
import { parseConfig } from '../../platform/config/schema';
import { JsonlAuditStore } from '../../stores/audit-store';
import { createIncidentWorker, dataPaths } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import type { incidentWorkflow } from '../../workflows/incident';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';

// Who may do what, on the dev server with the real worker: every protected action is refused when it is
// unsigned, signed with someone else's key, changed after signing, replayed, or taken by a role the
// policy does not name, and each refusal is in the audit trail; the rightful actor's action goes through
// and its audit entry carries a signature anyone can re-check.

const people = { alice: 'responder', carol: 'legal', ian: 'incident-commander', mallory: 'responder' } as const;
type Person = keyof typeof people;
const keys = Object.fromEntries(Object.keys(people).map((name) => [name, generateSigningKey()])) as Record<
  Person,
  ReturnType<typeof generateSigningKey>
>;
const signer = (name: Person): ActionSigner => signerFromKey(createPrivateKey(keys[name].privateKeyPem));

describe('access control with signed actions', () => {
  let connection: Connection;
  let nativeConnection: NativeConnection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('devServerAddress') });
    nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
  });
  afterAll(async () => {
    await connection?.close();
    await nativeConnection?.close();
  });

  it('refuses forged and unauthorised actions for the protected steps, records each refusal, and proves who did what', async () => {
    const { dataDir } = await labConfig();
    const roster = Object.fromEntries(
      Object.entries(people).map(([name, role]) => [
        name,
        { roles: [role], publicKey: keys[name as Person].publicKey },
      ]),
    );
    const config = parseConfig({ dataDir, access: { roster } }, {}, 'test');
    config.temporal.taskQueue = uniqueId('access');
    const incidentId = uniqueId('ACL');
    const audit = new JsonlAuditStore(dataPaths(dataDir).audit);
    const { worker, mailer } = await createIncidentWorker(nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const client = new Client({ connection });
    const incidents = new IncidentClient(client, config.temporal.taskQueue);
    const handle = client.workflow.getHandle(incidentId);

    /** Sends an update exactly as given (no signing by the client library), returning the refusal text. */
    const raw = async <I>(update: UpdateDef<I>, input: I, updateId?: string): Promise<string> => {
      try {
        await handle.executeUpdate(update, { args: [input], updateId });
        return 'accepted';
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) return (err.cause as Error).message;
        throw err;
      }
    };
    const refusals: { action: string; claimedActor: string; reason: string }[] = [];
    const expectRefused = async <I extends { actor: string }>(
      update: UpdateDef<I>,
      input: I,
      reason: string,
      message: RegExp,
      updateId?: string,
    ) => {
      expect(await raw(update, input, updateId)).toMatch(message);
      refusals.push({ action: update.name, claimedActor: input.actor, reason });
    };
    const act = <I extends { actor: string }>(update: UpdateDef<I>, input: I) =>
      incidents.act(incidentId, update, input, signer(input.actor as Person));

    try {
      await worker.runUntil(async () => {
        await incidents.open({
          incidentId,
          title: 'Database dump offered for sale',
          severity: 'SEV1',
          category: 'data-breach',
          systems: [],
          detection: 'Threat intel',
          awareAt: new Date().toISOString(),
          openedBy: 'alice',
        });
        // Straight after the start the policy may still be loading: the check then waits in the handler.
        await expectRefused(
          api.noteUpdate,
          { actor: 'alice', text: 'unsigned, sent at once' },
          'unsigned',
          /The action is not signed/,
        );
        await act(api.acknowledgeUpdate, { actor: 'alice' });
        await act(api.assessUpdate, {
          actor: 'ian',
          dataImpact: 'personal',
          customers: [{ name: 'ACME SAS', email: 'security@acme.example' }],
        });

        // Customer notice: legal or communications only.
        await expectRefused(
          api.approveNoticeUpdate,
          { actor: 'carol' },
          'unsigned',
          /^The action is not signed\. Sign it with carol's key/,
        );
        const wrongKey = signer('mallory').sign(incidentId, api.approveNoticeUpdate.name, { actor: 'carol' });
        await expectRefused(
          api.approveNoticeUpdate,
          wrongKey.input,
          'bad-signature',
          /does not match carol's key/,
          wrongKey.updateId,
        );
        const byMallory = signer('mallory').sign(incidentId, api.approveNoticeUpdate.name, { actor: 'mallory' });
        await expectRefused(
          api.approveNoticeUpdate,
          byMallory.input,
          'role',
          /^mallory \(responder\) may not approve customer notice: it needs the role legal or communications\.$/,
          byMallory.updateId,
        );
        const carols = signer('carol').sign(incidentId, api.approveNoticeUpdate.name, {
          actor: 'carol',
          subject: 'Security incident',
        });
        await expectRefused(
          api.approveNoticeUpdate,
          { ...carols.input, subject: 'Nothing to see here' },
          'bad-signature',
          /changed after signing/,
          carols.updateId,
        );
        await expectRefused(
          api.approveNoticeUpdate,
          carols.input,
          'bad-signature',
          /belongs to another request/,
          'replayed-under-another-id',
        );
        const stale = signer('carol').sign(
          incidentId,
          api.approveNoticeUpdate.name,
          { actor: 'carol' },
          new Date(Date.now() - 10 * 60_000),
        );
        await expectRefused(
          api.approveNoticeUpdate,
          stale.input,
          'stale-signature',
          /more than 300 s from now/,
          stale.updateId,
        );
        await expectRefused(api.approveNoticeUpdate, { actor: 'eve' }, 'unknown-actor', /"eve" is not in the roster/);
        expect(await raw(api.approveNoticeUpdate, carols.input, carols.updateId)).toBe('accepted');

        // Regulator filing: legal only.
        const aliceFiles = signer('alice').sign(incidentId, api.regulatorFilingUpdate.name, {
          actor: 'alice',
          reference: 'CNIL-2026-1',
        });
        await expectRefused(
          api.regulatorFilingUpdate,
          aliceFiles.input,
          'role',
          /alice \(responder\) may not record regulator filing: it needs the role legal\./,
          aliceFiles.updateId,
        );
        await act(api.regulatorFilingUpdate, { actor: 'carol', reference: 'CNIL-2026-1' });

        // Waiver: legal only. An RFO request makes an obligation to waive.
        await act(api.requestRfoUpdate, { actor: 'ian', customer: 'ACME SAS', email: 'security@acme.example' });
        const pending = (await incidents.view(incidentId)).state.obligations.filter((o) => o.status === 'pending');
        expect(pending.length).toBeGreaterThan(0);
        const ianWaives = signer('ian').sign(incidentId, api.waiveUpdate.name, {
          actor: 'ian',
          obligationId: pending[0].id,
          reason: 'not applicable',
        });
        await expectRefused(
          api.waiveUpdate,
          ianWaives.input,
          'role',
          /ian \(incident-commander\) may not waive obligation: it needs the role legal\./,
          ianWaives.updateId,
        );
        for (const ob of pending)
          await act(api.waiveUpdate, {
            actor: 'carol',
            obligationId: ob.id,
            reason: 'Handled outside this system (test)',
          });

        // Closing: incident commander only.
        const carolCloses = signer('carol').sign(incidentId, api.closeUpdate.name, { actor: 'carol' });
        await expectRefused(
          api.closeUpdate,
          carolCloses.input,
          'role',
          /carol \(legal\) may not close: it needs the role incident-commander\./,
          carolCloses.updateId,
        );
        await expectRefused(api.closeUpdate, { actor: 'ian' }, 'unsigned', /not signed/);
        await expect(incidents.act(incidentId, api.closeUpdate, { actor: 'ian' }, signer('alice'))).rejects.toThrow(
          ActionRefused,
        );
        refusals.push({ action: 'close', claimedActor: 'ian', reason: 'bad-signature' });
        await act(api.closeUpdate, { actor: 'ian', summary: 'Closed by the incident commander' });
        await recordHistory('signed-actions-and-refusals', handle);
      });
    } finally {
      mailer.close();
    }

    const entries = await audit.read(incidentId);
    const recorded = entries
      .filter((e) => e.action === 'access.refused')
      .map((e) => ({ action: e.details.action, claimedActor: e.details.claimedActor, reason: e.details.reason }));
    // Refusals reported back through the worker may land in any order relative to each other.
    expect(recorded.sort(byKey)).toEqual([...refusals].sort(byKey));
    expect(entries.filter((e) => e.action === 'access.refused').every((e) => e.actor === 'system')).toBe(true);
    // The closing entry is last, and the chain verifies.
    expect((await audit.verify(incidentId)).ok).toBe(true);
    // Every action that went through carries its signature, and each one re-verifies from the trail alone.
    const signedActions = entries
      .filter((e) => e.details.signedRequest)
      .map((e) => `${e.actor}:${(e.details.signedRequest as { action: string }).action}`);
    expect(signedActions).toEqual(
      expect.arrayContaining([
        'alice:acknowledge',
        'ian:assess',
        'carol:approveCustomerNotice',
        'carol:recordRegulatorFiling',
        'carol:waiveObligation',
        'ian:close',
      ]),
    );
    expect(verifyProofs(entries, incidentId)).toEqual({
      signed: signedActions.length,
      verified: signedActions.length,
      failures: [],
    });
    expect(entries.find((e) => e.action === 'access.policy-loaded')?.details.members).toEqual(roster);
    // Refusals after the policy was loaded never entered history: the worker reported them back.
    expect(
      entries.filter((e) => e.action === 'access.refused' && e.details.recordedBy === 'worker').length,
    ).toBeGreaterThanOrEqual(refusals.length - 1);
  });

  it('keeps the roster across continue-as-new without reloading it, and goes on refusing what it should', async () => {
    const { dataDir } = await labConfig();
    const config = parseConfig(
      { dataDir, access: { roster: { ian: { roles: ['incident-commander'], publicKey: keys.ian.publicKey } } } },
      {},
      'test',
    );
    config.temporal.taskQueue = uniqueId('access-can');
    const incidentId = uniqueId('ACL');
    const { worker, mailer } = await createIncidentWorker(nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const client = new Client({ connection });
    const incidents = new IncidentClient(client, config.temporal.taskQueue);
    try {
      await worker.runUntil(async () => {
        const request = {
          incidentId,
          title: 'Credential stuffing',
          severity: 'SEV3' as const,
          category: 'intrusion' as const,
          systems: [],
          detection: 'WAF',
          awareAt: new Date().toISOString(),
          openedBy: 'ian',
        };
        const handle = await client.workflow.start<typeof incidentWorkflow>(api.WORKFLOW_TYPE, {
          workflowId: incidentId,
          taskQueue: config.temporal.taskQueue,
          args: [{ request, policy: config.policy, maxHistoryEvents: 60 }],
        });
        const firstRun = handle.firstExecutionRunId;
        for (let i = 0; (await client.workflow.getHandle(incidentId).describe()).runId === firstRun; i++) {
          if (i > 40) throw new Error('the incident never continued as new');
          await incidents.act(incidentId, api.noteUpdate, { actor: 'ian', text: `note ${i}` }, signer('ian'));
        }
        await incidents.act(incidentId, api.noteUpdate, { actor: 'ian', text: 'after the boundary' }, signer('ian'));
        await expect(
          incidents.act(incidentId, api.noteUpdate, { actor: 'ian', text: 'unsigned after the boundary' }),
        ).rejects.toThrow(/not signed/);
      });
    } finally {
      mailer.close();
    }
    const entries = await pollUntilEntries(dataDir, incidentId, (list) =>
      list.some((e) => e.action === 'access.refused'),
    );
    expect(entries.filter((e) => e.action === 'workflow.continued').length).toBeGreaterThanOrEqual(1);
    expect(entries.filter((e) => e.action === 'access.policy-loaded')).toHaveLength(1);
    expect(
      entries.filter(
        (e) => e.action === 'note.added' && e.details.note === 'after the boundary' && e.details.signedRequest,
      ),
    ).toHaveLength(1);
    expect(verifyProofs(entries, incidentId).failures).toEqual([]);
    await client.workflow.getHandle(incidentId).terminate('test finished');
  });

  it('checks an action sent together with the start, before the access policy is loaded, and records the refusal', async () => {
    const { dataDir } = await labConfig();
    const config = parseConfig(
      { dataDir, access: { roster: { ian: { roles: ['incident-commander'], publicKey: keys.ian.publicKey } } } },
      {},
      'test',
    );
    config.temporal.taskQueue = uniqueId('access-start');
    const incidentId = uniqueId('ACL');
    const { worker, mailer } = await createIncidentWorker(nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const client = new Client({ connection });
    const start = () =>
      new WithStartWorkflowOperation<typeof incidentWorkflow>(api.WORKFLOW_TYPE, {
        workflowId: incidentId,
        taskQueue: config.temporal.taskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [
          {
            request: {
              incidentId,
              title: 'Ransom note on a file share',
              severity: 'SEV2',
              category: 'malware',
              systems: [],
              detection: 'phone call',
              awareAt: new Date().toISOString(),
              openedBy: 'ian',
            },
            policy: config.policy,
          },
        ],
      });
    try {
      await worker.runUntil(async () => {
        const refused = await client.workflow
          .executeUpdateWithStart(api.acknowledgeUpdate, { args: [{ actor: 'ian' }], startWorkflowOperation: start() })
          .catch((err: WorkflowUpdateFailedError) => err);
        expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
        expect(((refused as WorkflowUpdateFailedError).cause as Error).message).toMatch(/^The action is not signed/);
        const signed = signer('ian').sign(incidentId, api.acknowledgeUpdate.name, { actor: 'ian' });
        const result = await client.workflow.executeUpdateWithStart(api.acknowledgeUpdate, {
          args: [signed.input],
          updateId: signed.updateId,
          startWorkflowOperation: start(),
        });
        expect(result.message).toBe('Acknowledged by ian; escalation stopped.');
        await recordHistory('refusal-before-policy-loaded', client.workflow.getHandle(incidentId));
      });
    } finally {
      mailer.close();
    }
    const entries = await new JsonlAuditStore(dataPaths(dataDir).audit).read(incidentId);
    const order = entries.map((e) => e.action);
    expect(order[0]).toBe('incident.opened');
    expect(order.indexOf('access.policy-loaded')).toBeLessThan(order.indexOf('access.refused'));
    expect(
      entries
        .filter((e) => e.action === 'access.refused')
        .map((e) => [e.details.action, e.details.reason, e.details.recordedBy]),
    ).toEqual([['acknowledge', 'unsigned', 'workflow']]);
    expect(entries.filter((e) => e.action === 'incident.acknowledged').map((e) => e.actor)).toEqual(['ian']);
    await client.workflow.getHandle(incidentId).terminate('test finished');
  });
});

const byKey = (
  a: { action: unknown; claimedActor: unknown; reason: unknown },
  b: { action: unknown; claimedActor: unknown; reason: unknown },
) => `${a.action}/${a.claimedActor}/${a.reason}`.localeCompare(`${b.action}/${b.claimedActor}/${b.reason}`);

async function pollUntilEntries(
  dataDir: string,
  incidentId: string,
  ready: (entries: Awaited<ReturnType<JsonlAuditStore['read']>>) => boolean,
) {
  const audit = new JsonlAuditStore(dataPaths(dataDir).audit);
  for (let i = 0; ; i++) {
    const entries = await audit.read(incidentId);
    if (ready(entries) || i > 100) return entries;
    await new Promise((r) => setTimeout(r, 100));
  }
}
