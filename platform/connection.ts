import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import type { Config } from '../domain/config';
import { diagnoseConnectFailure } from './tls-diagnosis';
import { TemporalUnreachableError } from './temporal-errors';

export { isTemporalUnavailable, TemporalUnreachableError } from './temporal-errors';

// How every process of the project reaches Temporal: the same address, namespace, TLS and API key for the
// worker (native connection, in worker-connection.ts) and the clients (CLI, ingestion service). This module
// must not load @temporalio/worker: a CLI start would pay 0.2 s for it.

export function tlsOptions(temporal: Config['temporal']): ConnectionOptions['tls'] {
  const tls = temporal.tls;
  const wantsTls = tls.enabled ?? Boolean(tls.certPath || tls.caPath || temporal.apiKey);
  if (!wantsTls) return undefined;
  const read = (file: string | undefined, what: string) => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`Cannot read the Temporal TLS ${what} at ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  };
  const crt = read(tls.certPath, 'client certificate (TEMPORAL_TLS_CERT)');
  const key = read(tls.keyPath, 'client key (TEMPORAL_TLS_KEY)');
  if (Boolean(crt) !== Boolean(key)) throw new Error('Temporal mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY.');
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: read(tls.caPath, 'CA certificate (TEMPORAL_TLS_CA)'),
    clientCertPair: crt && key ? { crt, key } : undefined,
  };
}

export function clientConnectionOptions(config: Config, address: string): ConnectionOptions {
  return { address, tls: tlsOptions(config.temporal), apiKey: config.temporal.apiKey, connectTimeout: '5s' };
}

export async function connectClient(config: Config, address: string): Promise<Connection> {
  let options: ConnectionOptions | undefined;
  try {
    options = clientConnectionOptions(config, address);
    return await Connection.connect(options);
  } catch (err) {
    throw new TemporalUnreachableError(address, err, options && (await diagnoseConnectFailure(address, options.tls, err)));
  }
}
