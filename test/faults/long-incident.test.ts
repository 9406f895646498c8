import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { IncidentClient } from '../../client/incident-client';
import { incidentBaseId } from '../../services/ingest/correlate';
import { MAX_RECENT_ALERTS } from '../../domain/incident';
import { verifyTrail } from '../../domain/trail-verification';
import { trustedTrailKeys } from '../../platform/trail-key';
import * as api from '../../workflows/incident-api';
import { uniqueId } from '../helpers/fixtures';
import { startIngestHarness, type IngestHarness } from '../helpers/ingest-harness';

// A long incident: 10,000 alerts through the webhook and 500 responder actions. The workflow continues
// as new before its history grows too long, and its state, obligations and audit chain cross the boundary
// intact, with every alert recorded exactly once.

const ALERTS = 10_000;
const ACTIONS = 500;
const TOKEN = 'long-incident-token-0123456789';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngestHarness({ generic: { bearerTokens: [TOKEN], webhookSecrets: [], openAtOrAbove: 'SEV3' } });
});
afterAll(async () => h?.stop());

describe('a long incident', () => {
  it(`keeps ${ALERTS} alerts and ${ACTIONS} actions across continue-as-new, each recorded once`, async () => {
    const correlationKey = uniqueId('campaign');
    const incidentId = `${incidentBaseId('generic', correlationKey)}-1`;
    const observedAt = new Date().toISOString();
    const post = async (i: number) => {
      const res = await fetch(`${h.ingest.url}/v1/alerts/generic`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: `scan-${i}`,
          correlationKey,
          severity: 'SEV2',
          category: 'intrusion',
          title: `Port scan ${i}`,
          observedAt,
          details: { port: i },
        }),
      });
      expect(res.status).toBe(202);
    };
    await post(0);
    const incidents = new IncidentClient(new Client({ connection: h.connection }), h.config.temporal.taskQueue);
    const firstRun = (await incidents.handle(incidentId).describe()).runId;
    let next = 1;
    const senders = Array.from({ length: 20 }, async () => {
      while (next < ALERTS) await post(next++);
    });
    const responder = (async () => {
      for (let i = 0; i < ACTIONS; i++)
        await incidents.act(incidentId, api.noteUpdate, { actor: 'bob', text: `observation ${i}` });
    })();
    await Promise.all([...senders, responder]);
    // A retried delivery of an early alert is still recognised after the boundary.
    await post(1);

    const view = await incidents.waitFor(incidentId, (v) => (v.state.alertsReceived ?? 0) >= ALERTS, 120_000);
    expect(view.state.alertsReceived).toBe(ALERTS);
    expect(view.state.alerts).toHaveLength(MAX_RECENT_ALERTS);
    expect(view.state.obligations.map((o) => [o.id, o.status])).toEqual([['inform-law-enforcement', 'pending']]);
    expect((await incidents.handle(incidentId).describe()).runId).not.toBe(firstRun);

    const store = new JsonlAuditStore(path.join(h.config.dataDir, 'audit'));
    await expect
      .poll(async () => (await store.read(incidentId)).filter((e) => e.action === 'alert.received').length, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toBe(ALERTS);
    const entries = await store.read(incidentId);
    expect(new Set(entries.filter((e) => e.action === 'alert.received').map((e) => e.details.dedupKey)).size).toBe(
      ALERTS,
    );
    expect(entries.filter((e) => e.action === 'note.added')).toHaveLength(ACTIONS);
    expect(entries.filter((e) => e.action === 'workflow.continued').length).toBeGreaterThanOrEqual(1);
    expect(await store.verify(incidentId)).toMatchObject({ ok: true });
    // The head Temporal holds crossed the boundary with the state, and it, the checkpoints and the chain agree.
    const head = (await incidents.view(incidentId)).state.auditHead!;
    expect(head.seq).toBeGreaterThan(entries.find((e) => e.action === 'workflow.continued')!.seq);
    expect(entries[head.seq - 1].hash).toBe(head.hash);
    const verdict = verifyTrail({
      incidentId,
      trailText: await readFile(store.fileOf(incidentId), 'utf8'),
      checkpointsText: await readFile(store.checkpointsFileOf(incidentId), 'utf8'),
      keys: trustedTrailKeys(h.config),
      temporal: head,
    });
    expect(verdict.checks.map((c) => [c.check, c.ok, c.message])).toEqual([
      ['chain', true, `${entries.length} entries link from the first to the last (incident still open)`],
      ['checkpoints', true, expect.stringMatching(new RegExp(`cover all ${entries.length} entries$`))],
      [
        'temporal',
        true,
        expect.stringMatching(new RegExp(`^entry ${head.seq} matches the head Temporal recorded at `)),
      ],
    ]);
    console.log(
      `long incident: ${entries.length} audit entries, ${entries.filter((e) => e.action === 'workflow.continued').length} continue-as-new`,
    );
  });
});
