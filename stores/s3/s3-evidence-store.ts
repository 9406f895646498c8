import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../../platform/config/storage-schema';
import { atRestInfo, DEFAULT_SEGMENT_BYTES, SEALED_SUFFIX } from '../../platform/encryption/at-rest/format';
import type { KeyRing } from '../../platform/encryption/key-ring';
import {
  EvidenceError,
  statEvidenceSource,
  type CopyHooks,
  type EvidenceCopier,
  type StoredEvidence,
} from '../evidence-record';
import { LockedObjects } from './locked-objects';
import { s3Location } from './s3-objects';

// Forensic copies in an S3 bucket under Object Lock in COMPLIANCE mode: once uploaded, no account (the
// worker's, the bucket owner's, the root's) can delete or overwrite the version before its retain-until
// date. Each copy is streamed, verified and resumed by LockedObjects; the record, itself a locked object
// beside the copy, is written last, and a retried activity that finds it returns it as it is.
//
// The layout under evidence/INCIDENT/SYSTEM/round-N/ is that of the files store: image.bin (.enc when
// sealed) for a file, a block device or a command's output; tree/ and MANIFEST.sha256 for a directory,
// whose record hash is that of the manifest. A directory copy, like the files store's, starts over when
// interrupted (its files are written again as new versions; the record names the manifest of the last).

export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const RECORD = 'evidence.json';
const STATE = 'upload.json';

export interface S3EvidenceOptions {
  /** Bytes per part (at least 5 MiB, the S3 minimum for all parts but the last). */
  partBytes?: number;
  /** Parts sent at once (3 by default): on a link with latency, one at a time leaves it idle between parts. */
  parallelParts?: number;
  now?: () => Date;
}

type Meta = Pick<StoredEvidence, 'source' | 'kind' | 'startedAt'>;

/** The key prefix of one copy in the bucket: where the worker puts it, the migration moves it, export looks. */
export function evidenceRoundPrefix(incidentId: string, system: string, round: number): string {
  return `evidence/${incidentId}/${system}/round-${round}`;
}

export class S3EvidenceStore implements EvidenceCopier {
  private readonly objects: LockedObjects;

  constructor(client: S3Client, settings: S3Config, atRest?: KeyRing, options: S3EvidenceOptions = {}) {
    this.objects = new LockedObjects(
      client,
      settings,
      atRest,
      options.partBytes ?? DEFAULT_PART_BYTES,
      options.now ?? (() => new Date()),
      options.parallelParts,
    );
  }

  private get suffix(): string {
    return this.objects.atRest ? SEALED_SUFFIX : '';
  }

  dirFor(incidentId: string, system: string, round: number): string {
    return evidenceRoundPrefix(incidentId, system, round);
  }

  async existing(place: string): Promise<StoredEvidence | undefined> {
    const text = await this.objects.getText(`${place}/${RECORD}`);
    return text === undefined ? undefined : (JSON.parse(text) as StoredEvidence);
  }

  async copyFromPath(place: string, source: string, hooks: CopyHooks = {}): Promise<StoredEvidence> {
    const done = await this.existing(place);
    if (done) return done;
    const info = await statEvidenceSource(source);
    const startedAt = this.objects.now().toISOString();
    if (info.isDirectory()) return this.copyDirectory(place, source, startedAt, hooks);
    if (!info.isFile() && !info.isBlockDevice())
      throw new EvidenceError(`Evidence source ${source} is neither a file, a directory nor a block device.`, true);
    const meta: Meta = { source, kind: info.isBlockDevice() ? 'block-device' : 'file', startedAt };
    const key = `${place}/image.bin${this.suffix}`;
    const open = () => createReadStream(source, { signal: hooks.signal, highWaterMark: 1024 * 1024 });
    const written = await this.objects.write(key, `${place}/${STATE}`, open, hooks, true, source);
    return this.record(place, {
      ...meta,
      location: s3Location(this.objects.bucket, key, written.versionId),
      sha256: written.sha256,
      sizeBytes: written.size,
      ...(written.sealedWith ? { encryption: atRestInfo(written.sealedWith) } : {}),
    });
  }

  async copyFromStream(
    place: string,
    source: string,
    produce: (sink: NodeJS.WritableStream) => Promise<void>,
    hooks: CopyHooks = {},
  ): Promise<StoredEvidence> {
    const done = await this.existing(place);
    if (done) return done;
    const startedAt = this.objects.now().toISOString();
    const key = `${place}/image.bin${this.suffix}`;
    const open = () => {
      const passThrough = new PassThrough();
      produce(passThrough).then(
        () => passThrough.end(),
        (err: Error) => passThrough.destroy(err),
      );
      return passThrough;
    };
    const written = await this.objects.write(key, `${place}/${STATE}`, open, hooks, false, source);
    return this.record(place, {
      source,
      kind: 'command-output',
      startedAt,
      location: s3Location(this.objects.bucket, key, written.versionId),
      sha256: written.sha256,
      sizeBytes: written.size,
      ...(written.sealedWith ? { encryption: atRestInfo(written.sealedWith) } : {}),
    });
  }

  /** Each file as its own locked object under tree/, verified as a single file is, then the manifest. */
  private async copyDirectory(place: string, source: string, startedAt: string, hooks: CopyHooks) {
    const manifest: NonNullable<StoredEvidence['manifest']> = [];
    let total = 0;
    let sealedWith: { keyId: string; segmentBytes: number } | undefined;
    const walk = async (rel: string): Promise<void> => {
      const entries = (await readdir(path.join(source, rel), { withFileTypes: true })).sort((a, b) =>
        a.name < b.name ? -1 : 1,
      );
      for (const entry of entries) {
        const relPath = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(relPath);
        if (!entry.isFile()) continue;
        const before = total;
        const written = await this.objects.write(
          `${place}/tree/${relPath}${this.suffix}`,
          `${place}/${STATE}`,
          () => createReadStream(path.join(source, relPath), { signal: hooks.signal }),
          { ...hooks, onProgress: (bytes) => hooks.onProgress?.(before + bytes) },
          false,
          `${relPath} of ${source}`,
        );
        sealedWith ??= written.sealedWith;
        total += written.size;
        manifest.push({ path: relPath, sha256: written.sha256, sizeBytes: written.size });
      }
    };
    await walk('');
    const manifestText = manifest.map((m) => `${m.sha256}  ${m.sizeBytes}  ${m.path}`).join('\n') + '\n';
    await this.objects.put(`${place}/MANIFEST.sha256`, manifestText, true);
    const ring = this.objects.atRest;
    return this.record(place, {
      source,
      kind: 'directory',
      startedAt,
      location: `s3://${this.objects.bucket}/${place}/tree`,
      sha256: createHash('sha256').update(manifestText).digest('hex'),
      sizeBytes: total,
      manifest,
      ...(ring
        ? { encryption: atRestInfo(sealedWith ?? { keyId: ring.activeKeyId, segmentBytes: DEFAULT_SEGMENT_BYTES }) }
        : {}),
    });
  }

  private async record(place: string, copy: Omit<StoredEvidence, 'finishedAt'>): Promise<StoredEvidence> {
    const record: StoredEvidence = { ...copy, finishedAt: this.objects.now().toISOString() };
    await this.objects.put(`${place}/${RECORD}`, JSON.stringify(record, null, 2), true);
    return record;
  }
}
