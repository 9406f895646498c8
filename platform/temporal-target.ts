import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalSettings } from './config/merge';
import { hostOf } from './transport-security';

// Where and how every process of the project reaches Temporal, from the configuration: the address,
// the namespace, TLS or mTLS and the API key. Free of the SDK, so the CLI can dial before loading it.

export interface GrpcTarget {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
  /** Sent as temporal-namespace, as the SDK does, so that a proxy can route by namespace. */
  namespace: string;
}

/** The configured address, or the embedded dev server's. */
export function temporalAddress(temporal: Pick<TemporalSettings, 'address' | 'devServer'>): string {
  return temporal.address ?? `${temporal.devServer.ip}:${temporal.devServer.port}`;
}

export function tlsOptions(temporal: Pick<TemporalSettings, 'tls' | 'apiKey'>): TLSConfig | undefined {
  const tls = temporal.tls;
  const wantsTls = tls.enabled ?? Boolean(tls.certPath || tls.caPath || temporal.apiKey);
  if (!wantsTls) return undefined;
  const read = (file: string | undefined, what: string) => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(
        `Cannot read the Temporal TLS ${what} at ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
        { cause: err },
      );
    }
  };
  const crt = read(tls.certPath, 'client certificate (TEMPORAL_TLS_CERT)');
  const key = read(tls.keyPath, 'client key (TEMPORAL_TLS_KEY)');
  if (Boolean(crt) !== Boolean(key))
    throw new Error('Temporal mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY.');
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: read(tls.caPath, 'CA certificate (TEMPORAL_TLS_CA)'),
    clientCertPair: crt && key ? { crt, key } : undefined,
  };
}

/**
 * Equal for two sets of settings exactly when they reach the same server, namespace and identity: how
 * work started on unvalidated settings is matched against the validated ones.
 */
export function connectionIdentity(temporal: TemporalSettings): string {
  const { certPath, keyPath, caPath, serverName, enabled } = temporal.tls;
  return JSON.stringify([
    temporalAddress(temporal),
    temporal.namespace,
    temporal.apiKey ?? null,
    certPath ?? null,
    keyPath ?? null,
    caPath ?? null,
    serverName ?? null,
    enabled ?? null,
  ]);
}

/** What grpc-channel.ts dials; reads the TLS files, and says which one it cannot read. */
export function grpcTarget(temporal: TemporalSettings): GrpcTarget {
  return {
    address: temporalAddress(temporal),
    tls: tlsOptions(temporal),
    apiKey: temporal.apiKey,
    namespace: temporal.namespace,
  };
}

/**
 * TLS settings as node:tls takes them, for a connection to `address`. The name checked in the server's
 * certificate is the one gRPC checks: TEMPORAL_TLS_SERVER_NAME, else the host dialled (none for an IP).
 */
export function nodeTlsOptions(tls: TLSConfig, address: string): ConnectionOptions {
  const host = hostOf(address);
  return {
    servername: tls.serverNameOverride || (isIP(host) ? undefined : host),
    ca: tls.serverRootCACertificate ? Buffer.from(tls.serverRootCACertificate) : undefined,
    cert: tls.clientCertPair ? Buffer.from(tls.clientCertPair.crt) : undefined,
    key: tls.clientCertPair ? Buffer.from(tls.clientCertPair.key) : undefined,
  };
}
