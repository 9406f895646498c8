import { createHash } from 'node:crypto';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../../platform/config/storage-schema';
import { AtRestError } from '../../platform/encryption/at-rest/errors';
import { parseHeader, type SealHeader } from '../../platform/encryption/at-rest/format';
import { createSealStream, type SealStream } from '../../platform/encryption/at-rest/streams';
import type { KeyRing } from '../../platform/encryption/key-ring';
import { hashingStream } from '../evidence-hashing';
import { EvidenceError, type CopyHooks } from '../evidence-record';
import { ResumeMismatch, StoreCallFailed, uploadedParts, uploadSink } from './resumable-upload';
import { explainS3Error, s3ErrorCode } from './s3-client';
import { storedObjectSha256 } from './s3-objects';

// One object written to the evidence bucket under Object Lock COMPLIANCE: streamed through the hash (and
// the at-rest seal) into a multipart upload, then read back and hashed (opened when sealed) before it
// counts as written.
//
// Resuming: the upload id, the part size and the seal header are kept in a small state object beside the
// copy, so a retried activity on any worker finds them. A resumed copy reads the source again from its
// first byte and seals it again under the same header: the sealed bytes are the same for the same plaintext,
// so the parts the server holds are compared, not sent (resumable-upload.ts), and the hash covers every
// byte without keeping hash state anywhere. Part boundaries need not fall on segment boundaries for that.
// If the source changed, a stored part differs: that upload is aborted and the copy restarts cleanly under
// a new file key, so no nonce ever seals other bytes in anything that leaves the worker. A source that
// cannot be read twice (a command's output) is never resumed: its upload starts over. An upload that
// completed but was not verified (the worker died, the store went away) is verified by the retry against
// the source hashed again, rather than uploaded a second time.

export interface UploadState {
  uploadId: string;
  key: string;
  partBytes: number;
  /** The encoded seal header (salt and nonce prefix are not secret: every sealed file starts with them). */
  sealHeader?: string;
  /** Set once the upload completed: a retry verifies this version instead of uploading the object again. */
  completedVersionId?: string;
}

export interface ObjectWritten {
  versionId: string | undefined;
  sha256: string;
  size: number;
  sealedWith?: SealHeader;
}

/** The Object Lock every stored version gets: COMPLIANCE, until the configured retention from `now`. */
export function complianceLock(settings: Pick<S3Config, 'retentionDays'>, now: Date) {
  const until = new Date(now.getTime() + settings.retentionDays * 86_400_000);
  return { ObjectLockMode: 'COMPLIANCE' as const, ObjectLockRetainUntilDate: until };
}

export class LockedObjects {
  constructor(
    readonly client: S3Client,
    readonly settings: S3Config,
    readonly atRest: KeyRing | undefined,
    private readonly partBytes: number,
    readonly now: () => Date,
    /** Parts in flight at once; absent: uploadSink's default. */
    private readonly parallel?: number,
  ) {}

  get bucket(): string {
    return this.settings.bucket;
  }

  lock() {
    return complianceLock(this.settings, this.now());
  }

