import { access } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { createIncidentWorker } from '../../worker/create-worker';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';

// In an alert storm every step of every incident competes for the worker's activity slots. The senior
// alert has slots of its own: here one incident's isolation holds the incident queue's only slot, and a
// second incident's CTO is told all the same.

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

describe('the senior alert on its own task queue', () => {
  it('reaches the CTO while another incident holds every slot of the incident queue', async () => {
    const { config, dataDir } = await labConfig({ systems: ['db-01'], smtpUrl: smtp.url });
    config.temporal.taskQueue = uniqueId('senior');
    // An isolation that never ends on its own: it marks that it runs, then holds its slot.
    const running = path.join(dataDir, 'isolation-running');
    const isolation = config.systems['db-01'].isolation;
    if (isolation.driver !== 'command') throw new Error('labConfig isolates by command');
    isolation.isolate = ['sh', '-c', 'touch "$0" && exec sleep 300', running, '{system}'];
    const { worker, mailer } = await createIncidentWorker(
      nativeConnection,
      config,
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      { maxConcurrentActivityTaskExecutions: 1 },
    );
    const client = new Client({ connection });
    const incidents = new IncidentClient(client, config.temporal.taskQueue);
    const told = (incidentId: string) => () =>
      smtp.messages.filter((m) => m.subject.includes(`incident ${incidentId}:`) && m.to.includes('cto@example.com'))
        .length;
    const open = (incidentId: string, systems: string[]) =>
      incidents.open({
        incidentId,
        title: 'Credential stuffing against the customer portal',
        severity: 'SEV1',
        category: 'intrusion',
        systems,
        detection: 'WAF alert storm',
        awareAt: new Date().toISOString(),
        openedBy: 'alice',
      });
    const first = uniqueId('INC');
    const second = uniqueId('INC');
    try {
      await worker.runUntil(async () => {
        await open(first, ['db-01']);
        await expect
          .poll(
            () =>
              access(running).then(
                () => true,
                () => false,
              ),
            { timeout: 30_000 },
          )
          .toBe(true);
        await expect.poll(told(first), { timeout: 30_000 }).toBe(1);

        await open(second, []);
        await expect.poll(told(second), { timeout: 30_000 }).toBe(1);
        // The isolation still holds the incident queue's slot: the alert did not wait for it.
        expect(await incidents.view(first)).toMatchObject({
          state: { systems: [{ name: 'db-01', isolation: { state: 'running' } }] },
        });
      });
    } finally {
      await Promise.all(
        [first, second].map((id) =>
          client.workflow
            .getHandle(id)
            .terminate('test finished')
            .catch(() => undefined),
        ),
      );
      mailer.close();
    }
  });
});
