import { linkingMailer } from '../activities/mail-links';
import { trustedLinkKeys, type LinkSigner } from '../platform/link-key';
import { boardUrl } from '../platform/board-url';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { Worker, type InjectedSinks, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { AuditStore } from '../stores/audit-store';
import { openEvidenceStore, openStorage, type WorkerStorage } from './storage';
import { createActivities } from '../activities';
import { digestActivities } from '../activities/digest';
import { openIncidentLister } from './open-incidents';
import type { FaultPoints } from '../platform/fault-points';
import { createMailer, type Mailer } from '../activities/mailer';
import type { Config } from '../platform/config/schema';
import type { KeyRing } from '../platform/encryption/key-ring';
import { loadTrailSigner, type TrailSigner } from '../platform/trail-key';
import {
  accessRefusedSignal,
  seniorAlertTaskQueue,
  type AccessRefusal,
  type AccessSinks,
} from '../workflows/incident-api';
import { WorkerPair } from './worker-pair';
import { preloadedWorkflowModules } from './workflow-preload';

// Assembles a worker: the incident workflow plus activities wired to the stores under the data dir.
// Tests build theirs with the same function, so they exercise exactly what production runs.

export interface WorkerParts {
  /** The incident's worker and the senior alert's, run and stopped as one. */
  worker: WorkerPair;
  mailer: Mailer;
  audit: AuditStore;
  /** Closes the storage connections (the database pool) once the worker has stopped. */
  storage: WorkerStorage;
}

export function dataPaths(dataDir: string) {
  return {
    audit: path.join(dataDir, 'audit'),
    evidence: path.join(dataDir, 'evidence'),
    reports: path.join(dataDir, 'reports'),
    outbox: path.join(dataDir, 'outbox'),
    temporal: path.join(dataDir, 'temporal'),
  };
}

export interface WorkerExtras {
  /** Test-only crash points (INCIDENT_FAULT_CRASH_AT, read by apps/start.ts); inert when absent. */
  faults?: FaultPoints;
  /** Encrypts evidence copies and rendered reports at rest (see atRestKeyRing); plaintext when absent. */
  atRest?: KeyRing;
  /** Reads the access section of the configuration again (incident reload-access); else the one given. */
  rereadAccess?: () => Config['access'];
  /** Signs audit checkpoints; absent: the data dir's trail key, made on first use as the embedded default does. */
  trailSigner?: TrailSigner;
  /** Signs the links in leadership mail (apps/start.ts loads it); absent or null: mail goes without links. */
  linkSigner?: LinkSigner | null;
  /** The worker's clock as compared with Temporal's at each audit append (a test sets it wrong). */
  clock?: () => Date;
  /** Where the object store's credentials are read (AWS_ACCESS_KEY_ID…); absent: process.env. */
  env?: NodeJS.ProcessEnv;
}

export async function createIncidentWorker(
  connection: NativeConnection,
  config: Config,
  workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>,
  overrides: Partial<WorkerOptions> = {},
  { faults, atRest, rereadAccess, trailSigner, linkSigner, clock, env }: WorkerExtras = {},
): Promise<WorkerParts> {
  const signer = trailSigner ?? loadTrailSigner(config, { create: true });
  const records = await openStorage(config, { faults, signer, clock });
  const copies = await openEvidenceStore(config, atRest, env).catch(async (err: unknown) => {
    await records.close();
    throw err;
  });
  const storage: WorkerStorage = {
    ...records,
    close: async () => {
      copies.close();
      await records.close();
    },
  };
  const audit = storage.audit;
  const ledgerMailer = createMailer({
    dataDir: config.dataDir,
    from: config.mailFrom,
    smtp: config.smtp,
    faults,
    ledger: storage.mailLedger,
  });
  const mailer = linkSigner
    ? linkingMailer(ledgerMailer, { sign: linkSigner.sign, baseUrl: boardUrl(config), links: config.links })
    : ledgerMailer;
  // The worker's own client: refusals go back through it, and the digest lists and queries incidents with it.
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: overrides.dataConverter,
  });
  const activities = {
    ...digestActivities(openIncidentLister(client)),
    ...createActivities({
      config,
      audit,
      mailer,
      evidence: copies.evidence,
      manifests: storage.manifests,
      reports: copies.reports,
      reportsAtRest: atRest,
      rereadAccess,
      linkKeys: linkSigner ? trustedLinkKeys(config, linkSigner) : undefined,
      clock,
    }),
  };
  // A refused action never enters history, so the workflow hands the refusal to its worker, which sends it
  // back as a signal to be written to the audit trail.
  const sinks: InjectedSinks<AccessSinks> = {
    access: {
      refused: {
        fn: (info, refusal: AccessRefusal) => {
          client.workflow
            .getHandle(info.workflowId)
            .signal(accessRefusedSignal, refusal)
            .catch((err: Error) =>
              console.error(
                `Could not record a refused action on incident ${info.workflowId}: ${err.message.split('\n')[0]}`,
              ),
            );
        },
        callDuringReplay: false,
      },
    },
  };
  const main = await Worker.create({
    connection,
    sinks,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    activities,
    ...workflowSource,
    // A prebuilt bundle (the tests') carries its own preload list; see test/global-setup.ts.
    ...(workflowSource.workflowsPath
      ? { bundlerOptions: { preloadModules: preloadedWorkflowModules(workflowSource.workflowsPath) } }
      : {}),
    ...overrides,
  });
  // The senior alert's queue: the same mailer and ledger, so once-per-key holds across both queues.
  const senior = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: seniorAlertTaskQueue(config.temporal.taskQueue),
    activities: { sendMail: activities.sendMail },
    maxConcurrentActivityTaskExecutions: config.worker.seniorAlertSlots,
    maxConcurrentActivityTaskPolls: Math.min(config.worker.seniorAlertPollers, config.worker.seniorAlertSlots),
    dataConverter: overrides.dataConverter,
  });
  return { worker: new WorkerPair(main, senior), mailer, audit, storage };
}
