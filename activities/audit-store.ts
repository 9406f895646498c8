import { mkdir, open, readFile, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { chainEntry, verifyChain, type AuditEntry, type AuditRecord, type VerifyResult } from '../domain/audit-chain';

// The default audit store: one JSON-lines file per incident, human-readable and trivially exported, kept
// under the data dir so it outlives Temporal's history retention. Appends are idempotent by seq, so a
// retried activity never writes an entry twice, and each write is fsync'ed before the activity returns.

export interface AuditStore {
  append(incidentId: string, records: AuditRecord[]): Promise<{ written: number; lastSeq: number }>;
  read(incidentId: string): Promise<AuditEntry[]>;
  verify(incidentId: string): Promise<VerifyResult>;
  fileOf(incidentId: string): string;
}

const TAIL_BYTES = 256 * 1024;

export class JsonlAuditStore implements AuditStore {
  /** Serialises appends per incident within this process; the file itself is the source of truth. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string) {}

  fileOf(incidentId: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(incidentId)) throw new Error(`Invalid incident id for the audit store: ${JSON.stringify(incidentId)}`);
    return path.join(this.dir, `${incidentId}.jsonl`);
  }

  append(incidentId: string, records: AuditRecord[]): Promise<{ written: number; lastSeq: number }> {
    const previous = this.queues.get(incidentId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.appendNow(incidentId, records));
    this.queues.set(incidentId, next);
    void next.finally(() => {
      if (this.queues.get(incidentId) === next) this.queues.delete(incidentId);
    }).catch(() => undefined);
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
        throw new Error(`Audit gap for ${incidentId}: the file ends at seq ${lastSeq} but the next entry has seq ${record.seq}`);
      }
      last = chainEntry(last, record);
      lines.push(JSON.stringify(last));
    }
    if (lines.length) {
      const handle = await open(file, 'a', 0o640);
      try {
        await handle.write(lines.join('\n') + '\n');
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    return { written: lines.length, lastSeq: last?.seq ?? 0 };
  }

  /** The last complete entry; a torn final line (a crash mid-write, never acknowledged) is cut off. */
  private async lastEntry(file: string): Promise<AuditEntry | undefined> {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (size === 0) return undefined;
    const handle = await open(file, 'r');
    try {
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      let text = buffer.toString('utf8');
      if (!text.endsWith('\n')) {
        const cut = text.lastIndexOf('\n');
        await truncate(file, cut < 0 ? size - length : size - length + Buffer.byteLength(text.slice(0, cut + 1)));
        text = cut < 0 ? '' : text.slice(0, cut + 1);
        if (!text) return size > length ? this.lastEntry(file) : undefined;
      }
      const lines = text.trimEnd().split('\n');
      return JSON.parse(lines[lines.length - 1]) as AuditEntry;
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
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, entries: 0, line: 0, problem: 'no audit file exists for this incident' };
      throw err;
    }
    return verifyAuditText(text, incidentId);
  }
}

export function parseAuditLines(text: string): AuditEntry[] {
  return text
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
      return { ok: false, entries: lines.length, line: i + 1, problem: 'is not valid JSON' };
    }
  }
  return verifyChain(entries, incidentId);
}
