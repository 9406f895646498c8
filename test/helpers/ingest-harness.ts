import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { startIngest } from '../../services/ingest/start';
import type { IngestServer } from '../../services/ingest/server';
import type { Config, IngestConfig } from '../../platform/config/schema';
import { createIncidentWorker } from '../../worker/create-worker';
import { labConfig, uniqueId } from './fixtures';
import { startTestSmtp, type TestSmtp } from './smtp';

// The ingestion service as npm start runs it: a worker on its own task queue, a real SMTP server for the
// CTO mails, and the webhook on a free port, all against the run's dev server.

export interface IngestHarness {
  config: Config;
  smtp: TestSmtp;
  connection: Connection;
  ingest: IngestServer;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startIngestHarness(sources: IngestConfig['sources']): Promise<IngestHarness> {
  const smtp = await startTestSmtp();
  const connection = await Connection.connect({ address: inject('devServerAddress') });
  const nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
  const { config } = await labConfig({ smtpUrl: smtp.url });
  config.temporal.taskQueue = uniqueId('ingest');
  config.ingest = { ...config.ingest, port: 0, sources };
  const { worker, mailer } = await createIncidentWorker(nativeConnection, config, {
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  const running = worker.run();
  const logs: Record<string, unknown>[] = [];
  // As npm start composes it: the webhook's client shares the worker's connection and starts incidents eagerly.
  const ingest = await startIngest(config, new Client({ connection: nativeConnection }), (e) => logs.push(e), true);
  return {
    config,
    smtp,
    connection,
    ingest,
    logs,
    async stop() {
      await ingest.close();
      worker.shutdown();
      await running;
      mailer.close();
      await smtp.close();
      await connection.close();
      await nativeConnection.close();
    },
  };
}
