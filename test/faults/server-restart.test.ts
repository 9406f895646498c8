import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { IncidentClient } from '../../client/incident-client';
import { freePort, startDevServer, type DevServer } from '../../platform/dev-server';
import { createIncidentWorker } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import { labConfig, uniqueId } from '../helpers/fixtures';

// The Temporal server is restarted on the same SQLite file while 200 incidents are open and their timers
// pending. After the restart all 200 are there, every reminder fires, and none fires twice.

const INCIDENTS = 200;
const HOUR = 3_600_000;

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('Temporal server restart', () => {
  it(`keeps ${INCIDENTS} open incidents and their pending reminders, firing each exactly once`, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-restart-'));
    const port = await freePort();
    const serverOptions = {
      searchAttributes: api.SEARCH_ATTRIBUTES,
      cliPath: inject('temporalCliPath'),
      port,
      dbFile: path.join(dir, 'temporal.db'),
      logFile: path.join(dir, 'server.log'),
    };
    const { config } = await labConfig();
    config.temporal.taskQueue = uniqueId('restart');
    const audit = new JsonlAuditStore(path.join(config.dataDir, 'audit'));
    const ids = Array.from({ length: INCIDENTS }, (_, i) => `RESTART-${String(i).padStart(3, '0')}-${uniqueId('x')}`);

    const phase = async (server: DevServer, fn: (incidents: IncidentClient) => Promise<void>) => {
      const nativeConnection = await NativeConnection.connect({ address: server.address });
      const connection = await Connection.connect({ address: server.address });
      const { worker, mailer } = await createIncidentWorker(nativeConnection, config, {
        workflowBundle: { codePath: inject('workflowBundlePath') },
      });
      try {
        await worker.runUntil(() => fn(new IncidentClient(new Client({ connection }), config.temporal.taskQueue)));
      } finally {
        mailer.close();
        await connection.close();
        await nativeConnection.close();
      }
    };

    // An intrusion owes law enforcement a notice within 72 h; awareness 60 h ago, less a margin, puts
    // its 12-hour reminder about 70 s after opening, so it falls due after the restart even when 200
    // incidents open slowly on a busy machine.
    const awareAt = new Date(Date.now() - 60 * HOUR + 70_000).toISOString();
    const reminderAt = new Date(awareAt).getTime() + 60 * HOUR;
    let server = await startDevServer(serverOptions);
    try {
      await phase(server, async (incidents) => {
        await inBatches(ids, 25, (incidentId) =>
          incidents.open({
            incidentId,
            title: `Intrusion ${incidentId}`,
            severity: 'SEV2',
            category: 'intrusion',
            systems: [],
            detection: 'IDS',
            awareAt,
            openedBy: 'alice',
          }),
        );
        await inBatches(ids, 25, (incidentId) => incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'bob' }));
      });
      expect(Date.now()).toBeLessThan(reminderAt - 5_000);

      await server.stop();
      server = await startDevServer(serverOptions);

      await phase(server, async (incidents) => {
        const listed = await incidents.handle(ids[0]).describe();
        expect(listed.status.name).toBe('RUNNING');
        // Wait until every incident's reminder is in its audit trail.
        const deadline = Date.now() + 120_000;
        for (;;) {
          const counts = await Promise.all(
            ids.map(async (id) => (await audit.read(id)).filter((e) => e.action === 'deadline.reminder').length),
          );
          if (counts.every((c) => c >= 1) || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 1_000));
        }
        // A little longer, to see that nothing fires twice.
        await new Promise((r) => setTimeout(r, 3_000));
        const views = await Promise.all(ids.map((id) => incidents.view(id)));
        expect(views.every((v) => v.state.closedAt === undefined)).toBe(true);
      });
    } finally {
      await server.stop();
    }

    let reminders = 0;
    for (const id of ids) {
      const entries = await audit.read(id);
      const mine = entries.filter((e) => e.action === 'deadline.reminder');
      expect(
        mine.map((e) => e.details.notice),
        id,
      ).toEqual(['reminder-12h']);
      expect(new Date(mine[0].at).getTime()).toBeGreaterThanOrEqual(reminderAt);
      expect(
        entries.filter((e) => e.action === 'notify.senior-alerted'),
        id,
      ).toHaveLength(1);
      expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
      reminders += mine.length;
    }
    expect(reminders).toBe(INCIDENTS);
    const outbox = await readdir(path.join(config.dataDir, 'outbox'));
    expect(outbox.filter((f) => f.includes('reminder-12h'))).toHaveLength(INCIDENTS);
    expect(outbox.filter((f) => f.includes('escalation-0'))).toHaveLength(INCIDENTS);
  });
});
