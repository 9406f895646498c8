import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../platform/config/schema';

// storage.s3 as an operator writes it, or as the environment gives it, and its mistakes named by path.

describe('storage.s3 configuration', () => {
  it('comes from S3_ENDPOINT, S3_BUCKET and S3_REGION, with seven years of retention by default', () => {
    const config = parseConfig(
      {},
      { S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com', S3_BUCKET: 'acme-evidence', S3_REGION: 'eu-west-1' },
    );
    expect(config.storage.s3).toEqual({
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      bucket: 'acme-evidence',
      region: 'eu-west-1',
      forcePathStyle: true,
      retentionDays: 2557,
    });
    expect(config.storage.postgres).toBeUndefined();
    expect(parseConfig({}, {}).storage.s3).toBeUndefined();
  });

  it('keeps the file settings the environment does not override', () => {
    const config = parseConfig(
      { storage: { s3: { endpoint: 'http://127.0.0.1:7070', bucket: 'evidence', retentionDays: 3650 } } },
      { S3_BUCKET: 'other-evidence', DATABASE_URL: 'postgres://w@127.0.0.1/db' },
    );
    expect(config.storage.s3).toMatchObject({ bucket: 'other-evidence', retentionDays: 3650 });
    expect(config.storage.postgres?.url).toBe('postgres://w@127.0.0.1/db');
  });

  it('names each bad field', () => {
    expect(() =>
      parseConfig({ storage: { s3: { endpoint: 'ftp://x', bucket: 'Evidence_Bucket', retentionDays: 0 } } }, {}),
    ).toThrow(
      /storage\.s3\.endpoint: must be an http:\/\/ or https:\/\/ URL[\s\S]*storage\.s3\.bucket: must be an S3 bucket name[\s\S]*storage\.s3\.retentionDays/,
    );
  });
});
