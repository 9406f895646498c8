import { CLOSING_ACTION, verifyChain, type AuditEntry, type ChainStart, type VerifyResult } from './audit-chain';

// A trail as text, one JSON entry per line, as the store writes it and as it is exported or bundled.

/** The entries of a file's text, without a torn last line (no newline: a write cut short by a crash). */
export function parseAuditLines(text: string): AuditEntry[] {
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
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

/** Verifies an exported or stored audit file's text; a line that is not JSON is named like any bad entry. */
export function verifyAuditText(text: string, incidentId?: string): VerifyResult {
  return verifyReadAuditText(readAuditText(text), incidentId);
}

/**
 * Whether one part of a trail's lines verifies, given the line just before it (none: the part starts
 * the trail), and the hash of each of its entries. Parts of a long trail are checked apart, on several
 * cores; all parts verify exactly when the whole does, and a part that does not sends the caller back
 * to verifyAuditText on the whole for the verdict to name.
 */
export function verifyAuditPart(
  lines: readonly string[],
  lineBefore: string | undefined,
  incidentId: string | undefined,
): { ok: boolean; hashes: string[]; closed: boolean } {
  const no = { ok: false, hashes: [], closed: false };
  let start: ChainStart | undefined;
  const entries: AuditEntry[] = [];
  try {
    if (lineBefore !== undefined) {
      const e = JSON.parse(lineBefore) as Partial<AuditEntry> | null;
      if (!e || typeof e !== 'object' || typeof e.seq !== 'number' || typeof e.hash !== 'string') return no;
      start = { seq: e.seq, hash: e.hash, closed: e.action === CLOSING_ACTION };
    }
    for (const line of lines) entries.push(JSON.parse(line) as AuditEntry);
  } catch {
    return no;
  }
  const verdict = verifyChain(entries, incidentId, start);
  if (!verdict.ok) return no;
  return { ok: true, hashes: entries.map((e) => e.hash), closed: verdict.closed };
}

/** The entries up to the first line that is not JSON, which the chain check names. */
export function readableEntries(text: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as AuditEntry);
    } catch {
      break;
    }
  }
  return entries;
}
