import { verifyChain, type AuditEntry, type VerifyResult } from './audit-chain';

// A trail as text, one JSON entry per line, as the store writes it and as it is exported or bundled.

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
