import { describe, expect, it } from 'vitest';
import { httpProxyFor } from '../../platform/grpc-proxy';

// Which proxy `incident list` uses: the one @grpc/grpc-js would use for the SDK's connections.

describe('the HTTP proxy for a Temporal address', () => {
  it('takes grpc_proxy, then https_proxy, then http_proxy, with credentials from the URL', () => {
    expect(httpProxyFor('temporal.example:7233', {})).toBeUndefined();
    expect(
      httpProxyFor('temporal.example:7233', { http_proxy: 'http://p1:3128', https_proxy: 'http://p2:8080' }),
    ).toEqual({ address: 'p2:8080', credentials: undefined });
    expect(
      httpProxyFor('temporal.example:7233', { grpc_proxy: 'http://u:p%40ss@p3', http_proxy: 'http://p1:3128' }),
    ).toEqual({ address: 'p3:80', credentials: 'u:p@ss' });
    expect(httpProxyFor('temporal.example:7233', { http_proxy: 'http://only-user@p1:3128' })).toEqual({
      address: 'p1:3128',
      credentials: 'only-user',
    });
  });

  it('connects directly to hosts in no_grpc_proxy or no_proxy (suffixes and IPv4 ranges), and ignores what grpc-js ignores', () => {
    const proxy = { https_proxy: 'http://p:3128' };
    expect(
      httpProxyFor('temporal.corp.example:7233', { ...proxy, no_proxy: 'other.example, corp.example' }),
    ).toBeUndefined();
    expect(httpProxyFor('10.1.2.3:7233', { ...proxy, no_proxy: '10.0.0.0/8' })).toBeUndefined();
    expect(httpProxyFor('11.1.2.3:7233', { ...proxy, no_proxy: '10.0.0.0/8' })).toEqual({
      address: 'p:3128',
      credentials: undefined,
    });
    expect(
      httpProxyFor('10.1.2.3:7233', { ...proxy, no_grpc_proxy: 'nothing.example', no_proxy: '10.0.0.0/8' }),
    ).toEqual({ address: 'p:3128', credentials: undefined });
    expect(httpProxyFor('temporal.example:7233', { https_proxy: 'https://p:3128' })).toBeUndefined();
    expect(httpProxyFor('temporal.example:7233', { https_proxy: 'not a url' })).toBeUndefined();
  });
});
