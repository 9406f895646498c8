import type { ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectRetentionCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { IncidentRecovering } from '../../client/incident-errors';
import { ActionRefused } from '../../domain/actions';
import { trailKeyId } from '../../domain/audit-checkpoint';
import { verifyTrail } from '../../domain/trail-verification';
import { parseConfig } from '../../platform/config/schema';
import { PostgresAuditStore } from '../../stores/postgres/pg-audit-store';
import { postgresEvidenceManifests } from '../../stores/postgres/pg-evidence-manifests';
import { postgresPool } from '../../stores/postgres/pg-pool';
import { parseS3Location, storedObjectSha256 } from '../../stores/s3/s3-objects';
import * as api from '../../workflows/incident-api';
import { trailKeyFor, uniqueId } from '../helpers/fixtures';
import { checkingClient, s3Env, s3Settings } from '../helpers/s3-config';
import { LOCKED_BUCKET } from '../helpers/s3-server';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { workerProcesses } from '../helpers/worker-process';

// Three worker processes with three data dirs, as on three machines, each with its own trail key, one
// Temporal, one PostgreSQL, one object store under Object Lock, one mail relay. Fifty incidents, each
// with the forensic copy of one of ten systems, are opened and acted on while a random worker is
// SIGKILLed every few seconds and started again. At the end every trail is complete and verifies against
// its checkpoints (any of the three keys) and the head Temporal holds, each senior alert to the CTO
// reached the relay under one Message-ID (once, or again only where the trail says it may have), and
// every copy is indexed once, present in the bucket, locked in COMPLIANCE mode and of its recorded hash.

const WORKERS = 3;
const INCIDENTS = 50;
const SYSTEMS = 10;
const IMAGE_BYTES = 256 * 1024;
const KILL_EVERY_MS = 3_000;
/** Kills stop after this many, so the run ends with every worker up, as an outage does. */
const KILLS = 8;

let connection: Connection;
let smtp: TestSmtp;
const processes = workerProcesses();

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  smtp = await startTestSmtp();
});

afterAll(async () => {
  processes.killAll();
  await smtp?.close();
  await connection?.close();
});

/** Ten systems whose disks every machine can read (one folder, as a shared evidence source would be). */
const imageHashes = new Map<string, string>();

async function systemsConfig(): Promise<Record<string, unknown>> {
  const disks = await mkdtemp(path.join(os.tmpdir(), 'incident-disks-'));
  const systems: Record<string, unknown> = {};
  for (let i = 0; i < SYSTEMS; i++) {
    const image = path.join(disks, `sys-${i}.img`);
    const bytes = randomBytes(IMAGE_BYTES);
    await writeFile(image, bytes);
    imageHashes.set(`sys-${i}`, createHash('sha256').update(bytes).digest('hex'));
    systems[`sys-${i}`] = {
      isolation: { driver: 'command', isolate: ['true', '{system}'], release: ['true', '{system}'] },
      evidence: { driver: 'local', path: image },
    };
  }
  return systems;
}

async function workerEnvs(taskQueue: string): Promise<{ envs: NodeJS.ProcessEnv[]; publicKeys: string[] }> {
  const systems = await systemsConfig();
  const dirs = await Promise.all(
    Array.from({ length: WORKERS }, (_, i) => mkdtemp(path.join(os.tmpdir(), `incident-machine-${i}-`))),
  );
  const keyFiles = dirs.map((d) => trailKeyFor(d));
  const publicKeys = keyFiles.map((f) =>
    createPublicKey(createPrivateKey(readFileSync(f)))
      .export({ type: 'spki', format: 'pem' })
      .toString(),
  );
  const envs = await Promise.all(
    dirs.map(async (dataDir, i) => {
      const configFile = path.join(dataDir, 'incident.config.json');
      await writeFile(
        configFile,
        JSON.stringify({
          dataDir,
          ingest: { enabled: false },
          smtp: { url: smtp.url },
          trail: { publicKeys },
          systems,
          storage: {
            postgres: { url: inject('postgresWorkerUrl'), migrationUrl: inject('postgresOwnerUrl') },
            s3: s3Settings(),
          },
        }),
      );
      return {
        ...process.env,
        TEMPORAL_ADDRESS: inject('devServerAddress'),
        INCIDENT_CONFIG: configFile,
        INCIDENT_TRAIL_KEY_FILE: keyFiles[i],
        INCIDENT_TASK_QUEUE: taskQueue,
        INCIDENT_LOG_LEVEL: 'ERROR',
        INCIDENT_FAULT_CRASH_AT: '',
        ...s3Env(),
      };
    }),
  );
  return { envs, publicKeys };
}

