import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { PostgresConfig } from '../../platform/config/storage-schema';

// The worker's connections to PostgreSQL: bounded, with a statement timeout, TLS required off loopback,
// the password from a file rather than the URL where the operator prefers. Nothing here logs the URL.

export class StorageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageConfigError';
  }
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)$/;
const TLS_MODES = new Set(['require', 'verify-ca', 'verify-full']);

/** "PostgreSQL at host:port/db as user": where, for messages, never with the password. */
export function describePostgres(url: string): string {
  const u = new URL(url);
  return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname} as ${decodeURIComponent(u.username) || 'the default user'}`;
}

export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

export function postgresPool(config: PostgresConfig, url = config.url): pg.Pool {
  const u = new URL(url);
  const sslmode = u.searchParams.get('sslmode');
  const loopback = LOOPBACK.test(u.hostname);
  if (!loopback && !TLS_MODES.has(sslmode ?? '') && !config.caFile)
    throw new StorageConfigError(
      `storage.postgres: ${describePostgres(url)} is not on this machine, and the connection would not use TLS. Add ?sslmode=verify-full to the URL and set storage.postgres.caFile to the CA that signed the server's certificate.`,
    );
  let password: string | undefined;
  if (config.passwordFile) {
    try {
      password = readFileSync(config.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new StorageConfigError(
        `storage.postgres.passwordFile: cannot read ${config.passwordFile} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  }
  let ca: string | undefined;
  if (config.caFile) {
    try {
      ca = readFileSync(config.caFile, 'utf8');
    } catch (err) {
      throw new StorageConfigError(
        `storage.postgres.caFile: cannot read ${config.caFile} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  }
  // The TLS settings come from here, not from the URL's sslmode, which node-postgres reads differently.
  u.searchParams.delete('sslmode');
  const tls = !loopback || TLS_MODES.has(sslmode ?? '') || ca;
  const pool = new pg.Pool({
    connectionString: u.toString(),
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { ssl: { rejectUnauthorized: sslmode !== 'require', ...(ca ? { ca } : {}) } } : {}),
    max: config.poolMax,
    statement_timeout: config.statementTimeoutMs,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that the server drops would otherwise be an uncaught error that stops the worker;
  // the next query opens a new one.
  pool.on('error', () => undefined);
  return pool;
}
