import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from './config/schema';
import { TemporalUnreachableError } from './temporal-errors';
import { tlsOptions } from './temporal-target';
import { diagnoseConnectFailure } from './tls-diagnosis';

// The worker's native connection, with the same address, TLS and API key as the clients'.

export async function connectWorker(config: Config, address: string): Promise<NativeConnection> {
  const options: NativeConnectionOptions = {
    address,
    tls: tlsOptions(config.temporal) as NativeConnectionOptions['tls'],
    apiKey: config.temporal.apiKey,
  };
  try {
    return await NativeConnection.connect(options);
  } catch (err) {
    throw new TemporalUnreachableError(address, err, await diagnoseConnectFailure(address, options.tls, err));
  }
}
