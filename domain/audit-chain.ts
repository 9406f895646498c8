import { hash } from 'node:crypto';
import { CLOSING_ACTION, GENESIS_HASH, type AuditEntry, type AuditRecord } from './audit-entry';
import { canonicalJson } from './canonical-json';

// One hash chain per incident: each entry commits to the one before it, so changing, removing or
// reordering any entry breaks every hash after it and `verify` can name the first bad one.

export { GENESIS_HASH, CLOSING_ACTION, canonicalJson };
export type { AuditRecord, AuditEntry };

/**
 * The exact text whose SHA-256 is an entry's hash: the previous hash, then the entry's fields as
 * canonical JSON (one line: JSON escapes every newline). A case bundle ships these lines so that a
 * recipient can recompute the chain with sha256sum alone.
 */
export function entryHashInput(prevHash: string, record: AuditRecord): string {
  return prevHash + canonicalRecord(record);
}

export function entryHash(prevHash: string, record: AuditRecord): string {
  // One-shot hash: a Hash object per entry cost as much as hashing a typical entry's bytes.
  return hash('sha256', entryHashInput(prevHash, record), 'hex');
}

/**
 * canonicalJson of the hashed fields. When each has the type it must, they are spelled in their sorted
 * order (action, actor, at, details, incidentId, seq) without sorting them for every entry.
 */
function canonicalRecord({ incidentId, seq, at, actor, action, details }: AuditRecord): string {
  if (
    typeof action !== 'string' ||
    typeof actor !== 'string' ||
    typeof at !== 'string' ||
    details === null ||
    typeof details !== 'object' ||
    typeof incidentId !== 'string' ||
    typeof seq !== 'number'
  )
    return canonicalJson({ incidentId, seq, at, actor, action, details });
  const q = JSON.stringify;
  return `{"action":${q(action)},"actor":${q(actor)},"at":${q(at)},"details":${canonicalJson(details)},"incidentId":${q(incidentId)},"seq":${q(seq)}}`;
}

export function chainEntry(prev: AuditEntry | undefined, record: AuditRecord): AuditEntry {
  const prevHash = prev ? prev.hash : GENESIS_HASH;
  return { ...record, prevHash, hash: entryHash(prevHash, record) };
}

export type VerifyResult =
  | { ok: true; entries: number; lastHash: string; closed: boolean }
  | { ok: false; entries: number; line: number; seq?: number; problem: string };

/**
 * Where a part of a trail starts when its parts are checked apart (a long trail, on several cores): the
 * entry just before the part, as read. Without it, the part is the whole trail and starts at genesis.
 */
export interface ChainStart {
  seq: number;
  hash: string;
  closed: boolean;
}

/**
 * Recomputes the chain from the first entry; `line` is 1-based, as a person opening the file counts.
 * From a `start`, lines count on from its seq, and a moved entry is looked for within the part only.
 */
export function verifyChain(entries: readonly AuditEntry[], incidentId?: string, start?: ChainStart): VerifyResult {
  let prevHash = start?.hash ?? GENESIS_HASH;
  let closed = start?.closed ?? false;
  const before = start?.seq ?? 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const fail = (problem: string): VerifyResult => ({
      ok: false,
      entries: entries.length,
      line: before + i + 1,
      seq: e?.seq,
      problem,
    });
    if (!e || typeof e !== 'object' || typeof e.seq !== 'number' || typeof e.hash !== 'string') {
      return fail('is not an audit entry');
    }
    if (incidentId !== undefined && e.incidentId !== incidentId)
      return fail(`belongs to incident ${e.incidentId}, not ${incidentId}`);
    if (closed) return fail(`follows the closing entry: nothing may be appended after ${CLOSING_ACTION}`);
    if (e.seq !== before + i + 1) {
      const expected = before + i + 1;
      // An expected entry that still stands further down was moved, not removed.
      const movedLater = entries.slice(i + 1).some((later) => later?.seq === expected);
      return fail(
        e.seq > expected && !movedLater
          ? `has seq ${e.seq} where ${expected} was expected: entries ${expected}–${e.seq - 1} were removed`
          : `has seq ${e.seq} where ${expected} was expected: entries were reordered or duplicated`,
      );
    }
    if (e.prevHash !== prevHash)
      return fail('does not link to the entry before it: an entry before it was removed, reordered or modified');
    if (entryHash(prevHash, e) !== e.hash)
      return fail('was modified after it was written: its hash does not match its content');
    prevHash = e.hash;
    closed = e.action === CLOSING_ACTION;
  }
  return { ok: true, entries: entries.length, lastHash: prevHash, closed };
}
