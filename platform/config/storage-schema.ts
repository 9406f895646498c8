import { z } from 'zod';

// Where the worker keeps what it writes beside Temporal. Unset: files under the data dir (the embedded
// default). With `storage.postgres`, the audit trails and their checkpoints go to PostgreSQL, shared by
// every worker of the installation (stores/postgres/). With `storage.s3`, forensic copies go to an
// S3-compatible bucket under Object Lock in COMPLIANCE mode (stores/s3/); the credentials come from
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or their _FILE variants), never from this file.

const postgresSchema = z.object({
  /** postgres://user@host:port/db (DATABASE_URL); the password in the URL or, better, in passwordFile. */
  url: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  /** A file holding the password (DATABASE_PASSWORD_FILE), read at start; never logged. */
  passwordFile: z.string().min(1).optional(),
  /**
   * The owner's connection that applies migrations (DATABASE_MIGRATION_URL), when the worker's own role may
   * only insert and select; unset: the worker's connection applies them.
   */
  migrationUrl: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  /** At most this many connections per worker process; each mail being sent holds one (README, Storage). */
  poolMax: z.number().int().min(2).max(200).default(20),
  /** A statement that runs longer than this is cancelled; the activity fails and is retried. */
  statementTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  /** Off loopback the connection must use TLS; a CA file to check the server's certificate against. */
  caFile: z.string().min(1).optional(),
});

/** Seven years, the usual keeping period for forensic records (2 leap days included). */
export const DEFAULT_RETENTION_DAYS = 7 * 365 + 2;

const s3Schema = z.object({
  /** The S3 API's base URL, https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:7070 (S3_ENDPOINT). */
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  /** A bucket created with Object Lock enabled (S3_BUCKET); the worker checks at start that it is enforced. */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 of a-z 0-9 . -)'),
  region: z.string().min(1).default('us-east-1'),
  /** Bucket in the path (http://host/bucket/key) rather than the host name; most self-hosted servers need it. */
  forcePathStyle: z.boolean().default(true),
  /** Each copy is locked in COMPLIANCE mode for this many days from its upload: nobody can delete it sooner. */
  retentionDays: z.number().int().min(1).max(36_500).default(DEFAULT_RETENTION_DAYS),
});

export const storageSchema = z.object({
  postgres: postgresSchema.optional(),
  s3: s3Schema.optional(),
});

export type PostgresConfig = z.output<typeof postgresSchema>;
export type S3Config = z.output<typeof s3Schema>;
export type StorageConfig = z.output<typeof storageSchema>;
