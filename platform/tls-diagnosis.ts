import { isIP } from 'node:net';
import tls from 'node:tls';
import type { TLSConfig } from '@temporalio/client';
import { nodeTlsOptions } from './temporal-target';

// When a connection to Temporal fails, gRPC says "Failed to connect before the deadline" or "HTTP status
// code 400", whatever the reason. This finds the reason an operator can act on: a TLS setting that does
// not match the server (or the TLS terminator in front of it). It runs only after a failure: one TLS
// handshake of its own, at most 2 s.

type TlsSettings = TLSConfig | undefined;

const PROBE_TIMEOUT_MS = 2_000;
/** A TLS 1.3 server refuses a client certificate after the handshake, in its first message. */
const POST_HANDSHAKE_WAIT_MS = 300;
const CLOSED_AFTER_HANDSHAKE = 'CLOSED_AFTER_HANDSHAKE';

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

function splitAddress(address: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  return m ? { host: m[1], port: Number(m[2]) } : undefined;
}

/** The HTTP status a proxy or terminator answered instead of gRPC, from the errors of either SDK connection. */
function httpStatusOf(err: unknown): number | undefined {
  for (
    let e = err as { message?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    const m = /Received HTTP status code (\d{3})|response with status: (\d{3})/.exec(e.message ?? '');
    if (m) return Number(m[1] ?? m[2]);
  }
  return undefined;
}

type Probe =
  | { ok: true; alpn: string | false }
  | { ok: false; error: NodeJS.ErrnoException & { cert?: { subjectaltname?: string } } };

function probe(host: string, port: number, options: tls.ConnectionOptions): Promise<Probe> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Probe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = tls.connect({ host, port, ALPNProtocols: ['h2'], ...options });
    const timer = setTimeout(
      () => done({ ok: false, error: Object.assign(new Error('no TLS handshake within 2 s'), { code: 'ETIMEDOUT' }) }),
      PROBE_TIMEOUT_MS,
    );
    socket.on('error', (error) => done({ ok: false, error }));
    socket.on('secureConnect', () => {
      // An HTTP/2 server speaks first (SETTINGS); one that hangs up instead refused this client after all.
      const closed = () =>
        done({
          ok: false,
          error: Object.assign(new Error('closed after the handshake'), { code: CLOSED_AFTER_HANDSHAKE }),
        });
      socket.once('end', closed);
      socket.once('close', closed);
      socket.once('data', () => done({ ok: true, alpn: socket.alpnProtocol ?? false }));
      setTimeout(() => done({ ok: true, alpn: socket.alpnProtocol ?? false }), POST_HANDSHAKE_WAIT_MS);
    });
  });
}

const SET_CERT = 'set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY';
const CHECK_CERT = 'check that TEMPORAL_TLS_CERT is signed by a CA the server trusts and still valid';

/**
 * What is wrong with the TLS settings for `address`, in words an operator acts on, or undefined when TLS is
 * not the problem (or cannot be told). `settings` is what the failed connection used (undefined: no TLS).
 */
export async function diagnoseConnectFailure(
  address: string,
  tlsOption: TLSConfig | boolean | null | undefined,
  err: unknown,
): Promise<string | undefined> {
  try {
    return await diagnose(address, tlsOption === true ? {} : tlsOption || undefined, err);
  } catch {
    return undefined; // a diagnosis that fails must not hide the connection error
  }
}

async function diagnose(address: string, settings: TlsSettings, err: unknown): Promise<string | undefined> {
  const target = splitAddress(address);
  if (!target) return undefined;
  const status = httpStatusOf(err);
  if (status !== undefined && settings) {
    if (status === 400 || status === 495 || status === 496) {
      return settings.clientCertPair
        ? `The server, or a TLS terminator in front of it, answered HTTP ${status}, as TLS terminators do for a client certificate they do not accept: ${CHECK_CERT}.`
        : `The server, or a TLS terminator in front of it, answered HTTP ${status}, as TLS terminators do when a client certificate is required and none was sent: ${SET_CERT}.`;
    }
    if (status >= 502 && status <= 504)
      return `A proxy or TLS terminator at ${address} answered HTTP ${status}: the TLS settings were accepted, but it cannot reach the Temporal server behind it.`;
  }
  const { host, port } = target;
  if (!settings) {
    const result = await probe(host, port, { rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    return result.ok
      ? `The server at ${address} speaks TLS and this client does not: set TEMPORAL_TLS_CA to the CA of its certificate (or TEMPORAL_TLS=true if a public CA signed it), and TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY if it requires a client certificate.`
      : undefined;
  }
  const options = nodeTlsOptions(settings, address);
  const serverName = options.servername;
  const result = await probe(host, port, options);
  if (result.ok)
    return result.alpn === 'h2'
      ? undefined
      : `The server at ${address} accepts TLS but not HTTP/2 (ALPN "h2"), which gRPC needs: is this the Temporal frontend or a gRPC-capable proxy?`;
  const code = result.error.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = result.error.cert?.subjectaltname;
    return `The server's certificate is not valid for ${serverName ?? host}${names ? ` (it names ${names})` : ''}: set TEMPORAL_TLS_SERVER_NAME to a name it carries.`;
  }
  if (UNTRUSTED.has(code))
    return `The server's certificate is not signed by a CA this client trusts (${code}): set TEMPORAL_TLS_CA to the CA that signed it.`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `The server's certificate is not valid now (${code}).`;
  if (
    /ALERT_(CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|ACCESS_DENIED|DECRYPT_ERROR)/.test(
      code,
    )
  ) {
    const alert = code.replace(/^ERR_SSL_/, '');
    return settings.clientCertPair
      ? `The server refused the TLS handshake (${alert}): it does not accept this client certificate; ${CHECK_CERT}.`
      : `The server refused the TLS handshake (${alert}): it requires a client certificate; ${SET_CERT}.`;
  }
  if (code === CLOSED_AFTER_HANDSHAKE) {
    return settings.clientCertPair
      ? `The server hung up right after the TLS handshake, without a word: it may not accept this client certificate; ${CHECK_CERT}.`
      : `The server hung up right after the TLS handshake, without a word: it may require a client certificate; ${SET_CERT}.`;
  }
  if (
    /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNEXPECTED_EOF|RECORD_LAYER_FAILURE/.test(code) ||
    code === 'ECONNRESET' ||
    code === 'EPROTO'
  ) {
    return `The server at ${address} did not complete a TLS handshake (${code}): it may not speak TLS; unset TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY and TEMPORAL_TLS_CA, or set TEMPORAL_TLS=false, if it is a plain-text server on a trusted network.`;
  }
  return undefined;
}
