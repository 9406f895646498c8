import http from 'node:http';
import { isIPv4 } from 'node:net';
import type { Socket } from 'node:net';
import { hostOf } from './transport-security';

// The HTTP CONNECT proxy that @grpc/grpc-js would use for an address, from the same environment
// variables and with the same precedence, so that `incident list` (grpc-channel.ts) goes the way every
// SDK connection of the CLI goes: grpc_proxy, then https_proxy, then http_proxy; no_grpc_proxy, then
// no_proxy, list the hosts (suffixes or IPv4 CIDR ranges) reached directly.

export interface HttpProxy {
  /** host:port of the proxy. */
  address: string;
  /** For Proxy-Authorization: Basic, from the user and password of the proxy URL. */
  credentials?: string;
}

type Env = Record<string, string | undefined>;

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => (acc << 8) + Number(octet), 0);
}

function excluded(host: string, env: Env): boolean {
  const list = (env.no_grpc_proxy || env.no_proxy || '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return list.some((entry) => {
    const [range, bits] = entry.split('/');
    if (bits !== undefined && isIPv4(range) && isIPv4(host)) {
      const prefix = Number(bits);
      const mask = prefix === 0 ? 0 : -1 << (32 - prefix);
      return (ipv4ToInt(host) & mask) === (ipv4ToInt(range) & mask);
    }
    return host.endsWith(entry);
  });
}

/** The proxy for `address` (host:port), or undefined to connect directly; a proxy setting grpc-js would ignore is ignored. */
export function httpProxyFor(address: string, env: Env): HttpProxy | undefined {
  const setting = env.grpc_proxy || env.https_proxy || env.http_proxy;
  if (!setting) return undefined;
  let url: URL;
  try {
    url = new URL(setting);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:') return undefined;
  if (excluded(hostOf(address), env)) return undefined;
  const user = decodeURIComponent(url.username);
  return {
    address: `${url.hostname}:${url.port || '80'}`,
    credentials: user ? (url.password ? `${user}:${decodeURIComponent(url.password)}` : user) : undefined,
  };
}

/** A TCP stream to `address` through the proxy's CONNECT tunnel. */
export function tunnelThrough(proxy: HttpProxy, address: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: hostOf(proxy.address),
      port: Number(proxy.address.split(':').pop()),
      method: 'CONNECT',
      path: address,
      headers: {
        Host: address,
        ...(proxy.credentials
          ? { 'Proxy-Authorization': `Basic ${Buffer.from(proxy.credentials).toString('base64')}` }
          : {}),
      },
      timeout: timeoutMs,
    });
    request.once('connect', (response, socket, head) => {
      if (response.statusCode === 200) {
        // The server may speak first (a gRPC server sends its SETTINGS at once): bytes that came with the
        // proxy's answer belong to the tunnel.
        if (head.length) socket.unshift(head);
        return resolve(socket);
      }
      socket.destroy();
      reject(new Error(`the proxy ${proxy.address} refused the tunnel to ${address} (HTTP ${response.statusCode})`));
    });
    request.once('timeout', () =>
      request.destroy(new Error(`the proxy ${proxy.address} did not answer within ${timeoutMs / 1000} s`)),
    );
    request.once('error', (err) => reject(new Error(`the proxy ${proxy.address} cannot be reached (${err.message})`)));
    request.end();
  });
}
