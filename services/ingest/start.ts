import type { Client } from '@temporalio/client';
import { ADAPTERS } from '../../domain/alerts';
import type { Config } from '../../platform/config/schema';
import { AlertCorrelator } from './correlate';
import { IngestMetrics } from './metrics';
import { jsonLogger } from '../../platform/json-logger';
import { startIngestServer, type IngestServer } from './server';

// Assembles the ingestion service from the configuration and a Temporal client.

/** `eagerStart`: the client shares the worker's NativeConnection in this process (see AlertCorrelator). */
export async function startIngest(
  config: Config,
  client: Client,
  log = jsonLogger(),
  eagerStart = false,
): Promise<IngestServer> {
  const correlator = new AlertCorrelator(client, config.temporal.taskQueue, eagerStart);
  return startIngestServer({
    config: config.ingest,
    adapters: ADAPTERS,
    deliver: (alerts, source, now) => correlator.deliver(alerts, source, now),
    ready: async () => {
      await client.workflowService.getSystemInfo({});
      return true;
    },
    metrics: new IngestMetrics(),
    log,
  });
}
