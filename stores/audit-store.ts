import type { KeyObject } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chainEntry, type AuditEntry, type AuditRecord, type VerifyResult } from '../domain/audit-chain';
import { parseAuditLines, verifyAuditText } from '../domain/audit-text';

export { parseAuditLines, verifyAuditText };
import { parseCheckpoint, signCheckpoint, type SignedCheckpoint } from '../domain/audit-checkpoint';
import { INCIDENT_ID_PATTERN } from '../domain/incident';
import { NO_FAULTS, type FaultPoints } from '../platform/fault-points';
import { lastCompleteLine } from './jsonl-tail';

// The default audit store: one JSON-lines file per incident, human-readable and trivially exported, kept
// under the data dir so it outlives Temporal's history retention. Appends are idempotent by seq, so a
// retried activity never writes an entry twice, and each write is fsync'ed before the activity returns.
// A crash mid-write leaves a torn last line without its newline; it was never acknowledged, so readers
// skip it and the next append cuts it off before writing.
//
// Beside each trail, a second file holds the worker's signed checkpoints: after each append, one line
// signing the new head. A crash between the append and its checkpoint leaves the head unsigned; the next
// append (or the retry of the same one) signs it first.

export interface AppendResult {
  written: number;
  lastSeq: number;
  /** The trail's head after this append: its last entry's seq and hash (undefined while the trail is empty). */
  head?: { seq: number; hash: string };
  /** The checkpoint that now signs the head, when this store signs. */
  checkpoint?: SignedCheckpoint;
}

export interface AppendOptions {
  /** Temporal's clock for this append, recorded in its checkpoint beside the worker's. */
  temporalAt?: string;
}

/** Where trails are kept: files under the data dir, or PostgreSQL (stores/postgres/pg-audit-store.ts). */
export interface AuditStore {
  append(incidentId: string, records: AuditRecord[], options?: AppendOptions): Promise<AppendResult>;
  read(incidentId: string): Promise<AuditEntry[]>;
  verify(incidentId: string): Promise<VerifyResult>;
  /** The trail as JSON lines, exactly as stored; undefined when there is none. */
  trailText(incidentId: string): Promise<string | undefined>;
  /** Its signed checkpoints as JSON lines; undefined when there are none. */
  checkpointsText(incidentId: string): Promise<string | undefined>;
  /** Where the trail is, for messages (a file, or a database and a trail id). */
  location(incidentId: string): string;
  /** What an operator does when an append fails. */
  remedy(incidentId: string): string;
  close?(): Promise<void>;
}

/** Where a trail's checkpoints are kept, in the store and beside an export: `<name>.checkpoints.jsonl`. */
export function checkpointsPathFor(trailFile: string): string {
  return trailFile.endsWith('.jsonl')
    ? `${trailFile.slice(0, -'.jsonl'.length)}.checkpoints.jsonl`
    : `${trailFile}.checkpoints.jsonl`;
}

/** The trail key a writing store signs checkpoints with (platform/trail-key.ts loads it). */
export interface CheckpointSigning {
  keyId: string;
  privateKey: KeyObject;
}

/** Reading and verifying a trail, the same for every store that can give its text. */
export abstract class TrailTextStore {
  abstract trailText(incidentId: string): Promise<string | undefined>;
  /** Why verification fails when there is no trail at all. */
  protected abstract readonly missingTrail: string;

  async read(incidentId: string): Promise<AuditEntry[]> {
    return parseAuditLines((await this.trailText(incidentId)) ?? '');
  }

  async verify(incidentId: string): Promise<VerifyResult> {
    const text = await this.trailText(incidentId);
    if (text === undefined) return { ok: false, entries: 0, line: 0, problem: this.missingTrail };
    return verifyAuditText(text, incidentId);
  }
}

export class JsonlAuditStore extends TrailTextStore implements AuditStore {
  protected readonly missingTrail = 'no audit file exists for this incident';
  /** Serialises appends per incident within this process; the file itself is the source of truth. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** The seq each incident's last checkpoint signs, once read from its file by this process. */
  private readonly signedSeq = new Map<string, number>();