describe('three workers, one PostgreSQL, one locked bucket, SIGKILLs', () => {
  it('every trail complete and verified, each senior alert under one Message-ID, every copy present, locked and as recorded', async () => {
    const began = Date.now();
    const taskQueue = uniqueId('shared-pg');
    const { envs, publicKeys } = await workerEnvs(taskQueue);
    const running: ChildProcess[] = envs.map((env) => processes.start(env));
    const incidents = new IncidentClient(new Client({ connection }), taskQueue);
    let kills = 0;
    let stopChaos = false;
    const chaos = (async () => {
      while (!stopChaos && kills < KILLS) {
        await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
        if (stopChaos) break;
        const i = Math.floor(Math.random() * WORKERS);
        running[i].kill('SIGKILL');
        kills++;
        running[i] = processes.start(envs[i]);
      }
    })();

    const ids = Array.from({ length: INCIDENTS }, () => uniqueId('SHPG'));
    // Responders act on every incident while workers die under them. Temporal admits no update while an
    // incident's workflow task is retried after its worker died; the client asks again for 30 s, then
    // says so (IncidentRecovering), and the responder runs the command again.
    let recoveries = 0;
    const act = async <T>(what: () => Promise<T>) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await what();
        } catch (err) {
          if (!(err instanceof IncidentRecovering) || attempt >= 6) throw err;
          recoveries++;
        }
      }
    };
    await Promise.all(
      ids.map(async (incidentId, n) => {
        await new Promise((r) => setTimeout(r, n * 400));
        await incidents.open({
          incidentId,
          title: `Credential stuffing wave ${n}`,
          severity: 'SEV2',
          category: 'other',
          systems: [`sys-${n % SYSTEMS}`],
          detection: 'WAF',
          awareAt: new Date().toISOString(),
          openedBy: 'alice',
        });
        await act(() => incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'bob' }));
        for (let k = 0; k < 3; k++)
          await act(() => incidents.act(incidentId, api.noteUpdate, { actor: 'bob', text: `finding ${k}` }));
        // Closing waits for the system's isolation and copy, as a responder told "still under way" does: a
        // copy whose worker was killed twice waits out two heartbeat timeouts and the retries' backoff.
        for (let tries = 0; ; tries++) {
          try {
            await act(() =>
              incidents.act(incidentId, api.closeUpdate, { actor: 'alice', summary: 'blocked at the WAF' }),
            );
            break;
          } catch (err) {
            if (!(err instanceof ActionRefused) || !err.message.includes('still under way') || tries >= 300) throw err;
            await new Promise((r) => setTimeout(r, 1_000));
          }
        }
      }),
    );
    stopChaos = true;
    await chaos;

    // What the auditor reads: the database's trail against the head each closed incident returned.
    const settings = parseConfig(
      { dataDir: '/tmp', storage: { postgres: { url: inject('postgresOwnerUrl') } } },
      {},
      't',
    ).storage.postgres!;
    const pool = postgresPool(settings);
    const store = new PostgresAuditStore(pool, 'test');
    const manifests = postgresEvidenceManifests(pool);
    const bucket = checkingClient();
    const sevenYearsFromNow = Date.now() + 7 * 365 * 86_400_000 - 86_400_000;
    let copies = 0;
    const keys = new Map(publicKeys.map((pem) => [trailKeyId(createPublicKey(pem)), createPublicKey(pem)]));
    let entries = 0;
    let possibleDuplicates = 0;
    try {
      for (const incidentId of ids) {
        const result = await incidents.handle(incidentId).result();
        const trailText = (await store.trailText(incidentId))!;
        const verdict = verifyTrail({
          incidentId,
          trailText,
          checkpointsText: await store.checkpointsText(incidentId),
          keys,
          temporal: result.auditHead!,
        });
        expect(verdict.ok, `${incidentId}: ${JSON.stringify(verdict.checks)}`).toBe(true);
        const trail = await store.read(incidentId);
        entries += trail.length;
        expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
        expect(trail.filter((e) => e.action === 'note.added')).toHaveLength(3);
        const alerts = smtp.messages.filter(
          (m) => m.subject.includes(`Security incident ${incidentId}:`) && m.to.includes('cto@example.com'),
        );
        expect(new Set(alerts.map((m) => m.messageId)).size, incidentId).toBe(1);
        const marked = trail.some(
          (e) => e.action === 'mail.sent' && JSON.stringify(e.details).includes('possible duplicate'),
        );
        if (alerts.length > 1) expect(marked, `${incidentId}: ${alerts.length} copies, none marked`).toBe(true);
        if (marked) possibleDuplicates++;

        // The copy: indexed once, recorded in the trail with the same hash, in the bucket, locked, intact.
        const system = `sys-${ids.indexOf(incidentId) % SYSTEMS}`;
        const indexed = await manifests.list(incidentId);
        expect(indexed.map((m) => [m.system, m.round])).toEqual([[system, 1]]);
        const { record } = indexed[0];
        expect(record.sha256).toBe(imageHashes.get(system));
        const collected = trail.filter((e) => e.action === 'evidence.collected');
        expect(collected.map((e) => e.details)).toEqual([
          expect.objectContaining({ system, sha256: record.sha256, location: record.location }),
        ]);
        const where = parseS3Location(record.location)!;
        expect(where).toMatchObject({ bucket: LOCKED_BUCKET, versionId: expect.any(String) });
        const retention = await bucket.send(
          new GetObjectRetentionCommand({ Bucket: where.bucket, Key: where.key, VersionId: where.versionId }),
        );
        expect(retention.Retention?.Mode).toBe('COMPLIANCE');
        expect(retention.Retention!.RetainUntilDate!.getTime()).toBeGreaterThan(sevenYearsFromNow);
        const stored = await storedObjectSha256(bucket, where.bucket, where.key, where.versionId, undefined);
        expect(stored).toEqual({ sha256: record.sha256, size: IMAGE_BYTES });
        copies++;
      }
    } finally {
      bucket.destroy();
      await store.close();
    }
    console.log(
      `[shared-stores] ${WORKERS} workers, ${kills} SIGKILLs, ${INCIDENTS} incidents, ${entries} trail entries verified; ${copies} evidence copies of ${SYSTEMS} systems indexed, present, locked (COMPLIANCE) and of their recorded hash; senior alerts marked possible duplicate: ${possibleDuplicates}; actions run again after 30 s of recovery: ${recoveries}; ${Math.round((Date.now() - began) / 1000)} s`,
    );
    expect(kills).toBeGreaterThanOrEqual(3);
  }, 900_000);
});
