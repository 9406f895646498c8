import path from 'node:path';
import type { Config } from './config/schema';
import { resolveTemporalCli } from './binaries';
import { startDevServer, type DevServer, type DevServerOptions } from './dev-server';

// The embedded default's Temporal: the CLI found or built once, its dev server on the configured ports
// with a SQLite file (and log) in `temporalDir`, so incidents survive a restart.

const PROJECT_DIR = path.resolve(__dirname, '..', '..');

export async function startEmbeddedTemporal(
  config: Config,
  temporalDir: string,
  { searchAttributes, extraArgs = [] }: Pick<DevServerOptions, 'searchAttributes' | 'extraArgs'>,
): Promise<DevServer> {
  const cliPath = await resolveTemporalCli({ cacheDir: path.join(PROJECT_DIR, '.cache') });
  if (!cliPath)
    throw new Error(
      'No Temporal CLI could be found or built. Install it and set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to a cluster.',
    );
  const { ip, port, uiPort } = config.temporal.devServer;
  return startDevServer({
    cliPath,
    ip,
    port,
    uiPort,
    namespace: config.temporal.namespace,
    dbFile: path.join(temporalDir, 'temporal.db'),
    logFile: path.join(temporalDir, 'dev-server.log'),
    extraArgs,
    searchAttributes,
  });
}
