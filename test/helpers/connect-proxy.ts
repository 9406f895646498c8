import http from 'node:http';
import net from 'node:net';

// An HTTP CONNECT proxy, as corporate networks put between a responder and a Temporal cluster: it opens
// a TCP tunnel to whatever host:port a client asks for, records each request, and can require
// credentials or refuse.

export interface ConnectProxy {
  url: string;
  /** host:port of every CONNECT, with whether it was let through. */
  tunnels: { target: string; allowed: boolean; authorization?: string }[];
  close(): Promise<void>;
}

export async function startConnectProxy({
  requireCredentials,
}: { requireCredentials?: string } = {}): Promise<ConnectProxy> {
  const tunnels: ConnectProxy['tunnels'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    const authorization = req.headers['proxy-authorization'];
    const allowed =
      !requireCredentials || authorization === `Basic ${Buffer.from(requireCredentials).toString('base64')}`;
    tunnels.push({ target: req.url ?? '', allowed, authorization });
    if (!allowed) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const [host, port] = [(req.url ?? '').replace(/:\d+$/, ''), Number((req.url ?? '').split(':').pop())];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
