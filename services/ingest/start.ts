import type { Client } from '@temporalio/client';
import { ADAPTERS } from '../../domain/alerts';
import type { Config } from '../../platform/config/schema';
import { AlertCorrelator } from './correlate';
import { IngestMetrics } from './metrics';
import { startIngestServer, type IngestServer } from './server';

// Assembles the ingestion service from the configuration and a Temporal client.

export function jsonLogger(stream: NodeJS.WritableStream = process.stdout): (event: Record<string, unknown>) => void {
  return (event) =>
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'ingest', ...event })}\n`);
}

export async function startIngest(config: Config, client: Client, log = jsonLogger()): Promise<IngestServer> {
  const correlator = new AlertCorrelator(client, config.temporal.taskQueue);
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
