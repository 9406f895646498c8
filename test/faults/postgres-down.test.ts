import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { PostgresAuditStore } from '../../stores/postgres/pg-audit-store';
import { createIncidentWorker } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres-server';

// The installation's PostgreSQL goes down in the middle of incidents (its server stopped, every
// connection cut) and comes back on the same address. Meanwhile the worker stays up, an action is not
// reported done while its entry cannot be written, and an incident opened during the outage waits; once
// the database is back, every entry is written once, in order, and the senior alert leaves once.
// The test has a server of its own: the run's shared one serves other files at the same time.

let db: TestPostgres;

beforeAll(async () => {
  db = await startTestPostgres();
});

afterAll(async () => {
  await db?.stop();
});

const opening = (incidentId: string, title: string) => ({
  incidentId,
  title,
  severity: 'SEV2',
  category: 'other',
  systems: [],
  detection: 'test',
  awareAt: new Date().toISOString(),
  openedBy: 'alice',
});

describe('PostgreSQL down mid-incident', () => {
  it('holds the incidents while the database is away and finishes every step once when it is back', async () => {
    const connection = await Connection.connect({ address: inject('devServerAddress') });
    const nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
    const { config } = await labConfig();
    config.temporal.taskQueue = uniqueId('pg-down');
    config.storage.postgres = {
      url: db.workerUrl,
      migrationUrl: db.ownerUrl,
      poolMax: 4,
      statementTimeoutMs: 5_000,
    };
    const { worker, mailer, storage } = await createIncidentWorker(nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
    const reader = new pg.Pool({ connectionString: db.ownerUrl, max: 1 });
    reader.on('error', () => undefined);
    const trail = new PostgresAuditStore(reader, 'the test database');
    const before = uniqueId('PGD-A');
    const during = uniqueId('PGD-B');
    const outbox = path.join(config.dataDir, 'outbox');
    const seniorAlertsOf = async (id: string) => {
      const files = await readdir(outbox).catch(() => [] as string[]);
      const texts = await Promise.all(files.map((f) => readFile(path.join(outbox, f), 'utf8')));
      return texts.filter((t) => t.includes(`Security incident ${id}:`)).length;
    };
    try {
      await worker.runUntil(async () => {
        await incidents.open(opening(before, 'Opened before the outage'));
        await incidents.act(before, api.acknowledgeUpdate, { actor: 'bob' });
        await expect
          .poll(async () => (await trail.read(before)).some((e) => e.action === 'mail.sent'), { timeout: 30_000 })
          .toBe(true);
        const entriesBefore = (await trail.read(before)).length;

        await db.halt();
        let settled = false;
        const note = incidents
          .act(before, api.noteUpdate, { actor: 'bob', text: 'written during the outage' })
          .finally(() => {
            settled = true;
          });
        await incidents.open(opening(during, 'Opened during the outage'));
        await new Promise((r) => setTimeout(r, 5_000));
        expect(settled).toBe(false); // its entry could not be written, so it is not reported done
        expect(worker.getState()).toBe('RUNNING');
        // No senior alert without the shared ledger: it could not tell whether another worker sent it.
        expect(await seniorAlertsOf(during)).toBe(0);

        await db.resume();
        const result = await note;
        const entriesA = await trail.read(before);
        expect(entriesA.length).toBe(entriesBefore + 1);
        expect(entriesA[entriesA.length - 1]).toMatchObject({
          seq: result.auditSeq,
          action: 'note.added',
          details: { note: 'written during the outage' },
        });
        expect(await trail.verify(before)).toMatchObject({ ok: true, entries: entriesBefore + 1 });

        await expect
          .poll(async () => (await trail.read(during)).some((e) => e.action === 'mail.sent'), { timeout: 120_000 })
          .toBe(true);
        const entriesB = await trail.read(during);
        expect(entriesB.map((e) => e.seq)).toEqual(entriesB.map((_, i) => i + 1));
        expect(entriesB[0].action).toBe('incident.opened');
        expect(await trail.verify(during)).toMatchObject({ ok: true });
        const { rows } = await reader.query('SELECT key FROM mail_ledger WHERE key LIKE $1', [
          `${during}/escalation-0%`,
        ]);
        expect(rows.length).toBeGreaterThan(0);
        expect(await seniorAlertsOf(during)).toBe(rows.length);
      });
    } finally {
      mailer.close();
      await storage.close();
      await reader.end();
      await connection.close();
      await nativeConnection.close();
    }
  }, 240_000);
});
