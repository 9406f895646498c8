import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ALERT_SOURCES, type Adapter, type AlertSource, type NormalizedAlert } from '../../domain/alerts/alert';
import type { IngestConfig, IngestSourceConfig } from '../../platform/config/schema';
import { authenticate, ReplayCache } from './auth';
import type { Delivery } from './correlate';
import type { IngestMetrics } from './metrics';
import { isTemporalUnavailable } from '../../platform/connection';

// The alert ingestion service: POST /v1/alerts/<source>. It answers 2xx only after Temporal accepted the
// start or signal, so the sender's own retry covers every failure, and 503 with Retry-After when Temporal
// cannot be reached in time. Credentials are checked before the body is parsed, and nothing of a refused
// body is ever logged.

export interface IngestDeps {
  config: IngestConfig;
  adapters: Record<AlertSource, Adapter>;
  deliver: (alerts: NormalizedAlert[], source: IngestSourceConfig, now: Date) => Promise<Delivery[]>;
  ready: () => Promise<boolean>;
  metrics: IngestMetrics;
  log: (event: Record<string, unknown>) => void;
  now?: () => Date;
  /** Answer within this budget, so a sender never times out on us first; past it the sender is told to retry. */
  deadlineMs?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return reject(new HttpError(413, `The body is larger than ${limit} bytes.`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new HttpError(413, `The body is larger than ${limit} bytes.`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4' : 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Identities of alerts accepted recently, so that a burst of repeats costs Temporal nothing. */
class RepeatFilter {
  private readonly lastAccepted = new Map<string, number>();
  constructor(private readonly maxEntries = 100_000) {}

  isRepeat(key: string, nowMs: number, windowMs: number): boolean {
    const at = this.lastAccepted.get(key);
    return at !== undefined && nowMs - at < windowMs;
  }

  accepted(key: string, nowMs: number): void {
    if (this.lastAccepted.size >= this.maxEntries) this.lastAccepted.clear();
    this.lastAccepted.set(key, nowMs);
  }
}

const identity = (a: NormalizedAlert) => `${a.source}\u0000${a.dedupKey}\u0000${a.status}`;

export function createIngestHandler(deps: IngestDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const replay = new ReplayCache();
  const repeats = new RepeatFilter();
  const now = deps.now ?? (() => new Date());
  const deadlineMs = deps.deadlineMs ?? 4_500;

  async function handleAlert(
    source: AlertSource,
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
  ): Promise<void> {
    const sourceConfig = deps.config.sources[source];
    if (!sourceConfig || (sourceConfig.bearerTokens.length === 0 && sourceConfig.webhookSecrets.length === 0)) {
      throw new HttpError(404, `Source "${source}" is not enabled: configure its bearer token or webhook secret.`, {
        reason: 'source-disabled',
      });
    }
    const body = await readBody(req, deps.config.bodyLimitBytes);
    const auth = authenticate(req.headers, body, sourceConfig, replay, Math.floor(now().getTime() / 1000));
    if (!auth.ok) throw new HttpError(401, 'Missing or wrong credentials.', { reason: `auth-${auth.reason}` });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new HttpError(400, `The body is not valid JSON: ${(err as Error).message}`, { reason: 'malformed-json' });
    }
    const result = deps.adapters[source](parsed, {
      receivedAt: now(),
      severityMap: sourceConfig.severityMap,
      defaultCategory: sourceConfig.defaultCategory,
    });
    if (!result.ok)
      throw new HttpError(422, `${result.field}: ${result.message}`, { field: result.field, reason: 'schema' });
    deps.metrics.count('alerts_received_total', { source }, result.alerts.length);
    const windowMs = (sourceConfig.suppressRepeatsSeconds ?? (source === 'falco' ? 60 : 0)) * 1000;
    const fresh = result.alerts.filter((a) => !repeats.isRepeat(identity(a), Date.now(), windowMs));
    if (fresh.length < result.alerts.length)
      deps.metrics.count('alerts_deduplicated_total', { source }, result.alerts.length - fresh.length);
    if (fresh.length === 0)
      return send(res, 202, { accepted: result.alerts.length, suppressed: result.alerts.length, incidents: [] });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HttpError(503, 'Temporal did not accept the alert in time; retry.', { reason: 'temporal-timeout' }),
          ),
        Math.max(100, deadlineMs - (Date.now() - started)),
      );
    });
    let deliveries: Delivery[];
    try {
      deliveries = await Promise.race([deps.deliver(fresh, sourceConfig, now()), timeout]);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (isTemporalUnavailable(err))
        throw new HttpError(503, 'Temporal is unreachable; retry.', { reason: 'temporal-unavailable' });
      throw err;
    } finally {
      clearTimeout(timer);
    }
    // Only now, with Temporal's acceptance, may a repeat be answered without being sent on.
    for (const a of fresh) repeats.accepted(identity(a), Date.now());
    deps.metrics.observeLatency((Date.now() - started) / 1000);
    for (const d of deliveries)
      if (d.started) deps.metrics.count('incidents_started_total', { source, start: d.started });
    deps.log({
      msg: 'alerts accepted',
      source,
      count: result.alerts.length,
      incidents: deliveries.map((d) => d.incidentId ?? null),
      auth: auth.method,
    });
    send(res, 202, {
      accepted: result.alerts.length,
      suppressed: result.alerts.length - fresh.length,
      incidents: deliveries,
    });
  }

  return (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://ingest');
    const route = /^\/v1\/alerts\/([a-z]+)\/?$/.exec(url.pathname);
    void (async () => {
      try {
        if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
        if (req.method === 'GET' && url.pathname === '/readyz') {
          // A probe must answer quickly: an unreachable server means "not ready", not a hung probe.
          const ok = await Promise.race([
            deps.ready().catch(() => false),
            new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref()),
          ]);
          return send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'temporal unreachable' });
        }
        if (req.method === 'GET' && url.pathname === '/metrics')
          return send(res, 200, await deps.metrics.render(), { 'content-type': deps.metrics.contentType });
        if (route && (ALERT_SOURCES as readonly string[]).includes(route[1])) {
          if (req.method !== 'POST') throw new HttpError(405, 'Use POST.', { reason: 'method' });
          return await handleAlert(route[1] as AlertSource, req, res, started);
        }
        throw new HttpError(404, `No such route. Alerts go to POST /v1/alerts/{${ALERT_SOURCES.join('|')}}.`, {
          reason: 'route',
        });
      } catch (err) {
        const source = route?.[1] ?? 'none';
        if (err instanceof HttpError) {
          deps.metrics.count('alerts_rejected_total', { source, reason: String(err.extra.reason ?? err.status) });
          deps.log({
            msg: 'request refused',
            status: err.status,
            source,
            reason: err.extra.reason,
            path: url.pathname,
          });
          const headers: Record<string, string> =
            err.status === 503 ? { 'retry-after': '10' } : err.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
          return send(
            res,
            err.status,
            { error: err.message, ...(err.extra.field ? { field: err.extra.field } : {}) },
            headers,
          );
        }
        deps.metrics.count('alerts_rejected_total', { source, reason: 'internal' });
        deps.log({ msg: 'request failed', source, error: (err as Error)?.message });
        send(res, 500, { error: 'Internal error; the alert was not accepted. Retry.' });
      }
    })();
  };
}

export interface IngestServer {
  url: string;
  close(): Promise<void>;
}

export async function startIngestServer(deps: IngestDeps): Promise<IngestServer> {
  const handler = createIngestHandler(deps);
  const { tls } = deps.config;
  const server =
    tls.certPath && tls.keyPath
      ? https.createServer(
          { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath), minVersion: 'TLSv1.2' },
          handler,
        )
      : http.createServer(handler);
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.port, deps.config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls.certPath ? 'https' : 'http'}://${deps.config.host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of finished requests would otherwise hold the close for their idle timeout.
        server.closeIdleConnections();
      }),
  };
}
