import { z } from 'zod';
import { accessSchema } from '../../domain/access-settings';
import { ALERT_SOURCES } from '../../domain/alerts/alert';
import { CATEGORIES, SEVERITIES } from '../../domain/incident';
import { systemsSchema } from '../../domain/systems';
import { ConfigError, deepMerge, envOverlay, TEMPORAL_DEFAULTS } from './merge';
import { policySchema } from '../../domain/policy-schema';
import { policyProfilesSchema, resolvePolicyProfiles } from './policy-profiles';
import { storageSchema } from './storage-schema';
import { digestSchema, resolveDigest } from './digest';

export { ConfigError, deepMerge, envOverlay } from './merge';

// The whole configuration as one validated object: a file merged with environment variables, defaults
// for everything, and one error message that names every wrong field. Reading the file is the caller's job.

const smtpSchema = z.object({
  url: z.string().optional(),
  host: z.string().optional(),
  port: z.coerce.number().int().positive().optional(),
  /** true: TLS from the first byte (port 465); false: STARTTLS, which is then required unless the host is loopback. */
  secure: z.boolean().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
});

const ingestSourceSchema = z.object({
  /** For senders that cannot sign (Alertmanager http_config, Falcosidekick headers, EventBridge). */
  bearerTokens: z.array(z.string().min(16, 'a bearer token needs at least 16 characters')).default([]),
  /** Standard Webhooks secrets; list the old and the new one during a rotation. */
  webhookSecrets: z.array(z.string().min(16, 'a webhook secret needs at least 16 characters')).default([]),
  severityMap: z.record(z.string(), z.enum(SEVERITIES)).optional(),
  defaultCategory: z.enum(CATEGORIES).optional(),
  /** Alerts at this severity or above open an incident; below it they only attach to an open one. */
  openAtOrAbove: z.enum(SEVERITIES).default('SEV3'),
  /**
   * A repeat of an accepted alert (same identity and status) within this window is answered at once and
   * not sent on. Default: 60 s for Falco, whose events have no id of their own and repeat many times a
   * second; 0 (off) for sources with stable ids, whose repeats the incident deduplicates anyway.
   */
  suppressRepeatsSeconds: z.number().min(0).optional(),
});

const ingestSchema = z.object({
  enabled: z.boolean().default(true),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  bodyLimitBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  tls: z.object({ certPath: z.string().optional(), keyPath: z.string().optional() }).default({}),
  sources: z.partialRecord(z.enum(ALERT_SOURCES), ingestSourceSchema).default({}),
});

/** The worker's trail key, which signs audit checkpoints (platform/trail-key.ts). */
const trailSchema = z.object({
  /** An Ed25519 private key in PEM (INCIDENT_TRAIL_KEY_FILE); unset: the data dir's, made by the embedded default. */
  keyFile: z.string().min(1).optional(),
  /** Public keys (PEM, or the raw key in base64) whose checkpoints are accepted: earlier keys after a rotation. */
  publicKeys: z.array(z.string().min(1)).default([]),
  /** A gap between the worker's clock and Temporal's over this is recorded as a problem on the incident. */
  maxClockSkewSeconds: z.number().positive().default(120),
});

/** The leadership web service: the pages mail links open (services/board/). */
const boardSchema = z.object({
  /** Unset: on for the embedded default, off for a worker of a cluster (one board per installation is enough). */
  enabled: z.boolean().optional(),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8790),
  /** The address links in mail point to (a reverse proxy's, say); unset: this service's own. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  tls: z.object({ certPath: z.string().optional(), keyPath: z.string().optional() }).default({}),
  /** A board session ends after this long without a request (sessions live in memory: a restart ends them). */
  sessionIdleMinutes: z
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
});

/** The worker's link key, which signs the links in leadership mail (platform/link-key.ts). */
const linksSchema = z.object({
  /** An Ed25519 private key in PEM (INCIDENT_LINK_KEY_FILE); unset: the data dir's, made by the embedded default. */
  keyFile: z.string().min(1).optional(),
  /** Public keys (PEM, or the raw key in base64) whose links are accepted: other workers' keys, earlier keys. */
  publicKeys: z.array(z.string().min(1)).default([]),
  /** How long an "open the incident" or "open the board" link works. */
  ttlHours: z
    .number()
    .positive()
    .max(24 * 31)
    .default(72),
  /** An acknowledgement link works until the incident is acknowledged, and never longer than this. */
  acknowledgeMaxDays: z.number().positive().max(366).default(30),
});

