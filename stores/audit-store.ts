import { mkdir, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { chainEntry, verifyChain, type AuditEntry, type AuditRecord, type VerifyResult } from '../domain/audit-chain';
import { INCIDENT_ID_PATTERN } from '../domain/incident';
import { NO_FAULTS, type FaultPoints } from '../platform/fault-points';

// The default audit store: one JSON-lines file per incident, human-readable and trivially exported, kept
// under the data dir so it outlives Temporal's history retention. Appends are idempotent by seq, so a
// retried activity never writes an entry twice, and each write is fsync'ed before the activity returns.
// A crash mid-write leaves a torn last line without its newline; it was never acknowledged, so readers
// skip it and the next append cuts it off before writing.

export interface AuditStore {
  append(incidentId: string, records: AuditRecord[]): Promise<{ written: number; lastSeq: number }>;
  read(incidentId: string): Promise<AuditEntry[]>;
  verify(incidentId: string): Promise<VerifyResult>;
  fileOf(incidentId: string): string;
}

const NEWLINE = 0x0a;
/** How far back each read looks for the start of the last line; a longer line takes several reads. */
const TAIL_BYTES = 256 * 1024;

export class JsonlAuditStore implements AuditStore {
  /** Serialises appends per incident within this process; the file itself is the source of truth. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    /** Test-only crash points (INCIDENT_FAULT_CRASH_AT); inert by default. */
    private readonly faults: FaultPoints = NO_FAULTS,
  ) {}

  fileOf(incidentId: string): string {
    if (!INCIDENT_ID_PATTERN.test(incidentId))
      throw new Error(`Invalid incident id for the audit store: ${JSON.stringify(incidentId)}`);
    return path.join(this.dir, `${incidentId}.jsonl`);
  }

  append(incidentId: string, records: AuditRecord[]): Promise<{ written: number; lastSeq: number }> {
    const previous = this.queues.get(incidentId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.appendNow(incidentId, records));
    this.queues.set(incidentId, next);
    void next
      .finally(() => {
        if (this.queues.get(incidentId) === next) this.queues.delete(incidentId);
      })
      .catch(() => undefined);
    return next;
  }

  private async appendNow(incidentId: string, records: AuditRecord[]): Promise<{ written: number; lastSeq: number }> {
    const file = this.fileOf(incidentId);
    await mkdir(this.dir, { recursive: true });
    let last = await this.lastEntry(file);
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
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await this.faults.reach('audit-after-write');
    }
    return { written: lines.length, lastSeq: last?.seq ?? 0 };
  }

  /**
   * The last complete entry; a torn final line (a crash mid-write, never acknowledged) is cut off first.
   * Works on bytes, since a newline byte never occurs inside a multi-byte UTF-8 character, and reads
   * further back for a last line longer than one read.
   */
  private async lastEntry(file: string): Promise<AuditEntry | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      let size = (await handle.stat()).size;
      if (size > 0 && (await byteAt(handle, size - 1)) !== NEWLINE) {
        size = await lineStart(handle, size);
        await truncate(file, size);
      }
      if (size === 0) return undefined;
      const start = await lineStart(handle, size - 1);
      const line = Buffer.alloc(size - 1 - start);
      await handle.read(line, 0, line.length, start);
      return JSON.parse(line.toString('utf8')) as AuditEntry;
    } finally {
      await handle.close();
    }
  }

  async read(incidentId: string): Promise<AuditEntry[]> {
    let text: string;
    try {
      text = await readFile(this.fileOf(incidentId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return parseAuditLines(text);
  }

  async verify(incidentId: string): Promise<VerifyResult> {
    let text: string;
    try {
      text = await readFile(this.fileOf(incidentId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { ok: false, entries: 0, line: 0, problem: 'no audit file exists for this incident' };
      throw err;
    }
    return verifyAuditText(text, incidentId);
  }
}

async function byteAt(handle: FileHandle, position: number): Promise<number> {
  const one = Buffer.alloc(1);
  await handle.read(one, 0, 1, position);
  return one[0];
}

/** The offset where the line holding the byte just before `end` starts: after the previous newline, or 0. */
async function lineStart(handle: FileHandle, end: number): Promise<number> {
  const buffer = Buffer.alloc(Math.min(end, TAIL_BYTES));
  for (let to = end; to > 0;) {
    const from = Math.max(0, to - buffer.length);
    await handle.read(buffer, 0, to - from, from);
    const at = buffer.subarray(0, to - from).lastIndexOf(NEWLINE);
    if (at >= 0) return from + at + 1;
    to = from;
  }
  return 0;
}

/** The entries of a file's text, without a torn last line (no newline: a write cut short by a crash). */
export function parseAuditLines(text: string): AuditEntry[] {
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
}

/** Verifies an exported or stored audit file's text; a line that is not JSON is named like any bad entry. */
export function verifyAuditText(text: string, incidentId?: string): VerifyResult {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const entries: AuditEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    try {
      entries.push(JSON.parse(lines[i]) as AuditEntry);
    } catch {
      const torn = i === lines.length - 1 && !text.endsWith('\n');
      const problem = torn
        ? 'is an unfinished last line (a write cut short by a crash; the next append removes it)'
        : 'is not valid JSON';
      return { ok: false, entries: lines.length, line: i + 1, problem };
    }
  }
  return verifyChain(entries, incidentId);
}
