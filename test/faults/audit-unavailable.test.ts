import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { IncidentClient } from '../../client/incident-client';
import { createIncidentWorker } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import { labConfig, uniqueId } from '../helpers/fixtures';

// The audit store becomes unwritable (a file stands where its directory was: as root, permissions
// would not stop the worker). The incident waits: an action is not reported done while its entry is
// missing, and once the store is back every entry is written, once, in order.

describe('audit store unavailable', () => {
  it('holds an action until its audit entry is written, then completes it with the chain intact', async () => {
    const connection = await Connection.connect({ address: inject('devServerAddress') });
    const nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
    const { config } = await labConfig();
    config.temporal.taskQueue = uniqueId('audit-down');
    const { worker, mailer } = await createIncidentWorker(nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
    const auditDir = path.join(config.dataDir, 'audit');
    const store = new JsonlAuditStore(auditDir);
    const incidentId = uniqueId('AUD');
    try {
      await worker.runUntil(async () => {
        await incidents.open({
          incidentId,
          title: 'Audit outage',
          severity: 'SEV2',
          category: 'other',
          systems: [],
          detection: 'test',
          awareAt: new Date().toISOString(),
          openedBy: 'alice',
        });
        await incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'bob' });
        // The CTO mail is delivered asynchronously; its entry must be in before the store goes away.
        await expect
          .poll(async () => (await store.read(incidentId)).some((e) => e.action === 'mail.sent'), { timeout: 20_000 })
          .toBe(true);
        const before = (await store.read(incidentId)).length;

        await rename(auditDir, `${auditDir}.away`);
        await writeFile(auditDir, 'not a directory');
        let settled = false;
        const note = incidents
          .act(incidentId, api.noteUpdate, { actor: 'bob', text: 'written during the outage' })
          .finally(() => {
            settled = true;
          });
        await new Promise((r) => setTimeout(r, 4_000));
        expect(settled).toBe(false); // not reported done: its entry could not be written
        const view = await incidents.view(incidentId);
        expect(view.state.closedAt).toBeUndefined();

        await rm(auditDir);
        await rename(`${auditDir}.away`, auditDir);
        const result = await note;
        const entries = await store.read(incidentId);
        expect(entries.length).toBe(before + 1);
        expect(entries[entries.length - 1]).toMatchObject({
          seq: result.auditSeq,
          action: 'note.added',
          details: { note: 'written during the outage' },
        });
        expect(await store.verify(incidentId)).toMatchObject({ ok: true, entries: before + 1 });
      });
    } finally {
      mailer.close();
      await connection.close();
      await nativeConnection.close();
      await mkdir(auditDir, { recursive: true }).catch(() => undefined);
    }
  });
});
