import path from 'node:path';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { JsonlAuditStore } from '../activities/audit-store';
import { EvidenceStore } from '../activities/evidence-store';
import { createActivities } from '../activities';
import { createMailer, type Mailer } from '../activities/mailer';
import type { Config } from '../domain/config';

// Assembles a worker: the incident workflow plus activities wired to the stores under the data dir.
// Tests build theirs with the same function, so they exercise exactly what production runs.

export interface WorkerParts {
  worker: Worker;
  mailer: Mailer;
  audit: JsonlAuditStore;
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

export async function createIncidentWorker(
  connection: NativeConnection,
  config: Config,
  workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>,
  overrides: Partial<WorkerOptions> = {},
): Promise<WorkerParts> {
  const paths = dataPaths(config.dataDir);
  const audit = new JsonlAuditStore(paths.audit);
  const mailer = createMailer({ dataDir: config.dataDir, from: config.mailFrom, smtp: config.smtp });
  const activities = createActivities({ config, audit, mailer, evidence: new EvidenceStore(paths.evidence), reportsDir: paths.reports });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...workflowSource,
    ...overrides,
  });
  return { worker, mailer, audit };
}
