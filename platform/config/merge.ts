import { ALERT_SOURCES } from '../../domain/alerts/alert';

// How the configuration file and the environment combine, before validation. Kept apart from the schema
// (schema.ts) so that a command can find where Temporal is without loading zod first.

/** Where Temporal is when nothing says otherwise: the embedded dev server. */
export const TEMPORAL_DEFAULTS = {
  namespace: 'default',
  taskQueue: 'incident-response',
  devServer: { ip: '127.0.0.1', port: 7233, uiPort: 8233 },
} as const;

type Env = Record<string, string | undefined>;

/** Environment variables override the file; Temporal's use the names the `temporal` CLI uses. */
export function envOverlay(env: Env): Record<string, unknown> {
  const temporal: Record<string, unknown> = {};
  const tls: Record<string, unknown> = {};
  const smtp: Record<string, unknown> = {};
  const set = (target: Record<string, unknown>, key: string, value: unknown) => {
    if (value !== undefined && value !== '') target[key] = value;
  };
  set(temporal, 'address', env.TEMPORAL_ADDRESS);
  set(temporal, 'namespace', env.TEMPORAL_NAMESPACE);
  set(temporal, 'apiKey', env.TEMPORAL_API_KEY);
  set(temporal, 'taskQueue', env.INCIDENT_TASK_QUEUE);
  set(tls, 'certPath', env.TEMPORAL_TLS_CERT);
  set(tls, 'keyPath', env.TEMPORAL_TLS_KEY);
  set(tls, 'caPath', env.TEMPORAL_TLS_CA);
  set(tls, 'serverName', env.TEMPORAL_TLS_SERVER_NAME);
  if (env.TEMPORAL_TLS !== undefined && env.TEMPORAL_TLS !== '')
    tls.enabled = env.TEMPORAL_TLS === 'true' || env.TEMPORAL_TLS === '1';
  if (Object.keys(tls).length) temporal.tls = tls;
  const devServer: Record<string, unknown> = {};
  set(devServer, 'port', env.INCIDENT_DEV_SERVER_PORT);
  set(devServer, 'uiPort', env.INCIDENT_DEV_SERVER_UI_PORT);
  if (Object.keys(devServer).length) temporal.devServer = devServer;
  set(smtp, 'url', env.SMTP_URL);
  set(smtp, 'host', env.SMTP_HOST);
  set(smtp, 'port', env.SMTP_PORT);
  set(smtp, 'user', env.SMTP_USER);
  set(smtp, 'password', env.SMTP_PASSWORD);
  if (env.SMTP_SECURE) smtp.secure = env.SMTP_SECURE === 'true' || env.SMTP_SECURE === '1';
  const overlay: Record<string, unknown> = {};
  const list = (v: string | undefined) =>
    v
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined;
  // Ingestion secrets belong in the environment (or *_FILE), not in a config file:
  // INCIDENT_INGEST_<SOURCE>_TOKENS and INCIDENT_INGEST_<SOURCE>_WEBHOOK_SECRETS, comma-separated.
  const ingest: Record<string, unknown> = {};
  set(ingest, 'port', env.INCIDENT_INGEST_PORT);
  set(ingest, 'host', env.INCIDENT_INGEST_HOST);
  const sources: Record<string, unknown> = {};
  for (const source of ALERT_SOURCES) {
    const prefix = `INCIDENT_INGEST_${source.toUpperCase()}_`;
    const entry: Record<string, unknown> = {};
    set(entry, 'bearerTokens', list(env[`${prefix}TOKENS`]));
    set(entry, 'webhookSecrets', list(env[`${prefix}WEBHOOK_SECRETS`]));
    if (Object.keys(entry).length) sources[source] = entry;
  }
  if (Object.keys(sources).length) ingest.sources = sources;
  if (Object.keys(ingest).length) overlay.ingest = ingest;
  if (Object.keys(temporal).length) overlay.temporal = temporal;
  if (Object.keys(smtp).length) overlay.smtp = smtp;
  set(overlay, 'dataDir', env.INCIDENT_DATA_DIR);
  set(overlay, 'mailFrom', env.SMTP_FROM);
  set(overlay, 'atRest', env.INCIDENT_AT_REST_ENCRYPTION);
  const trail: Record<string, unknown> = {};
  set(trail, 'keyFile', env.INCIDENT_TRAIL_KEY_FILE);
  set(trail, 'publicKeys', list(env.INCIDENT_TRAIL_PUBLIC_KEYS));
  if (Object.keys(trail).length) overlay.trail = trail;
  const board: Record<string, unknown> = {};
  set(board, 'host', env.INCIDENT_BOARD_HOST);
  set(board, 'port', env.INCIDENT_BOARD_PORT);
  set(board, 'publicUrl', env.INCIDENT_BOARD_PUBLIC_URL);
  if (env.INCIDENT_BOARD_ENABLED !== undefined) board.enabled = env.INCIDENT_BOARD_ENABLED === 'true';
  if (Object.keys(board).length) overlay.board = board;
  const metrics: Record<string, unknown> = {};
  set(metrics, 'address', env.INCIDENT_METRICS_ADDRESS);
  if (Object.keys(metrics).length) overlay.metrics = metrics;
  const links: Record<string, unknown> = {};
  set(links, 'keyFile', env.INCIDENT_LINK_KEY_FILE);
  set(links, 'publicKeys', list(env.INCIDENT_LINK_PUBLIC_KEYS));
  if (Object.keys(links).length) overlay.links = links;
  const worker: Record<string, unknown> = {};
  set(worker, 'maxCachedWorkflows', env.INCIDENT_MAX_CACHED_WORKFLOWS);
  set(worker, 'seniorAlertSlots', env.INCIDENT_SENIOR_ALERT_SLOTS);
  set(worker, 'seniorAlertPollers', env.INCIDENT_SENIOR_ALERT_POLLERS);
  if (Object.keys(worker).length) overlay.worker = worker;
  const postgres: Record<string, unknown> = {};
  set(postgres, 'url', env.DATABASE_URL);
  set(postgres, 'passwordFile', env.DATABASE_PASSWORD_FILE);
  set(postgres, 'migrationUrl', env.DATABASE_MIGRATION_URL);
  const s3: Record<string, unknown> = {};
  set(s3, 'endpoint', env.S3_ENDPOINT);
  set(s3, 'bucket', env.S3_BUCKET);
  set(s3, 'region', env.S3_REGION);
  const storage: Record<string, unknown> = {};
  if (Object.keys(postgres).length) storage.postgres = postgres;
  if (Object.keys(s3).length) storage.s3 = s3;
  if (Object.keys(storage).length) overlay.storage = storage;
  return overlay;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(
      `Invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix these and start again; README.md lists every setting.`,
    );
    this.name = 'ConfigError';
  }
}

