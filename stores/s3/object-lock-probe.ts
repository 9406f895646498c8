import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectRetentionCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../../platform/config/storage-schema';
import { describeS3, explainS3Error, S3SetupError, s3ErrorCode } from './s3-client';

// Before a worker polls, it checks that the bucket really enforces Object Lock in COMPLIANCE mode, by
// trying what must fail: it writes a small probe object locked for a day, then deletes that very version.
// Some servers accept a retention and still let the version go; a copy there could be replaced unseen, so
// the worker refuses to start. The probe stays (it cannot be deleted) under _probe/ until its day is over:
// a day, not seconds, so that a server clock a little behind the worker's cannot release it early.

const PROBE_RETENTION_MS = 86_400_000;

const notEnforced = (settings: S3Config, why: string, consequence: string) =>
  new S3SetupError(
    `Object Lock is not enforced by ${describeS3(settings)}: ${why}. Forensic copies there could be deleted or replaced; create the bucket with Object Lock enabled (which turns versioning on) on a server that enforces it. ${consequence}`,
  );

const unusable = (settings: S3Config, err: unknown, consequence: string) =>
  new S3SetupError(`The object store could not be checked: ${explainS3Error(err, settings)}. ${consequence}`);

const answer = (err: unknown) => `${s3ErrorCode(err)}: ${(err as Error).message.split('\n')[0]}`;

const isRefusal = (code: string | undefined) =>
  code === 'InvalidRequest' || code === 'InvalidArgument' || code === 'ObjectLockConfigurationNotFoundError';

/** `consequence` ends the refusal: what was not done because of it. */
export async function probeObjectLock(
  client: S3Client,
  settings: S3Config,
  now = new Date(),
  consequence = 'The worker did not start.',
): Promise<void> {
  const key = `_probe/object-lock-${now.toISOString()}-${randomUUID().slice(0, 8)}`;
  let versionId: string | undefined;
  try {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: settings.bucket,
        Key: key,
        Body: 'Object Lock probe: a worker checks at start that this version cannot be deleted.\n',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: new Date(now.getTime() + PROBE_RETENTION_MS),
      }),
    );
    versionId = put.VersionId;
  } catch (err) {
    if (isRefusal(s3ErrorCode(err)))
      throw notEnforced(settings, `it refuses an object with a COMPLIANCE retention (${answer(err)})`, consequence);
    throw unusable(settings, err, consequence);
  }
  if (!versionId || versionId === 'null')
    throw notEnforced(
      settings,
      'the probe object got no version id (versioning is off, so a version cannot be locked)',
      consequence,
    );
  try {
    const retention = await client.send(
      new GetObjectRetentionCommand({ Bucket: settings.bucket, Key: key, VersionId: versionId }),
    );
    if (retention.Retention?.Mode !== 'COMPLIANCE')
      throw notEnforced(
        settings,
        `the probe's retention reads back as ${retention.Retention?.Mode ?? 'none'}`,
        consequence,
      );
  } catch (err) {
    if (err instanceof S3SetupError) throw err;
    if (isRefusal(s3ErrorCode(err)) || s3ErrorCode(err) === 'NoSuchObjectLockConfiguration')
      throw notEnforced(settings, `the probe has no retention (${answer(err)})`, consequence);
    throw unusable(settings, err, consequence);
  }
  try {
    await client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: key, VersionId: versionId }));
  } catch (err) {
    if (s3ErrorCode(err) === 'AccessDenied') return; // refused, as it must be
    throw unusable(settings, err, consequence);
  }
  throw notEnforced(
    settings,
    'a probe version under COMPLIANCE retention was deleted when it must not be',
    consequence,
  );
}