  /** A call to the store that failed: a retryable EvidenceError naming the store, never the credentials. */
  failed(err: unknown, doing: string): EvidenceError {
    if (err instanceof EvidenceError) return err;
    return new EvidenceError(`Could not ${doing}: ${explainS3Error(err, this.settings)}; the copy will resume.`, false);
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await out.Body!.transformToString();
    } catch (err) {
      if (s3ErrorCode(err) === 'NoSuchKey') return undefined;
      throw this.failed(err, `read ${key} from the object store`);
    }
  }

  /** A small object; `locked` ones (records, manifests) get the same retention as the copies. */
  async put(key: string, body: string, locked: boolean): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ...(locked ? this.lock() : {}) }),
      );
    } catch (err) {
      throw this.failed(err, `write ${key}`);
    }
  }

  /** Writes and verifies `key` from `open()`, resuming the upload `stateKey` names when `resumable`. */
  async write(
    key: string,
    stateKey: string,
    open: () => Readable | Transform,
    hooks: CopyHooks,
    resumable: boolean,
    described: string,
  ): Promise<ObjectWritten> {
    let written;
    try {
      written = await this.upload(key, stateKey, open, hooks, resumable);
    } catch (err) {
      if (!(err instanceof ResumeMismatch)) throw err;
      written = await this.upload(key, stateKey, open, hooks, false);
    }
    let readBack: { sha256: string; size: number };
    try {
      readBack = await storedObjectSha256(this.client, this.bucket, key, written.versionId, this.atRest);
    } catch (err) {
      if (err instanceof AtRestError)
        throw new EvidenceError(
          `The stored copy of ${described} does not open: ${err.message} It will be taken again.`,
          false,
        );
      throw this.failed(err, `read back ${key}`);
    }
    // A version that does not match stays in the bucket (it is locked), but no record points at it, and the
    // state that names it is dropped so that the retry uploads afresh.
    if (readBack.sha256 !== written.sha256 || readBack.size !== written.size) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: stateKey })).catch(() => undefined);
      throw new EvidenceError(
        `The stored copy of ${described} does not match the bytes read (read ${written.sha256}, stored ${readBack.sha256}); it will be taken again.`,
        false,
      );
    }
    return written;
  }

  private async upload(
    key: string,
    stateKey: string,
    open: () => Readable | Transform,
    hooks: CopyHooks,
    resume: boolean,
  ): Promise<ObjectWritten> {
    const saved = await this.getText(stateKey);
    let state = saved ? (JSON.parse(saved) as UploadState) : undefined;
    if (resume && state?.key === key && state.completedVersionId) return this.rehash(state, open, hooks);
    let stored = state && state.key === key ? await this.parts(state) : undefined;
    if (state && (!resume || !stored)) {
      if (stored) await this.abort(state);
      state = undefined;
      stored = undefined;
    }
    let header: SealHeader | undefined;
    if (state?.sealHeader) {
      const parsed = parseHeader(Buffer.from(state.sealHeader, 'base64'), key, true);
      header = parsed === 'short' ? undefined : parsed;
    }
    state ??= await this.begin(key, stateKey);
    const hash = createHash('sha256');
    const sealer: SealStream | undefined = this.atRest
      ? createSealStream(this.atRest, { file: key, ...(header ? { header } : {}) })
      : undefined;
    if (sealer && !state.sealHeader) {
      state.sealHeader = sealer.header.bytes.toString('base64');
      await this.put(stateKey, JSON.stringify(state), false);
    }
    const sink = uploadSink({
      client: this.client,
      bucket: this.bucket,
      key,
      uploadId: state.uploadId,
      partBytes: state.partBytes,
      stored: stored ?? [],
      parallel: this.parallel,
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
    if (sink.result.versionId)
      await this.put(stateKey, JSON.stringify({ ...state, completedVersionId: sink.result.versionId }), false);
    return {
      versionId: sink.result.versionId,
      sha256: hash.digest('hex'),
      size: counter.bytes(),
      ...(sealer ? { sealedWith: sealer.header } : {}),
    };
  }

  /**
   * The upload completed before the attempt that made it could verify it (a crash, the store gone): the
   * source is hashed again, without uploading, for write() to check the completed version against.
   */
  private async rehash(state: UploadState, open: () => Readable | Transform, hooks: CopyHooks): Promise<ObjectWritten> {
    const hash = createHash('sha256');
    const counter = hashingStream(hash, { onProgress: hooks.onProgress });
    await pipeline(open(), counter, async (bytes: AsyncIterable<Buffer>) => {
      for await (const _chunk of bytes); // only hashed
    });
    const header = state.sealHeader ? parseHeader(Buffer.from(state.sealHeader, 'base64'), state.key, true) : undefined;
    return {
      versionId: state.completedVersionId,
      sha256: hash.digest('hex'),
      size: counter.bytes(),
      ...(header && header !== 'short' ? { sealedWith: header } : {}),
    };
  }

  private async parts(state: UploadState) {
    try {
      return await uploadedParts(this.client, this.bucket, state.key, state.uploadId);
    } catch (err) {
      throw this.failed(err, `list the parts already uploaded to ${state.key}`);
    }
  }

  private async begin(key: string, stateKey: string): Promise<UploadState> {
    let uploadId: string;
    try {
      const out = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ...this.lock() }),
      );
      uploadId = out.UploadId!;
    } catch (err) {
      throw this.failed(err, `start the upload of ${key}`);
    }
    const state = { uploadId, key, partBytes: this.partBytes };
    await this.put(stateKey, JSON.stringify(state), false);
    return state;
  }

  private async abort(state: UploadState): Promise<void> {
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: state.key, UploadId: state.uploadId }))
      .catch(() => undefined); // gone already: nothing to abort
  }
}
