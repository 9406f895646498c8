import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3ErrorCode } from './s3-client';

// A multipart upload as a writable stream, that can take over an upload a crashed attempt started. The
// bytes are cut into parts of a fixed size; a part the server already holds (ListParts) is not sent again
// but compared: the writer is always fed the whole object from its first byte (the source is read again),
// and the MD5 of each regenerated part must equal the stored part's ETag. Equal: the part is skipped.
// Different: the source changed since, and the upload cannot be finished (ResumeMismatch): the caller
// starts over. So a resumed copy reads the source again but only sends what the server lacks. A store
// whose part ETags are not MD5s (AWS with SSE-KMS) never matches: there a resumed copy starts over, whole.

export const MIN_PART_BYTES = 5 * 1024 * 1024;

export class ResumeMismatch extends Error {
  constructor(part: number) {
    super(`part ${part} already uploaded differs from the same bytes read again: the source changed`);
    this.name = 'ResumeMismatch';
  }
}

/** A call to the store failed during the upload (as opposed to the source, which fails on its own terms). */
export class StoreCallFailed extends Error {
  constructor(readonly failure: unknown) {
    super((failure as Error)?.message ?? String(failure));
    this.name = 'StoreCallFailed';
  }
}

export interface StoredPart {
  PartNumber: number;
  ETag: string;
  Size: number;
}

/** The parts an upload holds; undefined when the upload no longer exists (completed, aborted, expired). */
export async function uploadedParts(
  client: S3Client,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<StoredPart[] | undefined> {
  const parts: StoredPart[] = [];
  let marker: string | undefined;
  try {
    for (;;) {
      const page = await client.send(
        new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
      );
      for (const p of page.Parts ?? []) parts.push({ PartNumber: p.PartNumber!, ETag: p.ETag!, Size: p.Size ?? 0 });
      if (!page.IsTruncated) break;
      marker = page.NextPartNumberMarker;
    }
  } catch (err) {
    if (s3ErrorCode(err) === 'NoSuchUpload') return undefined;
    throw err;
  }
  return parts;
}

const unquote = (etag: string) => etag.replace(/"/g, '').toLowerCase();

export type UploadSink = Writable & {
  /** After the stream finished: the version the completed object got, and how many parts were sent. */
  readonly result: { versionId: string | undefined; sent: number; skipped: number };
};

export function uploadSink(opts: {
  client: S3Client;
  bucket: string;
  key: string;
  uploadId: string;
  partBytes: number;
  /** Parts the server already holds for this upload (empty for a new one). */
  stored: StoredPart[];
  /** Parts sent at once (default 3). */
  parallel?: number;
  signal?: AbortSignal;
}): UploadSink {
  const { client, bucket, key, uploadId, partBytes, signal } = opts;
  const parallel = opts.parallel ?? 3;
  const stored = new Map(opts.stored.map((p) => [p.PartNumber, p]));
  const done: CompletedPart[] = [];
  const result = { versionId: undefined as string | undefined, sent: 0, skipped: 0 };
  const guard = <T>(call: Promise<T>): Promise<T> =>
    call.catch((err: unknown) => {
      throw new StoreCallFailed(err);
    });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const inFlight = new Set<Promise<void>>();
  let numbered = 0;
  let failure: unknown;
  const putPart = async (number: number, body: Buffer) => {
    const md5 = createHash('md5').update(body).digest('hex');
    const have = stored.get(number);
    if (have && have.Size === body.length && unquote(have.ETag) === md5) {
      done[number - 1] = { PartNumber: number, ETag: have.ETag };
      result.skipped++;
      return;
    }
    if (have) throw new ResumeMismatch(number);
    const out = await guard(
      client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: body }),
        { abortSignal: signal },
      ),
    );
    done[number - 1] = { PartNumber: number, ETag: out.ETag };
    result.sent++;
  };
  // Up to `parallel` parts travel at once; a part that fails stops the stream once those in flight end.
  const start = async (body: Buffer) => {
    while (inFlight.size >= parallel) await Promise.race(inFlight);
    if (failure) throw failure;
    const sending: Promise<void> = putPart(++numbered, body)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };
  const drained = async () => {
    await Promise.all(inFlight);
    if (failure) throw failure;
  };
  const sink = new Writable({
    highWaterMark: partBytes,
    write(chunk: Buffer, _enc, cb) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < partBytes) return cb();
      const all = Buffer.concat(pending);
      const parts: Buffer[] = [];
      let at = 0;
      for (; all.length - at >= partBytes; at += partBytes) parts.push(all.subarray(at, at + partBytes));
      pending = at < all.length ? [all.subarray(at)] : [];
      pendingBytes = all.length - at;
      (async () => {
        for (const part of parts) await start(part);
      })().then(() => cb(), cb);
    },
    final(cb) {
      (async () => {
        // The last part may be short; an empty object still needs one (empty) part.
        if (pendingBytes > 0 || numbered === 0) await start(Buffer.concat(pending));
        await drained();
        // Parts stored beyond the end: the source is now shorter than when the upload began.
        if ([...stored.keys()].some((n) => n > numbered)) throw new ResumeMismatch(numbered + 1);
        const out = await guard(
          client.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: done },
            }),
            { abortSignal: signal },
          ),
        );
        result.versionId = out.VersionId;
      })().then(() => cb(), cb);
    },
    destroy(err, cb) {
      // A stream torn down (the source failed, the copy cancelled) lets the parts in flight end first.
      drained().then(
        () => cb(err),
        () => cb(err),
      );
    },
  });
  return Object.assign(sink, { result });
}
