import http2 from 'node:http2';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { httpProxyFor, tunnelThrough } from './grpc-proxy';
import { nodeTlsOptions, type GrpcTarget } from './temporal-target';

// Unary gRPC calls over Node's own HTTP/2, for the one read that must start fast (`incident list`):
// loading @grpc/grpc-js and the SDK's protobuf reflection took longer than the `temporal` CLI's whole
// listing, before the first byte is sent (README, Performance). Same settings as the SDK connection (temporal-target.ts): TLS or mTLS with an optional CA and
// server name, and the API key as a bearer token.

const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
export const GRPC_DEADLINE_EXCEEDED = 4;
export const GRPC_NOT_FOUND = 5;
export const GRPC_PERMISSION_DENIED = 7;
export const GRPC_UNAVAILABLE = 14;
export const GRPC_UNAUTHENTICATED = 16;

/**
 * A call that failed: the server's gRPC status, or, as gRPC itself reports them, UNAVAILABLE for a
 * connection that could not be made or broke, and DEADLINE_EXCEEDED for no reply in time.
 */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
    options?: { cause?: unknown },
  ) {
    super(`${STATUS_NAMES[code] ?? `status ${code}`}: ${details}`, options);
    this.name = 'GrpcStatusError';
  }
}

const unavailable = (err: Error) => new GrpcStatusError(GRPC_UNAVAILABLE, err.message, { cause: err });

export interface GrpcChannel {
  readonly target: GrpcTarget;
  /**
   * One unary call: `request` is the encoded message, the result the encoded reply. `onSent` is called
   * once the request has been handed to the connection.
   */
  unary(method: string, request: Uint8Array, timeoutMs: number, onSent?: () => void): Promise<Buffer>;
  close(): void;
}

function frame(message: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.byteLength, 1);
  return Buffer.concat([header, message]);
}

/** The messages of a gRPC body; replies here are uncompressed, since no grpc-accept-encoding is offered. */
function unframe(body: Buffer): Buffer {
  if (body.length < 5) throw new Error('The server closed the call without a reply.');
  if (body[0] !== 0) throw new Error('The server sent a compressed reply, which was not asked for.');
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) throw new Error('The reply was cut short.');
  return body.subarray(5, 5 + length);
}

function statusOf(headers: http2.IncomingHttpHeaders): { code: number; details: string } | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) return undefined;
  const message = headers['grpc-message'];
  let details = typeof message === 'string' ? message : '';
  try {
    details = decodeURIComponent(details);
  } catch {
    // left percent-encoded: still readable
  }
  return { code: Number(raw), details };
}

/** An HTTP/2 session to `target`, direct or through a CONNECT tunnel; undefined `socket` means direct. */
function connectSession(target: GrpcTarget, socket?: Socket): http2.ClientHttp2Session {
  // Through a tunnel too, TLS checks the Temporal server's name, not the proxy's.
  const tlsOptions = target.tls && { ...nodeTlsOptions(target.tls, target.address), ALPNProtocols: ['h2'] };
  const authority = `${tlsOptions ? 'https' : 'http'}://${target.address}`;
  if (!socket) return http2.connect(authority, tlsOptions ?? {});
  return http2.connect(authority, {
    createConnection: () => (tlsOptions ? tlsConnect({ ...tlsOptions, socket }) : socket),
  });
}

/** `env` is read for the HTTP proxy settings grpc-js honours (grpc-proxy.ts). */
export function openGrpcChannel(
  target: GrpcTarget,
  { connectTimeoutMs = 5_000, env = process.env as Record<string, string | undefined> } = {},
): GrpcChannel {
  const proxy = httpProxyFor(target.address, env);
  // Failures reach each call through its stream; the session's own must not crash the process.
  let sessionError: Error | undefined;
  let session: http2.ClientHttp2Session | undefined;
  const open = (s: http2.ClientHttp2Session) => {
    session = s;
    s.on('error', (err) => (sessionError = err));
    return new Promise<http2.ClientHttp2Session>((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('error', reject);
      s.once('close', () => reject(sessionError ?? new Error('the connection closed before it was established')));
    });
  };
  // Direct connections start at once: `incident list` sends its request before loading anything else.
  const opening = proxy
    ? tunnelThrough(proxy, target.address, connectTimeoutMs).then((socket) => open(connectSession(target, socket)))
    : open(connectSession(target));
  const connected = new Promise<http2.ClientHttp2Session>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`no connection within ${connectTimeoutMs / 1000} s (deadline)`), {
            code: 'ETIMEDOUT',
          }),
        ),
      connectTimeoutMs,
    );
    opening.then(resolve, reject).finally(() => clearTimeout(timer));
  });
  connected.catch(() => undefined);

  const headers = (method: string, timeoutMs: number): http2.OutgoingHttpHeaders => ({
    ':method': 'POST',
    ':path': `/temporal.api.workflowservice.v1.WorkflowService/${method}`,
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m`,
    'temporal-namespace': target.namespace,
    ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
  });

  return {
    target,
    async unary(method, request, timeoutMs, onSent) {
      const session = await connected.catch((err: Error) => Promise.reject(unavailable(err)));
      return new Promise<Buffer>((resolve, reject) => {
        const stream = session.request(headers(method, timeoutMs), { endStream: false });
        const chunks: Buffer[] = [];
        let status: { code: number; details: string } | undefined;
        let httpStatus = 0;
        const timer = setTimeout(() => {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(new GrpcStatusError(GRPC_DEADLINE_EXCEEDED, `no reply within ${timeoutMs / 1000} s (deadline)`));
        }, timeoutMs);
        const fail = (err: Error) => {
          clearTimeout(timer);
          reject(err);
        };
        stream.on('response', (h) => {
          httpStatus = Number(h[':status']);
          status = statusOf(h); // a trailers-only reply carries its status here
        });
        stream.on('trailers', (t) => (status = statusOf(t) ?? status));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (err) => fail(unavailable(sessionError ?? err)));
        stream.on('close', () => {
          clearTimeout(timer);
          // The wording of grpc-js, which tls-diagnosis.ts reads to tell a TLS terminator's refusal.
          if (httpStatus !== 200 && httpStatus !== 0)
            return reject(unavailable(new Error(`Received HTTP status code ${httpStatus}`)));
          if (!status) return reject(unavailable(sessionError ?? new Error('the call ended without a gRPC status')));
          if (status.code !== 0) return reject(new GrpcStatusError(status.code, status.details));
          try {
            resolve(unframe(Buffer.concat(chunks)));
          } catch (err) {
            reject(err);
          }
        });
        stream.end(frame(request), onSent);
      });
    },
    close() {
      if (session) session.close();
      else
        void opening.then(
          (s) => s.close(),
          () => undefined,
        );
    },
  };
}
