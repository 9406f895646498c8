import type { KeyObject } from 'node:crypto';
import type { AuditEntry } from './audit-entry';
import type { TrailHead } from './trail-head';
import type { VerifyResult } from './audit-chain';
import { readAuditText, verifiedChain, verifyReadAuditText, type VerifiedChain } from './audit-text';
import { checkpointSignatureValid, parseCheckpoint, type SignedCheckpoint, type TrailKeys } from './audit-checkpoint';

// What proves a trail, one check each, so that a verdict names which proof failed and why: the hash
// chain (the file is self-consistent), the signed checkpoints (the worker vouched for these heads), the
// head Temporal recorded (an independent witness the worker cannot rewrite) and any head a person holds
// from a mail or a report. The same checks serve the live CLI, evidence export and the bundle verifier.

export type TrailCheckName =
  'chain' | 'checkpoints' | 'temporal' | 'witness' | 'signatures' | 'evidence' | 'files' | 'keys' | 'head' | 'derived';

export interface TrailCheck {
  check: TrailCheckName;
  ok: boolean;
  /** Not run (Temporal unreachable, nothing to compare with); a skipped check does not fail a verdict. */
  skipped?: boolean;
  message: string;
}

export type { TrailHead };

/** What the checks after the chain need of each entry. */
export type EntryHead = Pick<AuditEntry, 'seq' | 'hash'>;

/**
 * Whether a checkpoint's signature is its key's: checkpointSignatureValid, or the same answer worked out
 * beforehand on several cores for the checkpoint at `index` (its 0-based line in the checkpoint text).
 */
export type SignatureCheck = (cp: SignedCheckpoint, key: KeyObject, index: number) => boolean;

export function chainCheck(verdict: VerifyResult): TrailCheck {
  if (!verdict.ok)
    return {
      check: 'chain',
      ok: false,
      message: `line ${verdict.line}${verdict.seq !== undefined ? ` (seq ${verdict.seq})` : ''} ${verdict.problem}`,
    };
  return {
    check: 'chain',
    ok: true,
    message: `${verdict.entries} entries link from the first to the last${verdict.closed ? ', ending with the closing entry' : ' (incident still open)'}`,
  };
}

const range = (from: number, to: number) => (from === to ? `entry ${from}` : `entries ${from}–${to}`);

export interface CheckpointsCheck extends TrailCheck {
  /** The highest seq a valid checkpoint covers (0 when none). */
  covered: number;
  checkpoints: SignedCheckpoint[];
}

/**
 * Checks each checkpoint line against the trail's entries: its key is trusted, its signature is that
 * key's, the entry it names exists and has the hash it signed. The trail must be covered to its end.
 * `text` undefined: there is no checkpoint file.
 */
export function checkpointsCheck(
  entries: readonly EntryHead[],
  text: string | undefined,
  keys: TrailKeys,
  incidentId: string,
  signatureValid: SignatureCheck = checkpointSignatureValid,
): CheckpointsCheck {
  const checkpoints: SignedCheckpoint[] = [];
  // A failing check still reports the checkpoints that verified before the one it names.
  const fail = (message: string): CheckpointsCheck => ({
    check: 'checkpoints',
    ok: false,
    message,
    covered: 0,
    checkpoints,
  });
  if (text === undefined)
    return fail(
      'there is no checkpoint file, so nothing signed vouches for this trail (deleted, or written before trail keys existed)',
    );
  const lines = text.split('\n');
  let covered = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const n = i + 1;
    const cp = parseCheckpoint(lines[i]);
    if (!cp) {
      const unfinished = i === lines.length - 1 && !text.endsWith('\n');
      return fail(
        unfinished
          ? `checkpoint line ${n} is unfinished: the checkpoint file was cut short`
          : `checkpoint line ${n} is not a checkpoint`,
      );
    }
    const where = `checkpoint ${n} (seq ${cp.seq}, signed at ${cp.at})`;
    if (cp.incidentId !== incidentId) return fail(`${where} is for incident ${cp.incidentId}, not ${incidentId}`);
    const key = keys.get(cp.keyId);
    if (!key)
      return fail(
        `${where} is signed by key ${cp.keyId}, which is not a trusted trail key (list it in trail.publicKeys if it is yours)`,
      );
    if (!signatureValid(cp, key, i))
      return fail(`${where} carries a signature key ${cp.keyId} did not make: the checkpoint was altered or forged`);
    if (!Number.isInteger(cp.seq) || cp.seq < 1) return fail(`${where} names no entry`);
    if (cp.seq > entries.length)
      return fail(
        `the trail ends at seq ${entries.length}; ${where} covers seq ${cp.seq}: ${range(entries.length + 1, cp.seq)} ${cp.seq === entries.length + 1 ? 'was' : 'were'} removed`,
      );
    if (entries[cp.seq - 1]?.hash !== cp.hash)
      return fail(`entry ${cp.seq} does not match ${where}: the trail was rewritten`);
    checkpoints.push(cp);
    covered = Math.max(covered, cp.seq);
  }
  if (covered < entries.length)
    return {
      ...fail(
        `${range(covered + 1, entries.length)} ${covered + 1 === entries.length ? 'is' : 'are'} covered by no checkpoint: written after the last checkpoint, or its checkpoints were removed`,
      ),
      covered,
    };
  // Only an empty trail gets here without one: emptied with its checkpoint file, nothing vouches for it.
  if (checkpoints.length === 0)
    return fail('the checkpoint file holds no checkpoint, so nothing signed vouches for this trail');
  const keyIds = [...new Set(checkpoints.map((c) => c.keyId))];
  const one = checkpoints.length === 1;
  return {
    check: 'checkpoints',
    ok: true,
    message: `${checkpoints.length} signed checkpoint${one ? '' : 's'} (key ${keyIds.join(', ')}) cover${one ? 's' : ''} all ${entries.length} entries`,
    covered,
    checkpoints,
  };
}

