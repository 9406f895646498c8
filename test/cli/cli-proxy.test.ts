import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy';
import { expectNoStack, expectOk, startCliWorld, uniqueId, type CliWorld } from './harness';

// Behind an HTTP proxy (grpc_proxy / https_proxy / http_proxy, as grpc-js reads them), `incident list`,
// which makes its own gRPC call, goes through the proxy exactly as the commands that use the SDK do.

describe('incident CLI behind an HTTP CONNECT proxy', () => {
  let world: CliWorld;
  let proxy: ConnectProxy;
  let guarded: ConnectProxy;
  beforeAll(async () => {
    world = await startCliWorld('proxy');
    proxy = await startConnectProxy();
    guarded = await startConnectProxy({ requireCredentials: 'responder:s3cret pass' });
  });
  afterAll(async () => {
    await world?.stop();
    await proxy?.close();
    await guarded?.close();
  });

  it('lists and shows through the proxy, and directly for a host in no_proxy', async () => {
    const id = uniqueId('INC-PROXY');
    expectOk(
      await world.run([
        'open',
        '--id',
        id,
        '--title',
        'Behind the proxy',
        '--severity',
        'SEV2',
        '--category',
        'intrusion',
        '--detection',
        'test',
      ]),
    );
    const server = inject('devServerAddress');

    const listed = expectOk(await world.run(['list', '--json'], { https_proxy: proxy.url }));
    expect(JSON.parse(listed.stdout).map((r: { incidentId: string }) => r.incidentId)).toContain(id);
    expect(proxy.tunnels).toEqual([{ target: server, allowed: true, authorization: undefined }]);

    expectOk(await world.run(['show', id], { grpc_proxy: proxy.url, https_proxy: 'http://127.0.0.1:1' }));
    expect(proxy.tunnels.map((t) => t.target)).toEqual([server, server]);

    expectOk(await world.run(['list'], { https_proxy: proxy.url, no_proxy: 'example.org,127.0.0.0/8' }));
    expect(proxy.tunnels).toHaveLength(2);
  });

  it('passes the proxy credentials from its URL, and a refusal is reported as Temporal unreachable, naming the proxy', async () => {
    const server = inject('devServerAddress');
    expectOk(
      await world.run(['list'], {
        http_proxy: `http://responder:${encodeURIComponent('s3cret pass')}@${guarded.url.slice('http://'.length)}`,
      }),
    );
    expect(guarded.tunnels.at(-1)).toMatchObject({ target: server, allowed: true });

    const refused = await world.run(['list'], { http_proxy: guarded.url });
    expectNoStack(refused);
    expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 3, stdout: '' });
    expect(refused.stderr).toBe(
      `Temporal is not reachable at ${server} (UNAVAILABLE: the proxy ${guarded.url.slice('http://'.length)} refused the tunnel to ${server} (HTTP 407)). Start the embedded server with \`npm start\`, or set TEMPORAL_ADDRESS to your cluster.\n`,
    );
    expect(refused.stderr).not.toContain('s3cret');
  });
});
