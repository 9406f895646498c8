import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import type { Config } from '../../platform/config/schema';
import type { WorkerPair } from '../../worker/worker-pair';
import { createIncidentWorker } from '../../worker/create-worker';
import { digestScheduleId, ensureDigestSchedule } from '../../worker/digest-schedule';
import * as api from '../../workflows/incident-api';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';

// The daily digest as leadership receives it: a real worker on the shared dev server, its own task queue
// (the digest covers the incidents of the queue it runs on, so other test files' incidents never show up
// here), and the mail read from a real SMTP server.

let smtp: TestSmtp;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let config: Config;
let worker: WorkerPair;
let running: Promise<void>;

beforeAll(async () => {
  smtp = await startTestSmtp();
  connection = await Connection.connect({ address: inject('devServerAddress') });
  nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
  client = new Client({ connection });
  ({ config } = await labConfig({ smtpUrl: smtp.url }));
  config.temporal.taskQueue = uniqueId('digest');
  ({ worker } = await createIncidentWorker(nativeConnection, config, {
    workflowBundle: { codePath: inject('workflowBundlePath') },
  }));
  running = worker.run();
});

afterAll(async () => {
  await client?.schedule
    .getHandle(digestScheduleId(config.temporal.taskQueue))
    .delete()
    .catch(() => undefined);
  worker?.shutdown();
  await running;
  await smtp?.close();
  await connection?.close();
  await nativeConnection?.close();
});

const digestMails = () => smtp.messages.filter((m) => m.subject.startsWith('Incident digest'));

function runDigest(workflowId: string) {
  return client.workflow.execute<(input: api.LeadershipDigestInput) => Promise<api.LeadershipDigestResult>>(
    api.DIGEST_WORKFLOW_TYPE,
    {
      workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [{ timeZone: 'Europe/Paris', to: ['cto@example.com', 'dpo@example.com'] }],
    },
  );
}

describe('leadership digest (dev server, SMTP)', () => {
  it('sends nothing when no incident of its queue is open', async () => {
    const result = await runDigest(uniqueId('digest-empty'));
    expect(result).toEqual({ openObligations: 0 });
    expect(digestMails()).toHaveLength(0);
  });

  it('mails every open obligation once a day, whether started directly or by the schedule', async () => {
    const incidents = new IncidentClient(client, config.temporal.taskQueue);
    const incidentId = uniqueId('DIGEST');
    await incidents.open({
      incidentId,
      title: 'Customer database copied',
      severity: 'SEV1',
      category: 'data-breach',
      systems: [],
      detection: 'test',
      awareAt: new Date(Date.now() - 3_600_000).toISOString(),
      openedBy: 'alice',
    });
    await incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'bob' });
    await incidents.waitFor(incidentId, (v) => v.phase === 'assessment');
    await incidents.act(incidentId, api.assessUpdate, {
      actor: 'dpo',
      dataImpact: 'personal',
      customers: [{ name: 'ACME SAS', email: 'security@acme.example' }],
      dataCategories: ['email addresses'],
      approxPeople: 10,
      approxRecords: 10,
      likelyConsequences: 'phishing',
      measures: 'credentials rotated',
    });
    const { state } = await incidents.view(incidentId);
    const regulator = state.obligations.find((o) => o.kind === 'notify-regulator' && o.status === 'pending')!;
    expect(regulator).toBeDefined();
    // Visibility is eventually consistent: the digest lists what the list query shows.
    await expect
      .poll(
        async () => {
          const query = `${api.OPEN_INCIDENTS_QUERY} AND TaskQueue = '${config.temporal.taskQueue}'`;
          const ids: string[] = [];
          for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
          return ids;
        },
        { timeout: 20_000 },
      )
      .toEqual([incidentId]);

    const handle = await client.workflow.start<
      (input: api.LeadershipDigestInput) => Promise<api.LeadershipDigestResult>
    >(api.DIGEST_WORKFLOW_TYPE, {
      workflowId: uniqueId('digest-run'),
      taskQueue: config.temporal.taskQueue,
      args: [{ timeZone: 'Europe/Paris', to: ['cto@example.com', 'dpo@example.com'] }],
    });
    const result = await handle.result();
    const pending = state.obligations.filter((o) => o.status === 'pending');
    expect(result.openObligations).toBe(pending.length);
    expect(result.mail?.deduplicated).toBe(false);
    await recordHistory('leadership-digest', handle);

    expect(digestMails()).toHaveLength(1);
    const [mail] = digestMails();
    expect(mail.to.sort()).toEqual(['cto@example.com', 'dpo@example.com']);
    expect(mail.subject).toMatch(/^Incident digest \d{4}-\d{2}-\d{2}: \d+ open obligations? \(\d+ overdue/);
    const body = mail.raw.replace(/=\r?\n/g, '');
    expect(body).toContain(
      `${incidentId} [SEV1] "Customer database copied": ${regulator.title}, owed to ${regulator.owedTo}`,
    );
    expect(body).toContain(`(${regulator.dueAt.replace(/\.\d{3}Z$/, 'Z')} UTC)`);

    // The schedule the worker sets up at start, triggered now: the same day's digest is not mailed again.
    const digestConfig = { ...config, digest: { ...config.digest, timeZone: 'Europe/Paris' } };
    expect(await ensureDigestSchedule(client, digestConfig)).toMatch(/^(created|updated)$/);
    expect(await ensureDigestSchedule(client, digestConfig)).toBe('updated');
    const schedule = client.schedule.getHandle(digestScheduleId(config.temporal.taskQueue));
    const described = await schedule.describe();
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }] });
    expect(described.spec.timezone).toBe('Europe/Paris');
    await schedule.trigger();
    let run: { workflowId: string; firstExecutionRunId: string } | undefined;
    await expect
      .poll(async () => (run = (await schedule.describe()).info.recentActions[0]?.action.workflow), {
        timeout: 20_000,
      })
      .toBeDefined();
    const scheduled = await client.workflow
      .getHandle<(input: api.LeadershipDigestInput) => Promise<api.LeadershipDigestResult>>(
        run!.workflowId,
        run!.firstExecutionRunId,
      )
      .result();
    expect(scheduled.mail).toMatchObject({ key: result.mail!.key, deduplicated: true });
    expect(digestMails()).toHaveLength(1);

    expect(
      await ensureDigestSchedule(client, { ...digestConfig, digest: { ...digestConfig.digest, enabled: false } }),
    ).toBe('deleted');
  }, 60_000);
});
