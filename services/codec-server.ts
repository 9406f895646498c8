import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { sameSecret } from './ingest/auth';

// The codec server of the Temporal Web UI: it decodes payloads for people allowed to read incidents in
// the UI, and nobody else. Browsers may call it only from the UI's origin (CORS). A bearer token is
// required when one is configured, which is how a UI with its own login passes its access token.
// Without a token (the embedded default) it listens on loopback only and answers only the UI's origin.

export interface CodecServerOptions {
  /** One codec, or one per namespace (the UI names it in X-Namespace), for a key per tenant. */
  codec: PayloadCodec | ((namespace: string) => PayloadCodec | undefined);
  /** The Web UI's origins, e.g. http://127.0.0.1:8233 and http://localhost:8233. */
  uiOrigins: string[];
  token?: string;
  host?: string;
  port?: number;
  bodyLimitBytes?: number;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export function createCodecHandler(options: CodecServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.bodyLimitBytes ?? 4 * 1024 * 1024;
  return (req, res) => {
    const origin = req.headers.origin;
    const send = (status: number, body?: unknown) => {
      const headers: Record<string, string> = { 'cache-control': 'no-store', vary: 'Origin' };
      if (origin !== undefined && options.uiOrigins.includes(origin)) {
        headers['access-control-allow-origin'] = origin;
        headers['access-control-allow-credentials'] = 'true';
        headers['access-control-allow-methods'] = 'POST, OPTIONS';
        headers['access-control-allow-headers'] = 'content-type, x-namespace, authorization';
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      res.writeHead(status, headers);
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://codec');
    const fromUi = origin !== undefined && options.uiOrigins.includes(origin);
    if (origin !== undefined && !fromUi) return send(403, { error: 'Origin not allowed.' });
    if (req.method === 'OPTIONS') return send(204);
    if (req.method !== 'POST' || (url.pathname !== '/decode' && url.pathname !== '/encode'))
      return send(404, { error: 'Use POST /decode or POST /encode.' });
    if (options.token) {
      const match = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      if (!match || !sameSecret(match[1], options.token))
        return send(401, { error: 'A valid bearer token is required.' });
    } else if (!fromUi) {
      // No token configured: only the Web UI, from its own origin, may ask.
      return send(401, { error: 'Only the Web UI may use this codec server.' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        let body: { payloads?: JsonPayload[] };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (!Array.isArray(body.payloads)) throw new Error('payloads must be a list');
        } catch (err) {
          return send(400, { error: `The body must be {"payloads": [...]}: ${(err as Error).message}` });
        }
        const namespace = String(req.headers['x-namespace'] || 'default');
        let codec: PayloadCodec | undefined;
        try {
          codec = typeof options.codec === 'function' ? options.codec(namespace) : options.codec;
        } catch (err) {
          return send(422, { error: (err as Error).message });
        }
        if (!codec)
          return send(404, {
            error: `This codec server has no payload keys for namespace "${namespace.slice(0, 80)}".`,
          });
        try {
          const payloads = body.payloads.map(toPayload);
          const out = url.pathname === '/decode' ? await codec.decode(payloads) : await codec.encode(payloads);
          send(200, { payloads: out.map(toJson) });
        } catch (err) {
          send(422, { error: (err as Error).message });
        }
      })();
    });
  };
}

export async function startCodecServer(options: CodecServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(createCodecHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
