import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../platform/config/schema';
import { insecureTransports, transportVerdict } from '../../platform/transport-security';

// Incident data never crosses a network in clear by accident.

const config = (file: Record<string, unknown>, env: Record<string, string> = {}) => parseConfig(file, env);

describe('transport security', () => {
  it('accepts plain connections on loopback: the embedded default', () => {
    expect(insecureTransports(config({}))).toEqual([]);
    expect(insecureTransports(config({}, { TEMPORAL_ADDRESS: '127.0.0.1:7233' }))).toEqual([]);
    expect(insecureTransports(config({}, { TEMPORAL_ADDRESS: 'localhost:7233' }))).toEqual([]);
    expect(insecureTransports(config({}, { TEMPORAL_ADDRESS: '[::1]:7233' }))).toEqual([]);
  });

  it('refuses Temporal without TLS and a webhook without HTTPS on other addresses, naming the fix', () => {
    const c = config({ ingest: { host: '0.0.0.0' } }, { TEMPORAL_ADDRESS: 'temporal.internal:7233' });
    expect(insecureTransports(c)).toEqual([
      'Temporal at temporal.internal:7233 without TLS: set TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY (mTLS), TEMPORAL_TLS_CA or TEMPORAL_TLS=true.',
      'The alert webhook listens on 0.0.0.0 without HTTPS: set ingest.tls.certPath and ingest.tls.keyPath.',
    ]);
    expect(transportVerdict(c, {}).refuse).toEqual([
      ...insecureTransports(c),
      'or, to accept the risk, set INCIDENT_ALLOW_INSECURE=1.',
    ]);
  });

  it('accepts TLS, an API key (Temporal Cloud) or HTTPS, and says loudly when the operator accepts the risk', () => {
    expect(insecureTransports(config({}, { TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' }))).toEqual(
      [],
    );
    expect(
      insecureTransports(config({}, { TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'true' })),
    ).toEqual([]);
    expect(
      insecureTransports(config({ ingest: { host: '0.0.0.0', tls: { certPath: 'c.pem', keyPath: 'k.pem' } } })),
    ).toEqual([]);
    const accepted = transportVerdict(config({}, { TEMPORAL_ADDRESS: '10.0.0.5:7233' }), {
      INCIDENT_ALLOW_INSECURE: '1',
    });
    expect(accepted.refuse).toBeUndefined();
    expect(accepted.warnings).toEqual([
      'WARNING: INSECURE: Temporal at 10.0.0.5:7233 without TLS: set TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY (mTLS), TEMPORAL_TLS_CA or TEMPORAL_TLS=true.',
    ]);
  });
});
