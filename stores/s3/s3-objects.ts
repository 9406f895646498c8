import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createUnsealStream } from '../../platform/encryption/at-rest/streams';
import type { KeyRing } from '../../platform/encryption/key-ring';
import { hashingStream } from '../evidence-hashing';

// Where a copy in the object store is, as the custody record says it (s3://bucket/key?versionId=…), and
// reading that exact version back: the version id pins the bytes that were verified, whatever is written
// under the same key later.

export function s3Location(bucket: string, key: string, versionId: string | undefined): string {
  return `s3://${bucket}/${key}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
}

export function parseS3Location(location: string): { bucket: string; key: string; versionId?: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/([^?]+)(?:\?versionId=(.+))?$/.exec(location);
  if (!m) return undefined;
  return { bucket: m[1], key: m[2], ...(m[3] ? { versionId: decodeURIComponent(m[3]) } : {}) };
}

export async function openStoredObject(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string | undefined,
): Promise<Readable> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return out.Body as Readable;
}

/** The SHA-256 and size of the original bytes a stored version holds (opened with `ring` when sealed). */
export async function storedObjectSha256(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string | undefined,
  ring: KeyRing | undefined,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const hasher = hashingStream(hash);
  const stored = await openStoredObject(client, bucket, key, versionId);
  const drain = async (plain: AsyncIterable<Buffer>) => {
    for await (const _chunk of plain); // drained: the hasher has seen every byte
  };
  if (ring) await pipeline(stored, createUnsealStream(ring, `s3://${bucket}/${key}`), hasher, drain);
  else await pipeline(stored, hasher, drain);
  return { sha256: hash.digest('hex'), size: hasher.bytes() };
}
