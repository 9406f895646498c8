import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../platform/config/schema';
import type { S3Config } from '../../platform/config/storage-schema';
import { explainS3Error, s3Client, s3ErrorCode, S3SetupError } from '../../stores/s3/s3-client';
import { evidenceRoundPrefix } from '../../stores/s3/s3-evidence-store';
import { openStoredObject, parseS3Location, s3Location } from '../../stores/s3/s3-objects';
import { CliProblem } from './problem';

// Where `incident evidence export` and `incident bundle` read a stored copy from: the round's folder under
// the data dir, or the object store. For the object store: the exact version the custody
// record names (a directory copy's manifest and files: their latest versions, each checked against the
// manifest, the manifest against the trail), read with this machine's storage.s3 settings and AWS
// credentials. The bytes are checked against the audit trail's hash by the caller, as for a copy on disk.

/** A copy's file in the object store, opened only once the output path is known to be fine. */
export type StoredObject = { name: string; open: () => Promise<Readable> };

/** Where a copy's manifest, record and files are read from: the data dir, or the object store. */
export interface CopyFolder {
  where(name: string): string;
  /** A small text file (MANIFEST.sha256, evidence.json); undefined when it is missing. */
  text(name: string): Promise<string | undefined>;
  /** tree/<path> of the copy. */
  file(rel: string): string | StoredObject;
}

/** Where a copy's files are, on disk here: the round's folder under the data dir. */
export function localFolder(roundDir: string): CopyFolder {
  return {
    where: (name) => path.join(roundDir, name),
    text: (name) => readFile(path.join(roundDir, name), 'utf8').catch(() => undefined),
    file: (rel) => path.join(roundDir, ...rel.split('/')),
  };
}

function clientFor(config: Config, env: NodeJS.ProcessEnv, bucket: string, location: string, described: string) {
  const configured = config.storage.s3;
  if (!configured)
    throw new CliProblem(
      'usage',
      `The copy of ${described} is in the object store (${location}): set storage.s3 (or S3_ENDPOINT and S3_BUCKET) and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY to read it.`,
    );
  const settings: S3Config = { ...configured, bucket };
  try {
    return { client: s3Client(settings, env), settings };
  } catch (err) {
    if (err instanceof S3SetupError) throw new CliProblem('usage', err.message);
    throw err;
  }
}

async function open(
  client: S3Client,
  settings: S3Config,
  location: string,
  described: string,
  closeAfter: boolean,
): Promise<Readable> {
  const where = parseS3Location(location)!;
  try {
    const stream = await openStoredObject(client, where.bucket, where.key, where.versionId);
    if (closeAfter) stream.once('close', () => client.destroy());
    return stream;
  } catch (err) {
    if (closeAfter) client.destroy();
    throw new CliProblem(
      'refused',
      `The copy of ${described} cannot be read from the object store (${location}): ${explainS3Error(err, settings)}.`,
    );
  }
}

export async function openFromObjectStore(
  config: Config,
  env: NodeJS.ProcessEnv,
  location: string,
  described: string,
): Promise<Readable> {
  const { client, settings } = clientFor(config, env, parseS3Location(location)!.bucket, location, described);
  return open(client, settings, location, described, true);
}

/** A directory copy's folder in the bucket; the client lives as long as the command. */
export function objectStoreFolder(
  config: Config,
  env: NodeJS.ProcessEnv,
  bucket: string,
  prefix: string,
  described: string,
): CopyFolder {
  const where = (name: string) => s3Location(bucket, `${prefix}/${name}`, undefined);
  const { client, settings } = clientFor(config, env, bucket, where('tree'), described);
  return {
    where,
    async text(name) {
      let stream: Readable;
      try {
        stream = await openStoredObject(client, bucket, `${prefix}/${name}`, undefined);
      } catch (err) {
        if (s3ErrorCode(err) === 'NoSuchKey') return undefined;
        throw new CliProblem(
          'refused',
          `The copy of ${described} cannot be read from the object store (${where(name)}): ${explainS3Error(err, settings)}.`,
        );
      }
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    file: (rel) => ({ name: where(rel), open: () => open(client, settings, where(rel), described, false) }),
  };
}

/**
 * A copy the trail records under the worker's data dir, moved since by `incident storage migrate --to s3`:
 * its location in this machine's bucket, as the moved record names it, or undefined when it is not there.
 * The caller still checks the bytes against the trail's hash, so the bucket's record is only a pointer.
 */
export async function migratedLocation(
  config: Config,
  env: NodeJS.ProcessEnv,
  round: { incidentId: string; system: string; round: number },
  described: string,
): Promise<string | undefined> {
  const settings = config.storage.s3;
  if (!settings) return undefined;
  const prefix = evidenceRoundPrefix(round.incidentId, round.system, round.round);
  const text = await objectStoreFolder(config, env, settings.bucket, prefix, described).text('evidence.json');
  if (text === undefined) return undefined;
  let location: unknown;
  try {
    location = (JSON.parse(text) as { location?: unknown }).location;
  } catch {
    location = undefined;
  }
  if (typeof location !== 'string' || !parseS3Location(location))
    throw new CliProblem(
      'refused',
      `The record of ${described} in the object store (${s3Location(settings.bucket, `${prefix}/evidence.json`, undefined)}) names no copy in the bucket; look at it before going on.`,
    );
  return location;
}
