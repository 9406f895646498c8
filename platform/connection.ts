import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import type { Config } from '../domain/config';
import { diagnoseConnectFailure } from './tls-diagnosis';

// How every process of the project reaches Temporal: the same address, namespace, TLS and API key for the
// worker (native connection, in worker-connection.ts) and the clients (CLI, ingestion service). This module
// must not load @temporalio/worker: a CLI start would pay 0.2 s for it.

export class TemporalUnreachableError extends Error {
  /** `hint`, when known (a TLS setting that does not match the server, see tls-diagnosis.ts), replaces the advice to start a server. */
  constructor(address: string, cause: unknown, hint?: string) {
    // The client SDK wraps the gRPC error that says what happened in "Failed to connect to Temporal server".
    const inner = (cause as Error)?.message === 'Failed to connect to Temporal server' && (cause as Error).cause ? (cause as Error).cause : cause;
    super(
      `Temporal is not reachable at ${address} (${((inner as Error)?.message?.split('\n')[0] ?? String(inner)).replace(/\.? ?Resolution note:.*$/, '')}). ` +
        (hint ?? 'Start the embedded server with `npm start`, or set TEMPORAL_ADDRESS to your cluster.'),
    );
    this.name = 'TemporalUnreachableError';
  }
}

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

/** gRPC UNAVAILABLE, a refused connection or a connect deadline: Temporal cannot be reached right now. */
export function isTemporalUnavailable(err: unknown): boolean {
  const e = err as { code?: number; message?: string; cause?: { code?: number } };
  return e?.code === 14 || e?.cause?.code === 14 || /UNAVAILABLE|ECONNREFUSED|deadline|Failed to connect/i.test(e?.message ?? '');
}
