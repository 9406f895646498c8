import type { Readable } from 'node:stream';
import type { Config } from '../../platform/config/schema';
import { explainS3Error, s3Client, S3SetupError } from '../../stores/s3/s3-client';
import { openStoredObject, parseS3Location } from '../../stores/s3/s3-objects';
import { CliProblem } from './problem';

// `incident evidence export` of a copy the worker put in the object store: the exact version the custody
// record names, read with this machine's storage.s3 settings and AWS credentials. The bytes are checked
// against the audit trail's hash by the caller, as for a copy on disk.

export async function openFromObjectStore(
  config: Config,
  env: NodeJS.ProcessEnv,
  location: string,
  described: string,
): Promise<Readable> {
  const where = parseS3Location(location)!;
  const configured = config.storage.s3;
  if (!configured)
    throw new CliProblem(
      'usage',
      `The copy of ${described} is in the object store (${location}): set storage.s3 (or S3_ENDPOINT and S3_BUCKET) and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY to read it.`,
    );
  const settings = { ...configured, bucket: where.bucket };
  let client;
  try {
    client = s3Client(settings, env);
  } catch (err) {
    if (err instanceof S3SetupError) throw new CliProblem('usage', err.message);
    throw err;
  }
  try {
    const stream = await openStoredObject(client, where.bucket, where.key, where.versionId);
    stream.once('close', () => client.destroy());
    return stream;
  } catch (err) {
    client.destroy();
    throw new CliProblem(
      'refused',
      `The copy of ${described} cannot be read from the object store (${location}): ${explainS3Error(err, settings)}.`,
    );
  }
}