/** The settings that say where and how to reach Temporal (the validated schema's output has this shape). */
export interface TemporalSettings {
  address?: string;
  namespace: string;
  apiKey?: string;
  tls: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string; enabled?: boolean };
  devServer: { ip: string; port: number; uiPort: number };
}

/**
 * Temporal's settings read from merged, not yet validated content, with the schema's defaults; undefined
 * when one has the wrong type, which validation will then report. A caller may start work with these, but
 * must compare them with the validated settings before trusting the result.
 */
export function peekTemporalSettings(merged: unknown): TemporalSettings | undefined {
  const temporal = isPlainObject(merged) ? (merged.temporal ?? {}) : {};
  if (!isPlainObject(temporal)) return undefined;
  const tls = temporal.tls ?? {};
  const devServer = temporal.devServer ?? {};
  if (!isPlainObject(tls) || !isPlainObject(devServer)) return undefined;
  const strings = [
    temporal.address,
    temporal.namespace,
    temporal.apiKey,
    tls.certPath,
    tls.keyPath,
    tls.caPath,
    tls.serverName,
    devServer.ip,
  ];
  if (strings.some((v) => v !== undefined && typeof v !== 'string')) return undefined;
  if (tls.enabled !== undefined && typeof tls.enabled !== 'boolean') return undefined;
  const port = Number(devServer.port ?? TEMPORAL_DEFAULTS.devServer.port);
  const uiPort = Number(devServer.uiPort ?? TEMPORAL_DEFAULTS.devServer.uiPort);
  if (!Number.isInteger(port) || !Number.isInteger(uiPort)) return undefined;
  const text = (v: unknown) => v as string | undefined;
  return {
    address: text(temporal.address),
    namespace: text(temporal.namespace) ?? TEMPORAL_DEFAULTS.namespace,
    apiKey: text(temporal.apiKey),
    tls: {
      certPath: text(tls.certPath),
      keyPath: text(tls.keyPath),
      caPath: text(tls.caPath),
      serverName: text(tls.serverName),
      enabled: tls.enabled as boolean | undefined,
    },
    devServer: { ip: text(devServer.ip) ?? TEMPORAL_DEFAULTS.devServer.ip, port, uiPort },
  };
}
