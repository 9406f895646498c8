import { z } from 'zod';

// Where the worker keeps what it writes beside Temporal. Unset: files under the data dir (the embedded
// default). With `storage.postgres`, the audit trails and their checkpoints go to PostgreSQL, shared by
// every worker of the installation (stores/postgres/).

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

export const storageSchema = z.object({
  postgres: postgresSchema.optional(),
});

export type PostgresConfig = z.output<typeof postgresSchema>;
export type StorageConfig = z.output<typeof storageSchema>;