/** The worker's Prometheus endpoint: the SDK's metrics and the incidents' own (README, Observability). */
const metricsSchema = z.object({
  /** host:port to serve /metrics on (INCIDENT_METRICS_ADDRESS); unset: no endpoint. */
  address: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, for example 127.0.0.1:9464')
    .optional(),
});

/** The worker's own limits (README, Performance: Ten thousand open incidents). */
const workerSchema = z.object({
  /**
   * Incidents kept in the worker's memory between their steps; the rest are replayed from history when
   * they next act. About 0.9 MiB each (bench:scale): the SDK's default (sized from the heap) let the worker pass 1 GiB
   * with thousands open.
   */
  maxCachedWorkflows: z.coerce.number().int().min(0).max(100_000).default(600),
  /**
   * Senior alerts and escalations this worker sends at once, on their own task queue: slots no other step
   * of any incident can take. Each holds one SMTP conversation.
   */
  seniorAlertSlots: z.coerce.number().int().min(1).max(1000).default(20),
  /** Concurrent polls of the senior alert's task queue (at most seniorAlertSlots). */
  seniorAlertPollers: z.coerce.number().int().min(1).max(100).default(2),
});

export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('data'),
    mailFrom: z.string().default('Incident Response <incident-response@example.com>'),
    temporal: z
      .object({
        /** Unset: the embedded dev server is started. */
        address: z.string().optional(),
        namespace: z.string().min(1).default(TEMPORAL_DEFAULTS.namespace),
        taskQueue: z.string().min(1).default(TEMPORAL_DEFAULTS.taskQueue),
        apiKey: z.string().optional(),
        tls: z
          .object({
            certPath: z.string().optional(),
            keyPath: z.string().optional(),
            caPath: z.string().optional(),
            serverName: z.string().optional(),
            enabled: z.boolean().optional(),
          })
          .default({}),
        devServer: z
          .object({
            ip: z.string().default(TEMPORAL_DEFAULTS.devServer.ip),
            port: z.coerce.number().int().positive().default(TEMPORAL_DEFAULTS.devServer.port),
            uiPort: z.coerce.number().int().positive().default(TEMPORAL_DEFAULTS.devServer.uiPort),
          })
          .default({ ...TEMPORAL_DEFAULTS.devServer }),
      })
      .prefault({}),
    smtp: smtpSchema.optional(),
    policy: policySchema.prefault({}),
    policyProfiles: policyProfilesSchema,
    ingest: ingestSchema.prefault({}),
    /**
     * Evidence copies and rendered reports encrypted at rest with the payload key ring. auto: whenever this
     * installation has a key ring (the embedded default always does); on: refuse to start without one.
     */
    atRest: z.enum(['auto', 'on', 'off']).default('auto'),
    access: accessSchema.prefault({}),
    systems: systemsSchema,
    trail: trailSchema.prefault({}),
    links: linksSchema.prefault({}),
    board: boardSchema.prefault({}),
    metrics: metricsSchema.prefault({}),
    digest: digestSchema.prefault({}),
    storage: storageSchema.prefault({}),
    worker: workerSchema.prefault({}),
  })
  .transform(({ policyProfiles, digest, ...config }, ctx) => ({
    ...config,
    digest: resolveDigest(digest, config.policy, ctx),
    policyProfiles: resolvePolicyProfiles(config.policy, policyProfiles, ctx),
  }));

export type Config = z.output<typeof configSchema>;
export type SmtpConfig = z.output<typeof smtpSchema>;
export type TrailConfig = z.output<typeof trailSchema>;
export type LinksConfig = z.output<typeof linksSchema>;
export type BoardConfig = z.output<typeof boardSchema>;
export type IngestConfig = z.output<typeof ingestSchema>;
export type IngestSourceConfig = z.output<typeof ingestSourceSchema>;

type Env = Record<string, string | undefined>;

/** Validates file content merged with the environment; throws ConfigError naming every bad field. */
export function parseConfig(fileContent: unknown, env: Env, source = 'defaults'): Config {
  const merged = deepMerge(fileContent ?? {}, envOverlay(env));
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`),
      source,
    );
  }
  const config = result.data;
  if (config.smtp && !config.smtp.url && !config.smtp.host) {
    throw new ConfigError(['smtp: set SMTP_URL, or SMTP_HOST with SMTP_PORT'], source);
  }
  return config;
}