  constructor(
    private readonly dir: string,
    /** Test-only crash points (INCIDENT_FAULT_CRASH_AT); inert by default. */
    private readonly faults: FaultPoints = NO_FAULTS,
    /** The worker's trail key; a store that only reads (the CLI) has none and writes no checkpoints. */
    private readonly signing?: CheckpointSigning,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  fileOf(incidentId: string): string {
    if (!INCIDENT_ID_PATTERN.test(incidentId))
      throw new Error(`Invalid incident id for the audit store: ${JSON.stringify(incidentId)}`);
    return path.join(this.dir, `${incidentId}.jsonl`);
  }

  checkpointsFileOf(incidentId: string): string {
    return checkpointsPathFor(this.fileOf(incidentId));
  }

  location(incidentId: string): string {
    return this.fileOf(incidentId);
  }

  remedy(incidentId: string): string {
    return `Free disk space or fix permissions of ${this.fileOf(incidentId)}`;
  }

  trailText(incidentId: string): Promise<string | undefined> {
    return readIfPresent(this.fileOf(incidentId));
  }

  checkpointsText(incidentId: string): Promise<string | undefined> {
    return readIfPresent(this.checkpointsFileOf(incidentId));
  }

  append(incidentId: string, records: AuditRecord[], options: AppendOptions = {}): Promise<AppendResult> {
    const previous = this.queues.get(incidentId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.appendNow(incidentId, records, options));
    this.queues.set(incidentId, next);
    void next
      .finally(() => {
        if (this.queues.get(incidentId) === next) this.queues.delete(incidentId);
      })
      .catch(() => undefined);
    return next;
  }

  private async appendNow(incidentId: string, records: AuditRecord[], options: AppendOptions): Promise<AppendResult> {
    const file = this.fileOf(incidentId);
    await mkdir(this.dir, { recursive: true });
    const lastLine = await lastCompleteLine(file);
    let last = lastLine === undefined ? undefined : (JSON.parse(lastLine) as AuditEntry);
    // A head left unsigned by a crash is signed before anything is added after it.
    let checkpoint =
      last && (await this.unsigned(incidentId, last)) ? await this.sign(incidentId, last, options) : undefined;
    const lines: string[] = [];
    for (const record of [...records].sort((a, b) => a.seq - b.seq)) {
      const lastSeq = last?.seq ?? 0;
      if (record.seq <= lastSeq) continue; // already written by an earlier attempt
      if (record.seq !== lastSeq + 1) {
        throw new Error(
          `Audit gap for ${incidentId}: the file ends at seq ${lastSeq} but the next entry has seq ${record.seq}`,
        );
      }
      last = chainEntry(last, record);
      lines.push(JSON.stringify(last));
    }
    if (lines.length) {
      const data = Buffer.from(lines.join('\n') + '\n');
      const handle = await open(file, 'a', 0o640);
      try {
        await this.faults.reach('audit-mid-write', async () => {
          await handle.write(data.subarray(0, Math.max(1, Math.floor(data.length / 2))));
          await handle.datasync();
        });
        await handle.write(data);
        const syncTrail = () => handle.datasync();
        if (await this.unsigned(incidentId, last!)) checkpoint = await this.sign(incidentId, last!, options, syncTrail);
        else await syncTrail();
      } finally {
        await handle.close();
      }
      await this.faults.reach('audit-after-write');
    }
    return {
      written: lines.length,
      lastSeq: last?.seq ?? 0,
      ...(last ? { head: { seq: last.seq, hash: last.hash } } : {}),
      ...(checkpoint ? { checkpoint } : {}),
    };
  }

  /** Whether this store signs and the last checkpoint does not yet sign `head`. */
  private async unsigned(incidentId: string, head: AuditEntry): Promise<boolean> {
    if (!this.signing) return false;
    let signed = this.signedSeq.get(incidentId);
    if (signed === undefined) {
      const line = await lastCompleteLine(this.checkpointsFileOf(incidentId));
      signed = (line === undefined ? undefined : parseCheckpoint(line)?.seq) ?? 0;
      this.signedSeq.set(incidentId, signed);
    }
    return signed < head.seq;
  }

  /**
   * Appends a signed checkpoint for `head` and fsyncs it together with `syncTrail`, the trail's pending
   * fsync: run at once, both cost about one disk flush where one after the other cost two. Should the
   * checkpoint reach the disk and the trail not (power lost), the append is retried with the same
   * entries and hashes, so the trail catches up with what was signed.
   */
  private async sign(
    incidentId: string,
    head: AuditEntry,
    options: AppendOptions,
    syncTrail?: () => Promise<void>,
  ): Promise<SignedCheckpoint> {
    const signing = this.signing!;
    await this.faults.reach('audit-before-checkpoint', syncTrail);
    const checkpoint = signCheckpoint(
      {
        incidentId,
        seq: head.seq,
        hash: head.hash,
        at: this.clock().toISOString(),
        temporalAt: options.temporalAt,
        keyId: signing.keyId,
      },
      signing.privateKey,
    );
    const handle = await open(this.checkpointsFileOf(incidentId), 'a', 0o640);
    try {
      await handle.write(JSON.stringify(checkpoint) + '\n');
      await Promise.all([handle.datasync(), syncTrail?.()]);
    } finally {
      await handle.close();
    }
    this.signedSeq.set(incidentId, head.seq);
    return checkpoint;
  }
}

/** A file's text; undefined when it does not exist (any other error is thrown). */
export async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
