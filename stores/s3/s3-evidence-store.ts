import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../../platform/config/storage-schema';
import { AtRestError } from '../../platform/encryption/at-rest/errors';
import { atRestInfo, parseHeader, SEALED_SUFFIX, type SealHeader } from '../../platform/encryption/at-rest/format';
import { createSealStream, type SealStream } from '../../platform/encryption/at-rest/streams';
import type { KeyRing } from '../../platform/encryption/key-ring';
import { hashingStream } from '../evidence-hashing';
import { EvidenceError, type CopyHooks, type EvidenceCopier, type StoredEvidence } from '../evidence-record';
import { ResumeMismatch, StoreCallFailed, uploadedParts, uploadSink } from './resumable-upload';
import { explainS3Error, s3ErrorCode } from './s3-client';
import { s3Location, storedObjectSha256 } from './s3-objects';

// Forensic copies in an S3 bucket under Object Lock in COMPLIANCE mode: once uploaded, no account (the
// worker's, the bucket owner's, the root's) can delete or overwrite the version before its retain-until
// date. A copy streams from the source through the hash (and the at-rest seal) into a multipart upload,
// with no local copy; the stored version is then read back and hashed (opened when sealed) before the
// record, itself a locked object beside it, says the copy is done.
//
// Resuming: the upload id, the part size and the seal header are kept in a small state object beside the
// copy, so a retried activity on any worker finds them. A resumed copy reads the source again from its
// first byte and seals it again under the same header: the sealed bytes are the same for the same plaintext,
// so the parts the server holds are compared, not sent (resumable-upload.ts), and the hash covers every
// byte without keeping hash state anywhere. Part boundaries need not fall on segment boundaries for that.
// If the source changed, a stored part differs: that upload is aborted and the copy restarts cleanly under
// a new file key, so no nonce ever seals other bytes in anything that leaves the worker. A command's output
// cannot be read again, so an interrupted command copy starts over.

const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const RECORD = 'evidence.json';
const STATE = 'upload.json';

interface UploadState {
  uploadId: string;
  key: string;
  partBytes: number;
  /** The encoded seal header (salt and nonce prefix are not secret: every sealed file starts with them). */
  sealHeader?: string;
}

export interface S3EvidenceOptions {
  /** Bytes per part (at least 5 MiB, the S3 minimum for all parts but the last). */
  partBytes?: number;
  now?: () => Date;
}

export class S3EvidenceStore implements EvidenceCopier {
  private readonly partBytes: number;
  private readonly now: () => Date;

  constructor(
    private readonly client: S3Client,
    private readonly settings: S3Config,
    private readonly atRest?: KeyRing,
    options: S3EvidenceOptions = {},
  ) {
    this.partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    this.now = options.now ?? (() => new Date());
  }

  dirFor(incidentId: string, system: string, round: number): string {
    return `evidence/${incidentId}/${system}/round-${round}`;
  }

  private get bucket(): string {
    return this.settings.bucket;
  }

  private lock() {
    const until = new Date(this.now().getTime() + this.settings.retentionDays * 86_400_000);
    return { ObjectLockMode: 'COMPLIANCE' as const, ObjectLockRetainUntilDate: until };
  }

  /** A call to the store that failed: a retryable EvidenceError naming the store, never the credentials. */
  private failed(err: unknown, doing: string): EvidenceError {
    if (err instanceof EvidenceError) return err;
    return new EvidenceError(`Could not ${doing}: ${explainS3Error(err, this.settings)}; the copy will resume.`, false);
  }

