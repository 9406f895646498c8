import { Connection, type ConnectionOptions } from '@temporalio/client';
import type { Config } from './config/schema';
import { tlsOptions } from './temporal-target';
import { diagnoseConnectFailure } from './tls-diagnosis';
import { TemporalUnreachableError } from './temporal-errors';

export { isTemporalUnavailable, TemporalUnreachableError } from './temporal-errors';

// How every process of the project reaches Temporal: the same address, namespace, TLS and API key for the
// worker (native connection, in worker-connection.ts) and the clients (CLI, ingestion service). This module
// must not load @temporalio/worker, which every CLI start would then pay for.

export function clientConnectionOptions(config: Config, address: string): ConnectionOptions {
  return { address, tls: tlsOptions(config.temporal), apiKey: config.temporal.apiKey, connectTimeout: '5s' };
}

export async function connectClient(config: Config, address: string): Promise<Connection> {
  let options: ConnectionOptions | undefined;
  try {
    options = clientConnectionOptions(config, address);
    return await Connection.connect(options);
  } catch (err) {
    throw new TemporalUnreachableError(
      address,
      err,
      options && (await diagnoseConnectFailure(address, options.tls, err)),
    );
  }
}