/**
 * Compares the trail with a head recorded elsewhere: by Temporal (`check: 'temporal'`) or held by a
 * person from a mail or a report (`'witness'`). Entries after the head are allowed: they were written
 * after that head was recorded.
 */
export function headCheck(entries: readonly EntryHead[], head: TrailHead, check: 'temporal' | 'witness'): TrailCheck {
  const who = check === 'temporal' ? 'Temporal recorded' : 'you gave';
  const when = head.at ? ` at ${head.at}` : '';
  if (entries.length < head.seq)
    return {
      check,
      ok: false,
      message: `the trail ends at seq ${entries.length}; ${who === 'you gave' ? 'the head you gave is' : 'Temporal recorded'} ${head.seq}${when}: ${range(entries.length + 1, head.seq)} ${head.seq === entries.length + 1 ? 'is' : 'are'} missing`,
    };
  const entry = entries[head.seq - 1];
  if (!entry?.hash.startsWith(head.hash.toLowerCase()))
    return {
      check,
      ok: false,
      message: `entry ${head.seq} does not match the head ${who}${when} (${head.hash.slice(0, 16)}…): the trail was rewritten`,
    };
  const later = entries.length - head.seq;
  return {
    check,
    ok: true,
    message: `entry ${head.seq} matches the head ${who}${when}${later ? ` (${later} later ${later === 1 ? 'entry' : 'entries'} written since)` : ''}`,
  };
}

export const verdictOk = (checks: readonly TrailCheck[]) => checks.every((c) => c.ok || c.skipped);

export interface TrailToVerify {
  incidentId: string;
  /** The trail's text, JSON lines. */
  trailText: string;
  /** The checkpoint file's text; undefined when there is none. */
  checkpointsText: string | undefined;
  /** The trail public keys trusted for its checkpoints. */
  keys: TrailKeys;
  /** The head Temporal holds, or why it could not be asked (the check is then skipped); absent: not asked. */
  temporal?: TrailHead | { unavailable: string };
  /** Heads people hold from mails and reports (`--head`). */
  witnesses?: TrailHead[];
}

export interface TrailVerdict {
  ok: boolean;
  incidentId: string;
  entries: number;
  /** The trail's last entry as it stands. */
  head?: { seq: number; hash: string };
  checks: TrailCheck[];
  /** The checkpoints that verified, in file order. */
  checkpoints: SignedCheckpoint[];
}

/**
 * The costly parts of verifyTrail worked out beforehand, on several cores, from the same texts
 * (platform/trail-verify-parallel.ts); the verdict is still decided here, by the same code.
 */
export interface Prechecked {
  /** The chain, when every part of it verified. */
  chain?: VerifiedChain;
  signatureValid?: SignatureCheck;
}

/** Every check of one trail, each run even when another failed, so that the verdict names all that is wrong. */
export function verifyTrail(t: TrailToVerify, prechecked: Prechecked = {}): TrailVerdict {
  let chain: VerifyResult;
  let entries: readonly EntryHead[];
  const verified = prechecked.chain ?? verifiedChain(t.trailText, t.incidentId);
  if (verified) {
    chain = verified.verdict;
    entries = verified.hashes.map((hash, i) => ({ seq: i + 1, hash }));
  } else {
    // Read again whole: the verdict names the first bad line, and the later checks get the entries up
    // to the first line that is not JSON.
    const read = readAuditText(t.trailText);
    chain = verifyReadAuditText(read, t.incidentId);
    entries = read.entries;
  }
  const checks: TrailCheck[] = [chainCheck(chain)];
  const checkpoints = checkpointsCheck(entries, t.checkpointsText, t.keys, t.incidentId, prechecked.signatureValid);
  checks.push({ check: 'checkpoints', ok: checkpoints.ok, message: checkpoints.message });
  if (t.temporal) {
    checks.push(
      'unavailable' in t.temporal
        ? { check: 'temporal', ok: false, skipped: true, message: `not checked: ${t.temporal.unavailable}` }
        : headCheck(entries, t.temporal, 'temporal'),
    );
  }
  for (const witness of t.witnesses ?? []) checks.push(headCheck(entries, witness, 'witness'));
  const last = entries[entries.length - 1];
  return {
    ok: verdictOk(checks),
    incidentId: t.incidentId,
    entries: entries.length,
    ...(last ? { head: { seq: last.seq, hash: last.hash } } : {}),
    checks,
    checkpoints: checkpoints.checkpoints,
  };
}
