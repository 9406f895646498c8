import { readFileSync } from 'node:fs';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3Config } from '../../platform/config/storage-schema';

// The S3 client for the configured object store. The credentials come from the standard variables
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or from files named by their _FILE
// variants, read at start; they are never put in the configuration, a log line or an error message.

export class S3SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'S3SetupError';
  }
}

function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new S3SetupError(
        `${name}_FILE names ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  }
  return env[name] || undefined;
}

export function s3Client(settings: S3Config, env: NodeJS.ProcessEnv = process.env): S3Client {
  // The SDK prints a multi-line notice on Node 20 that its releases after January 2027 need Node 22. The
  // project pins its exact version, so the notice concerns an upgrade, not this program: not on every run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const accessKeyId = secret(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = secret(env, 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = secret(env, 'AWS_SESSION_TOKEN');
  if (!accessKeyId || !secretAccessKey)
    throw new S3SetupError(
      `storage.s3 is set but its credentials are not: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID_FILE and AWS_SECRET_ACCESS_KEY_FILE) for ${describeS3(settings)}.`,
    );
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    // Retries of a failed request are the activity's (Temporal retries it and the copy resumes).
    maxAttempts: 2,
  });
}

/** "bucket evidence at http://host:port", for messages: never the credentials. */
export function describeS3(settings: Pick<S3Config, 'bucket' | 'endpoint'>): string {
  return `bucket ${settings.bucket} at ${settings.endpoint}`;
}

/** The S3 error code (AccessDenied, NoSuchUpload…), or the network error's code, or undefined. */
export function s3ErrorCode(err: unknown): string | undefined {
  if (err instanceof S3ServiceException) return err.name;
  const e = err as { name?: string; code?: string; Code?: string };
  return e?.Code ?? e?.code ?? e?.name;
}

const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidClientTokenId']);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'TimeoutError',
]);

/** A failed call in words a person can act on, naming the store and never the credentials. */
export function explainS3Error(err: unknown, settings: Pick<S3Config, 'bucket' | 'endpoint'>): string {
  const code = s3ErrorCode(err);
  const where = describeS3(settings);
  if (code && CREDENTIAL_CODES.has(code))
    return `the credentials were refused by ${settings.endpoint} (${code}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  if (code && UNREACHABLE_CODES.has(code)) return `${settings.endpoint} cannot be reached (${code})`;
  if (code === 'NoSuchBucket') return `${where}: the bucket does not exist`;
  const message = (err as Error)?.message?.split('\n')[0] ?? String(err);
  return `${where} answered ${code ?? 'an error'}: ${message}`;
}
