import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { boardUrl } from '../../platform/board-url';
import type { BoardConfig } from '../../platform/config/schema';
import { registerBoardRoutes, type BoardRouteDeps } from './board-routes';
import { registerLinkRoutes, type LinkRouteDeps } from './link-routes';
import { BOARD_SCRIPT } from './board-script';
import { ICON_SVG, STYLESHEET } from './page';

// The leadership web service: the pages that links in mail open. Fastify does the routing and parsing;
// its request log is off, because a link's URL is a credential (our own log lines name a link by its id).

/** Every answer: nothing cached, nothing external, no Referer to carry a link onwards, no framing. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

/** The origin a browser names on the board's own forms: the address mail links use. */
const publicOrigin = (config: BoardConfig) => new URL(boardUrl({ board: config })).origin;

export class BoardConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardConfigError';
  }
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

export interface BoardServer {
  url: string;
  close(): Promise<void>;
}

export type BoardDeps = LinkRouteDeps & BoardRouteDeps;

export function buildBoardApp(config: BoardConfig, deps: BoardDeps): FastifyInstance {
  const { certPath, keyPath } = config.tls;
  if (Boolean(certPath) !== Boolean(keyPath))
    throw new BoardConfigError('board.tls needs both certPath and keyPath (a certificate and its private key in PEM).');
  if (!certPath && !isLoopback(config.host))
    throw new BoardConfigError(
      `The board would serve plain HTTP on ${config.host}: set board.tls.certPath and board.tls.keyPath, or board.host to 127.0.0.1 behind a TLS proxy.`,
    );
  let https: { cert: Buffer; key: Buffer; minVersion: 'TLSv1.2' } | undefined;
  if (certPath && keyPath) {
    try {
      https = { cert: readFileSync(certPath), key: readFileSync(keyPath), minVersion: 'TLSv1.2' };
    } catch (err) {
      throw new BoardConfigError(`board.tls: cannot read ${(err as NodeJS.ErrnoException).path ?? 'the certificate'}.`);
    }
  }
  // A link's token is one path segment of a few hundred characters.
  const options = { logger: false, routerOptions: { maxParamLength: 2048 }, bodyLimit: 16 * 1024 } as const;
  const app = (https ? Fastify({ ...options, https }) : Fastify(options)) as FastifyInstance;
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    // Served over TLS: browsers are told to come back only that way (a session cookie never goes in clear).
    if (https) reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });
  void app.register(formbody, { bodyLimit: 4096 });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/assets/board.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(STYLESHEET));
  app.get('/assets/icon.svg', async (_req, reply) => reply.type('image/svg+xml').send(ICON_SVG));
  app.get('/assets/board.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(BOARD_SCRIPT));
  // A form posted from another site (a forged request riding the session cookie) is refused before routing.
  // Browsers name the sending site in Sec-Fetch-Site, which a page cannot set; its Origin header is "null"
  // under the board's no-referrer policy, so Origin decides only for a browser that sends no Sec-Fetch-Site.
  const scheme = config.tls.certPath ? 'https' : 'http';
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST') return;
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const ownOrigins = [publicOrigin(config), `${scheme}://${req.headers.host}`];
    const crossSite = site ? site !== 'same-origin' && site !== 'none' : !!origin && !ownOrigins.includes(origin);
    if (crossSite) return reply.code(403).type('text/plain').send('Refused: the form was sent from another site.');
  });
  registerLinkRoutes(app, deps);
  registerBoardRoutes(app, deps);
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).type('text/plain').send('Not found.'));
  app.setErrorHandler(async (err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.log({ event: 'board.error', error: err.message.split('\n')[0] });
    return reply
      .code(status)
      .type('text/plain')
      .send(status === 500 ? 'Something went wrong.' : 'Bad request.');
  });
  return app;
}

export async function startBoardServer(config: BoardConfig, deps: BoardDeps): Promise<BoardServer> {
  const app = buildBoardApp(config, deps);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address() as AddressInfo;
  const scheme = config.tls.certPath ? 'https' : 'http';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `${scheme}://${host}:${address.port}`, close: () => app.close() };
}
