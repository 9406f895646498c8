import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../../platform/config/storage-schema';
import { checkedIncidentId, type ReportStore } from '../report-store';
import { describeS3, explainS3Error, s3ErrorCode } from './s3-client';
import { complianceLock } from './locked-objects';
import { s3Location } from './s3-objects';

// Rendered reports in the evidence bucket, each rendering a new version locked in COMPLIANCE mode for the
// configured retention, so the report a customer or regulator was sent can always be produced again as it
// was. A rendering counts as stored once the version the server answered with is read back byte for byte
// the same. Retiring the other variant (plain or sealed) puts a delete marker on it: its locked versions stay.

export class S3ReportStore implements ReportStore {
  constructor(
    private readonly client: S3Client,
    private readonly settings: S3Config,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private key(incidentId: string, file: string): string {
    return `reports/${checkedIncidentId(incidentId)}/${file}`;
  }

  where(incidentId: string): string {
    return `reports/${checkedIncidentId(incidentId)}/ in ${describeS3(this.settings)}`;
  }

  private failed(err: unknown, doing: string): Error {
    return new Error(`Could not ${doing}: ${explainS3Error(err, this.settings)}.`, { cause: err });
  }

  async write(incidentId: string, file: string, body: Buffer, otherVariant: string): Promise<string> {
    const Key = this.key(incidentId, file);
    let versionId: string | undefined;
    try {
      const put = await this.client.send(
        new PutObjectCommand({
          Bucket: this.settings.bucket,
          Key,
          Body: body,
          ...complianceLock(this.settings, this.now()),
        }),
      );
      versionId = put.VersionId;
    } catch (err) {
      throw this.failed(err, `store report ${Key}`);
    }
    const stored = await this.readVersion(Key, versionId);
    if (!stored?.equals(body))
      throw new Error(
        `The object store did not keep report ${Key} as written (read back differs); it will be rendered again.`,
      );
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.key(incidentId, otherVariant) }),
      );
    } catch (err) {
      throw this.failed(err, `retire ${this.key(incidentId, otherVariant)}`);
    }
    return s3Location(this.settings.bucket, Key, versionId);
  }

  async list(incidentId: string): Promise<string[]> {
    const Prefix = this.key(incidentId, '');
    try {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix }));
      return (out.Contents ?? []).map((o) => o.Key!.slice(Prefix.length));
    } catch (err) {
      throw this.failed(err, `list ${Prefix}`);
    }
  }

  read(incidentId: string, file: string): Promise<Buffer | undefined> {
    return this.readVersion(this.key(incidentId, file), undefined);
  }

  private async readVersion(Key: string, VersionId: string | undefined): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key, VersionId }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (s3ErrorCode(err) === 'NoSuchKey') return undefined;
      throw this.failed(err, `read report ${Key}`);
    }
  }
}
