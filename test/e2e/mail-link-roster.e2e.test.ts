import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSigningKey } from '../../client/action-signer';
import { IncidentClient } from '../../client/incident-client';
import { parseConfig } from '../../platform/config/schema';
import { loadLinkSigner } from '../../platform/link-key';
import { createIncidentWorker } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import { labConfig, uniqueId } from '../helpers/fixtures';

// Where the roster requires signed actions, the CTO's acknowledge link is the proof for acknowledging,
// and for nothing else: every other action offered with the same link is refused before it enters history.

let connection: Connection;
let native: NativeConnection;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  native = await NativeConnection.connect({ address: inject('devServerAddress') });
});

afterAll(async () => {
  await native?.close();
  await connection?.close();
});

const OTHER_ACTIONS = Object.values(api).filter(
  (u): u is UpdateDefinition<api.ActionResult, [{ actor: string }]> =>
    typeof u === 'object' && u !== null && (u as { type?: string }).type === 'update' && u !== api.acknowledgeUpdate,
);

describe('a mail link under a roster that requires signed actions', () => {
  it("acknowledges with the CTO's link, and the same link can do nothing else", async () => {
    const { dataDir } = await labConfig();
    const ian = generateSigningKey();
    const config = parseConfig(
      { dataDir, access: { roster: { ian: { roles: ['incident-commander'], publicKey: ian.publicKey } } } },
      {},
      'test',
    );
    config.temporal.taskQueue = uniqueId('link-roster');
    const linkSigner = loadLinkSigner(config, { create: true });
    const parts = await createIncidentWorker(
      native,
      config,
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      {},
      { linkSigner },
    );
    const running = parts.worker.run();
    try {
      const incidents = new IncidentClient(new Client({ connection }), config.temporal.taskQueue);
      const incidentId = uniqueId('LROS');
      await incidents.open({
        incidentId,
        title: 'Web shell on web-01',
        severity: 'SEV1',
        category: 'intrusion',
        systems: [],
        detection: 'EDR',
        awareAt: new Date().toISOString(),
        openedBy: 'ian',
      });
      const token = await ctoAcknowledgeToken(dataDir, incidentId);

      expect(OTHER_ACTIONS.length).toBeGreaterThanOrEqual(20);
      for (const update of OTHER_ACTIONS) {
        await expect(
          incidents.act(incidentId, update, { actor: 'cto@example.com', link: { token } } as { actor: string }),
          update.name,
        ).rejects.toThrow(/can only acknowledge/);
      }
      // Without the link, the CTO is nobody the roster knows.
      await expect(incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'cto@example.com' })).rejects.toThrow(
        /cto@example\.com/,
      );
      const result = await incidents.acknowledgeViaLink(incidentId, token, 'cto@example.com');
      expect(result.ok).toBe(true);
      expect((await incidents.view(incidentId)).state.acknowledgement?.by).toBe('cto@example.com');
      const trail = await readFile(path.join(dataDir, 'audit', `${incidentId}.jsonl`), 'utf8');
      expect(trail).not.toContain(token);
      const acked = trail
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> })
        .filter((e) => e.action === 'incident.acknowledged');
      expect(acked).toHaveLength(1);
      expect(acked[0].details.via).toBe('mail link');
    } finally {
      parts.worker.shutdown();
      await running;
      parts.mailer.close();
    }
  });
});

/** The acknowledge link in the senior alert the CTO, and only the CTO, received. */
async function ctoAcknowledgeToken(dataDir: string, incidentId: string): Promise<string> {
  const outbox = path.join(dataDir, 'outbox');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const files = (await readdir(outbox).catch(() => [] as string[])).filter(
      (f) => f.includes(incidentId) && f.includes('escalation-0_to_cto'),
    );
    if (files.length) {
      const mail = await simpleParser(await readFile(path.join(outbox, files[0])));
      const url = /Acknowledge: (\S+)/.exec(mail.text ?? '')?.[1];
      expect(url).toBeDefined();
      return url!.slice(url!.lastIndexOf('/l/') + 3);
    }
    if (Date.now() > deadline) throw new Error(`no senior alert for ${incidentId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
