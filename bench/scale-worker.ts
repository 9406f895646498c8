import { NativeConnection } from '@temporalio/worker';
import { parseConfig } from '../platform/config/schema';
import { createIncidentWorker } from '../worker/create-worker';

// The incident worker alone in its own process, so `bench:scale` can read its resident memory apart from
// the benchmark's clients and mail sink. Started by bench/scale.ts with its settings in BENCH_SCALE_WORKER.

export interface ScaleWorkerSettings {
  address: string;
  dataDir: string;
  smtpUrl: string;
  taskQueue: string;
  /** The worker's workflow cache; absent: the worker's own setting (worker.maxCachedWorkflows). */
  maxCachedWorkflows?: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_SCALE_WORKER ?? '') as ScaleWorkerSettings;
  const config = parseConfig({ dataDir: settings.dataDir, smtp: { url: settings.smtpUrl } }, {}, 'bench');
  config.temporal.taskQueue = settings.taskQueue;
  const connection = await NativeConnection.connect({ address: settings.address });
  const overrides =
    settings.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: settings.maxCachedWorkflows };
  const { worker, mailer } = await createIncidentWorker(
    connection,
    config,
    { workflowsPath: require.resolve('../workflows') },
    overrides,
  );
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.send?.('ready');
  await running;
  mailer.close();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
