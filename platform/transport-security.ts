import type { Config } from './config/schema';

// Incident data must not cross a network in clear. Plain connections are fine on loopback; anywhere
// else they are refused unless the operator sets INCIDENT_ALLOW_INSECURE=1, and then said out loud.

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** The host of a host:port address, without the brackets of an IPv6 one. */
export function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(address);
  if (bracketed) return bracketed[1];
  const i = address.lastIndexOf(':');
  return i > 0 && address.indexOf(':') === i ? address.slice(0, i) : address;
}

/** The problem when these settings would reach Temporal in clear off this machine. */
export function temporalInClear(t: Pick<Config['temporal'], 'address' | 'tls' | 'apiKey'>): string | undefined {
  const temporalTls = t.tls.enabled ?? Boolean(t.tls.certPath || t.tls.caPath || t.apiKey);
  if (t.address && !isLoopbackHost(hostOf(t.address)) && !temporalTls) {
    return `Temporal at ${t.address} without TLS: set TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY (mTLS), TEMPORAL_TLS_CA or TEMPORAL_TLS=true.`;
  }
  return undefined;
}

/** Every plain-text transport to or from a non-loopback address, in words an operator acts on. */
export function insecureTransports(config: Config): string[] {
  const problems: string[] = [];
  const temporal = temporalInClear(config.temporal);
  if (temporal) problems.push(temporal);
  if (
    config.ingest.enabled &&
    !isLoopbackHost(config.ingest.host) &&
    !(config.ingest.tls.certPath && config.ingest.tls.keyPath)
  ) {
    problems.push(
      `The alert webhook listens on ${config.ingest.host} without HTTPS: set ingest.tls.certPath and ingest.tls.keyPath.`,
    );
  }
  return problems;
}

export const INSECURE_SOURCE = 'incident data would cross the network in clear';

/** `refuse` lists the problems (and the override) for a ConfigError; `warnings` are printed when overridden. */
export function transportVerdict(
  config: Config,
  env: Record<string, string | undefined>,
): { refuse?: string[]; warnings: string[] } {
  const problems = insecureTransports(config);
  if (problems.length === 0) return { warnings: [] };
  if (env.INCIDENT_ALLOW_INSECURE === '1') return { warnings: problems.map((p) => `WARNING: INSECURE: ${p}`) };
  return { refuse: [...problems, 'or, to accept the risk, set INCIDENT_ALLOW_INSECURE=1.'], warnings: [] };
}
