import {
  CLOSING_ACTION,
  GENESIS_HASH,
  verifyChain,
  type AuditEntry,
  type ChainStart,
  type VerifyResult,
} from './audit-chain';

// A trail as text, one JSON entry per line, as the store writes it and as it is exported or bundled.

/** The lines of a file's text that hold something, without a torn last line (no newline: a write cut short by a crash). */
export function completeAuditLines(text: string): string[] {
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  return complete.split('\n').filter((l) => l.trim() !== '');
}

/** The entries of a file's text, without a torn last line. */
export function parseAuditLines(text: string): AuditEntry[] {
  return completeAuditLines(text).map((l) => JSON.parse(l) as AuditEntry);
}

/** The lines of a trail's text that hold something, as verify counts them. */
export const auditTextLines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

export interface ReadAuditText {
  /** The entries up to the first line that is not JSON. */
  entries: AuditEntry[];
  /** That line, when there is one, and what is wrong with it. */
  bad?: { line: number; problem: string };
  lines: number;
}

/** Parses each line once; a line that is not JSON ends the entries and is named as verify names it. */
export function readAuditText(text: string): ReadAuditText {
  const lines = auditTextLines(text);
  const entries: AuditEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    try {
      entries.push(JSON.parse(lines[i]) as AuditEntry);
    } catch {
      const torn = i === lines.length - 1 && !text.endsWith('\n');
      const problem = torn
        ? 'is an unfinished last line (a write cut short by a crash; the next append removes it)'
        : 'is not valid JSON';
      return { entries, bad: { line: i + 1, problem }, lines: lines.length };
    }
  }
  return { entries, lines: lines.length };
}

/** The chain's verdict on a text already read, so that verifying a trail parses each line once. */
export function verifyReadAuditText(read: ReadAuditText, incidentId?: string): VerifyResult {
  if (read.bad) return { ok: false, entries: read.lines, ...read.bad };
  return verifyChain(read.entries, incidentId);
}

/** A trail whose chain verifies: the verdict, and each entry's hash in order (all later checks read). */
export interface VerifiedChain {
  verdict: VerifyResult & { ok: true };
  hashes: readonly string[];
}

/** Ends the parts of a trail that verify one after the other: their hashes in order, the last part's closed. */
export function joinVerifiedParts(parts: readonly { hashes: readonly string[]; closed: boolean }[]): VerifiedChain {
  const hashes = parts.flatMap((p) => p.hashes);
  const closed = parts.length > 0 && parts[parts.length - 1].closed;
  return {
    verdict: { ok: true, entries: hashes.length, lastHash: hashes[hashes.length - 1] ?? GENESIS_HASH, closed },
    hashes,
  };
}

/**
 * The chain of a trail that verifies, checked a few hundred entries at a time so that only their hashes
 * are kept; undefined when something is wrong with it (verifyReadAuditText then names what).
 */
export function verifiedChain(text: string, incidentId?: string): VerifiedChain | undefined {
  const part = verifyAuditPart(auditTextLines(text), undefined, incidentId);
  return part.ok ? joinVerifiedParts([part]) : undefined;
}

/** Verifies an exported or stored audit file's text; a line that is not JSON is named like any bad entry. */
export function verifyAuditText(text: string, incidentId?: string): VerifyResult {
  // A trail with something wrong is read again whole, so that the verdict names its first bad line.
  return verifiedChain(text, incidentId)?.verdict ?? verifyReadAuditText(readAuditText(text), incidentId);
}

/** Entries checked at a time: a part keeps only their hashes, which spares the collector the parsed entries. */
const CHUNK = 512;

/**
 * Whether one part of a trail's lines verifies, given the line just before it (none: the part starts
 * the trail), and the hash of each of its entries. Parts of a long trail are checked apart, on several
 * cores, and each part a few hundred entries at a time, each run starting after the one before: all
 * verify exactly when the whole does. A part that does not sends the caller back to the whole trail at
 * once, for the verdict to name what is wrong.
 */
export function verifyAuditPart(
  lines: readonly string[],
  lineBefore: string | undefined,
  incidentId: string | undefined,
): { ok: boolean; hashes: string[]; closed: boolean } {
  const no = { ok: false, hashes: [], closed: false };
  let start: ChainStart | undefined;
  const hashes: string[] = [];
  try {
    if (lineBefore !== undefined) {
      const e = JSON.parse(lineBefore) as Partial<AuditEntry> | null;
      if (!e || typeof e !== 'object' || typeof e.seq !== 'number' || typeof e.hash !== 'string') return no;
      start = { seq: e.seq, hash: e.hash, closed: e.action === CLOSING_ACTION };
    }
    for (let from = 0; from < lines.length; from += CHUNK) {
      const entries: AuditEntry[] = [];
      for (let i = from; i < Math.min(lines.length, from + CHUNK); i++)
        entries.push(JSON.parse(lines[i]) as AuditEntry);
      const verdict = verifyChain(entries, incidentId, start);
      if (!verdict.ok) return no;
      for (const e of entries) hashes.push(e.hash);
      const last = entries[entries.length - 1];
      start = { seq: last.seq, hash: last.hash, closed: verdict.closed };
    }
  } catch {
    return no;
  }
  return { ok: true, hashes, closed: start?.closed ?? false };
}

/** The entries up to the first line that is not JSON, which the chain check names. */
export function readableEntries(text: string): AuditEntry[] {
  return readAuditText(text).entries;
}
