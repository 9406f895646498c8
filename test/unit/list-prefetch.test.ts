import { describe, expect, it } from 'vitest';
import { claimListPrefetch, listFilterOf, startListPrefetch, type ListPrefetch } from '../../client/cli/list-prefetch';
import { deepMerge, envOverlay, peekTemporalSettings } from '../../platform/config/merge';
import { parseConfig } from '../../platform/config/schema';
import { connectionIdentity } from '../../platform/temporal-target';

// `incident list` sends its request on settings read before validation; it may use the reply only when
// they are the validated settings. These tests hold the two readings to the same answer.

describe('which command lines are prefetched', () => {
  it('reads the filter of a plain list command, and nothing else', () => {
    expect(listFilterOf(['list'])).toEqual({});
    expect(
      listFilterOf(['list', '--all', '--severity', 'SEV1', '--json', '--impact=personal', '--phase', 'closed']),
    ).toEqual({ all: true, severity: 'SEV1', impact: 'personal', phase: 'closed' });
    for (const argv of [
      ['show', 'INC-1'],
      ['list', '--severity'],
      ['list', '--bogus'],
      ['--as', 'bob', 'list'],
      ['list', 'extra'],
      [],
    ]) {
      expect(listFilterOf(argv), argv.join(' ')).toBeUndefined();
    }
  });
});

describe('settings read before validation', () => {
  const cases: [string, unknown, Record<string, string>][] = [
    ['defaults', {}, {}],
    [
      'environment',
      {},
      {
        TEMPORAL_ADDRESS: 'temporal.example:7233',
        TEMPORAL_NAMESPACE: 'tenant-a',
        TEMPORAL_API_KEY: 'k',
        TEMPORAL_TLS_CA: '/ca.pem',
        TEMPORAL_TLS_SERVER_NAME: 'frontend',
      },
    ],
    [
      'file',
      { temporal: { address: '10.1.2.3:7233', namespace: 'n', tls: { certPath: '/c', keyPath: '/k', enabled: true } } },
      {},
    ],
    [
      'environment over file',
      { temporal: { address: 'a:1', namespace: 'file-ns', tls: { caPath: '/file-ca' } } },
      { TEMPORAL_ADDRESS: 'b:2', TEMPORAL_TLS_CA: '/env-ca', TEMPORAL_TLS: 'false' },
    ],
    [
      'dev server port from the environment',
      { temporal: { devServer: { ip: '127.0.0.2' } } },
      { INCIDENT_DEV_SERVER_PORT: '7299' },
    ],
    [
      'unrelated sections',
      { policy: { timeZone: 'UTC' }, smtp: { host: 'mail', port: 25 }, dataDir: '/d' },
      { TEMPORAL_TLS: '1' },
    ],
  ];

  it('reach the same server, namespace and identity as the validated settings', () => {
    for (const [what, file, env] of cases) {
      const peeked = peekTemporalSettings(deepMerge(file, envOverlay(env)));
      expect(peeked, what).toBeDefined();
      expect(connectionIdentity(peeked!), what).toBe(connectionIdentity(parseConfig(file, env).temporal));
    }
  });

  it('are not used when a Temporal setting has the wrong type, which validation then reports', () => {
    for (const file of [
      { temporal: { address: 7233 } },
      { temporal: { tls: { enabled: 'yes' } } },
      { temporal: { devServer: { port: 'x' } } },
      { temporal: 'localhost' },
    ]) {
      expect(peekTemporalSettings(deepMerge(file, envOverlay({}))), JSON.stringify(file)).toBeUndefined();
      expect(() => parseConfig(file, {}), JSON.stringify(file)).toThrow(/Invalid configuration/);
    }
  });

  it('send nothing in clear off this machine', () => {
    expect(
      startListPrefetch(['list'], { TEMPORAL_ADDRESS: '10.0.0.1:7233', INCIDENT_CONFIG: '' }, '/nonexistent'),
    ).toBeUndefined();
  });
});

describe('claiming the early reply', () => {
  const prefetch = (): ListPrefetch & { closed: number } => {
    const p = {
      identity: 'same',
      query: 'q',
      closed: 0,
      channel: {
        target: { address: 'a', namespace: 'n' },
        unary: async () => Buffer.alloc(0),
        close: () => void p.closed++,
      },
      firstPage: Promise.resolve(new Uint8Array(0)),
      sent: Promise.resolve(),
    };
    return p;
  };

  it('is used only for the same settings and query; otherwise its connection is closed', () => {
    const p = prefetch();
    expect(claimListPrefetch(p, 'same', 'q')).toBe(p);
    expect(p.closed).toBe(0);
    for (const [identity, query] of [
      ['other', 'q'],
      ['same', 'other query'],
    ]) {
      const q = prefetch();
      expect(claimListPrefetch(q, identity, query)).toBeUndefined();
      expect(q.closed).toBe(1);
    }
    expect(claimListPrefetch(undefined, 'same', 'q')).toBeUndefined();
  });
});