  private async getJson<T>(key: string): Promise<T | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return JSON.parse(await out.Body!.transformToString()) as T;
    } catch (err) {
      if (s3ErrorCode(err) === 'NoSuchKey') return undefined;
      throw this.failed(err, `read ${key} from the object store`);
    }
  }

  async existing(place: string): Promise<StoredEvidence | undefined> {
    return this.getJson<StoredEvidence>(`${place}/${RECORD}`);
  }

  async copyFromPath(place: string, source: string, hooks: CopyHooks = {}): Promise<StoredEvidence> {
    const done = await this.existing(place);
    if (done) return done;
    let info;
    try {
      info = await stat(source);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new EvidenceError(
        code === 'ENOENT'
          ? `Evidence source ${source} does not exist on the worker; fix the system's evidence path or record a manual copy.`
          : `Cannot read evidence source ${source} (${code}).`,
        true,
      );
    }
    if (info.isDirectory())
      throw new EvidenceError(
        `Evidence source ${source} is a directory, which the object store does not take yet: point the system at an image, or use the command driver with tar.`,
        true,
      );
    if (!info.isFile() && !info.isBlockDevice())
      throw new EvidenceError(`Evidence source ${source} is neither a file, a directory nor a block device.`, true);
    const meta = { source, kind: info.isBlockDevice() ? 'block-device' : 'file', startedAt: this.now().toISOString() };
    const open = () => createReadStream(source, { signal: hooks.signal, highWaterMark: 1024 * 1024 });
    try {
      return await this.upload(place, meta as Meta, open, hooks, true);
    } catch (err) {
      if (!(err instanceof ResumeMismatch)) throw err;
      return this.upload(place, meta as Meta, open, hooks, false);
    }
  }

  async copyFromStream(
    place: string,
    source: string,
    produce: (sink: NodeJS.WritableStream) => Promise<void>,
    hooks: CopyHooks = {},
  ): Promise<StoredEvidence> {
    const done = await this.existing(place);
    if (done) return done;
    const meta: Meta = { source, kind: 'command-output', startedAt: this.now().toISOString() };
    const open = () => {
      const passThrough = new PassThrough();
      produce(passThrough).then(
        () => passThrough.end(),
        (err: Error) => passThrough.destroy(err),
      );
      return passThrough;
    };
    return this.upload(place, meta, open, hooks, false);
  }

  private async upload(
    place: string,
    meta: Meta,
    open: () => Readable | Transform,
    hooks: CopyHooks,
    resume: boolean,
  ): Promise<StoredEvidence> {
    const key = `${place}/image.bin${this.atRest ? SEALED_SUFFIX : ''}`;
    let state = await this.getJson<UploadState>(`${place}/${STATE}`);
    let stored = state && state.key === key ? await this.parts(state) : undefined;
    if (state && (!resume || !stored || state.partBytes < 5 * 1024 * 1024)) {
      if (stored) await this.abort(state);
      state = undefined;
      stored = undefined;
    }
    let header: SealHeader | undefined;
    if (state?.sealHeader) {
      const parsed = parseHeader(Buffer.from(state.sealHeader, 'base64'), key, true);
      header = parsed === 'short' ? undefined : parsed;
    }
    if (!state) {
      header = undefined;
      state = await this.begin(place, key);
    }
    const hash = createHash('sha256');
    const sealer: SealStream | undefined = this.atRest
      ? createSealStream(this.atRest, { file: key, ...(header ? { header } : {}) })
      : undefined;
    if (sealer && !state.sealHeader) {
      state.sealHeader = sealer.header.bytes.toString('base64');
      await this.putState(place, state);
    }
    const sink = uploadSink({
      client: this.client,
      bucket: this.bucket,
      key,
      uploadId: state.uploadId,
      partBytes: state.partBytes,
      stored: stored ?? [],
      signal: hooks.signal,
    });
    const counter = hashingStream(hash, { onProgress: hooks.onProgress });
    try {
      await pipeline([open(), counter, ...(sealer ? [sealer] : []), sink]);
    } catch (err) {
      if (err instanceof ResumeMismatch) {
        await this.abort(state);
        throw err;
      }
      if (err instanceof StoreCallFailed) throw this.failed(err.failure, `upload ${key}`);
      throw err; // the source failed, or the copy was cancelled: the driver explains it
    }
    return this.verify(place, key, sink.result.versionId, hash.digest('hex'), counter.bytes(), meta, sealer?.header);
  }

  private async parts(state: UploadState) {
    try {
      return await uploadedParts(this.client, this.bucket, state.key, state.uploadId);
    } catch (err) {
      throw this.failed(err, `list the parts already uploaded to ${state.key}`);
    }
  }

  private async begin(place: string, key: string): Promise<UploadState> {
    try {
      const out = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ...this.lock() }),
      );
      const state = { uploadId: out.UploadId!, key, partBytes: this.partBytes };
      await this.putState(place, state);
      return state;
    } catch (err) {
      throw this.failed(err, `start the upload of ${key}`);
    }
  }

  private async putState(place: string, state: UploadState): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: `${place}/${STATE}`, Body: JSON.stringify(state) }),
    );
  }

  private async abort(state: UploadState): Promise<void> {
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: state.key, UploadId: state.uploadId }))
      .catch(() => undefined); // gone already: nothing to abort
  }

  /**
   * Reads the stored version back and hashes it (opened first when sealed). A version that does not match
   * stays in the bucket (it is locked), but no record points at it: the activity fails and copies again.
   */
  private async verify(
    place: string,
    key: string,
    versionId: string | undefined,
    streamedHash: string,
    size: number,
    meta: Meta,
    sealedWith?: SealHeader,
  ): Promise<StoredEvidence> {
    let readBack: { sha256: string; size: number };
    try {
      readBack = await storedObjectSha256(this.client, this.bucket, key, versionId, this.atRest);
    } catch (err) {
      if (err instanceof AtRestError)
        throw new EvidenceError(
          `The stored copy of ${meta.source} does not open: ${err.message} It will be taken again.`,
          false,
        );
      throw this.failed(err, `read back ${key}`);
    }
    if (readBack.sha256 !== streamedHash || readBack.size !== size)
      throw new EvidenceError(
        `The stored copy of ${meta.source} does not match the bytes read (read ${streamedHash}, stored ${readBack.sha256}); it will be taken again.`,
        false,
      );
    const record: StoredEvidence = {
      ...meta,
      location: s3Location(this.bucket, key, versionId),
      sha256: streamedHash,
      sizeBytes: size,
      finishedAt: this.now().toISOString(),
      ...(sealedWith ? { encryption: atRestInfo(sealedWith) } : {}),
    };
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: `${place}/${RECORD}`,
          Body: JSON.stringify(record, null, 2),
          ContentType: 'application/json',
          ...this.lock(),
        }),
      );
    } catch (err) {
      throw this.failed(err, `record the copy of ${meta.source}`);
    }
    return record;
  }
}

type Meta = Pick<StoredEvidence, 'source' | 'kind' | 'startedAt'>;
