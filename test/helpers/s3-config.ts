import { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import type { S3Config } from '../../platform/config/storage-schema';
import { DEFAULT_RETENTION_DAYS } from '../../platform/config/storage-schema';
import { LOCKED_BUCKET } from './s3-server';

// The run's S3 server (global setup) as a test reaches it: settings as an operator writes them, the root
// credentials as the worker reads them from the environment, and a client of its own for checking.

export function s3Settings(overrides: Partial<S3Config> = {}): S3Config {
  return {
    endpoint: inject('s3Endpoint'),
    bucket: LOCKED_BUCKET,
    region: 'us-east-1',
    forcePathStyle: true,
    retentionDays: DEFAULT_RETENTION_DAYS,
    ...overrides,
  };
}

export function s3Env(): NodeJS.ProcessEnv {
  return { AWS_ACCESS_KEY_ID: inject('s3AccessKeyId'), AWS_SECRET_ACCESS_KEY: inject('s3SecretAccessKey') };
}

export function checkingClient(): S3Client {
  return new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: inject('s3AccessKeyId'), secretAccessKey: inject('s3SecretAccessKey') },
  });
}
