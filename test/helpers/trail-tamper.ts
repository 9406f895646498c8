import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { chainEntry, type AuditEntry, type AuditRecord } from '../../domain/audit-chain';
import { parseCheckpoint, signCheckpoint, trailKeyId, type SignedCheckpoint } from '../../domain/audit-checkpoint';
import type { TrailCheckName } from '../../domain/trail-verification';
import type { AuditHead } from '../../domain/audit-entry';
import type { CliResult } from '../cli/harness';

// What someone with write access to the data dir can do to a trail and its checkpoints, with the
// project's own code (chainEntry, an Ed25519 key of their own), and the verdict `incident audit --verify`
// must then print, line by line, as a person reads it.

export interface TrailFiles {
  entries: AuditEntry[];
  checkpoints: SignedCheckpoint[];
}

export async function readTrailFiles(trailFile: string, checkpointsFile: string): Promise<TrailFiles> {
  const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
  const entries = lines(await readFile(trailFile, 'utf8')).map((l) => JSON.parse(l) as AuditEntry);
  const checkpoints = lines(await readFile(checkpointsFile, 'utf8')).map((l) => parseCheckpoint(l)!);
  expect(checkpoints.every(Boolean)).toBe(true);
  return { entries, checkpoints };
}

export const jsonl = (items: readonly object[]): string => items.map((i) => JSON.stringify(i) + '\n').join('');

/** The trail with entry `seq` changed by `change` and every hash from it on recomputed: a chain that verifies. */
export function rewriteEntry(
  entries: readonly AuditEntry[],
  seq: number,
  change: (record: AuditRecord) => AuditRecord,
): AuditEntry[] {
  const out: AuditEntry[] = entries.slice(0, seq - 1);
  for (const e of entries.slice(seq - 1)) {
    const { prevHash: _p, hash: _h, ...record } = e;
    out.push(chainEntry(out.at(-1), e.seq === seq ? change(record) : record));
  }
  return out;
}

/** A fresh Ed25519 key that is not the worker's trail key. */
export function foreignKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url').toString('base64');
  return { privateKey, publicKey, keyId: trailKeyId(publicKey), raw };
}

/** `cp` signed again with a foreign key, under that key's id or under the one it claims. */
export function forgedCheckpoint(cp: SignedCheckpoint, key: ReturnType<typeof foreignKey>, keyId = key.keyId) {
  const { signature: _s, ...fields } = cp;
  return signCheckpoint({ ...fields, keyId }, key.privateKey);
}

export type Mark = 'ok' | 'failed' | 'skipped';
export type ExpectedCheck = [Mark, TrailCheckName, string];

const MARK = { ok: '✓', failed: '✗', skipped: '–' } as const;

/** One check as `incident audit --verify` prints it (the names are padded to the longest, "checkpoints"). */
export function checkLine([mark, check, message]: ExpectedCheck): string {
  return `  ${MARK[mark]} ${check.padEnd('checkpoints'.length)}  ${message}`;
}

/**
 * Asserts the whole answer of `incident audit ID --verify`: the header naming the file as it stands,
 * one line per check, and the verdict, which names the first check that failed; exit 1 when one did.
 */
export function expectVerdict(
  r: CliResult,
  trail: { id: string; file: string; entries: readonly AuditEntry[] },
  checks: ExpectedCheck[],
): void {
  const last = trail.entries.at(-1)!;
  const failed = checks.find(([mark]) => mark === 'failed');
  expect({ code: r.code, stderr: r.stderr, lines: r.stdout.split('\n') }).toEqual({
    code: failed ? 1 : 0,
    stderr: '',
    lines: [
      `Audit trail of ${trail.id}: ${trail.entries.length} entries, head ${last.hash.slice(0, 16)}… at seq ${last.seq} (${trail.file})`,
      ...checks.map(checkLine),
      failed
        ? `The audit trail of ${trail.id} does NOT verify: ${failed[1]}: ${failed[2]}.`
        : `The audit trail of ${trail.id} verifies.`,
      '',
    ],
  });
}

/** How a checkpoint is named in a verdict: its line in the file, the seq it signs, the worker's clock. */
export function checkpointName(checkpoints: readonly SignedCheckpoint[], cp: SignedCheckpoint): string {
  return `checkpoint ${checkpoints.indexOf(cp) + 1} (seq ${cp.seq}, signed at ${cp.at})`;
}

/** "entry 9" or "entries 7–9", as the verdicts say it. */
export const entriesRange = (from: number, to: number) => (from === to ? `entry ${from}` : `entries ${from}–${to}`);

/** An incident's trail and checkpoints as the worker left them, and the head Temporal holds. */
export interface TrailUnderTest {
  id: string;
  file: string;
  checkpointsFile: string;
  entries: AuditEntry[];
  checkpoints: SignedCheckpoint[];
  /** The head Temporal holds (the running workflow's state, or the closed workflow's result). */
  temporal: AuditHead;
  keyId: string;
}

// The lines of verdicts on that incident's trail, or on a copy of it cut short or rewritten.

export const chainOk = (n: number, isClosed = false): ExpectedCheck => [
  'ok',
  'chain',
  `${n} entries link from the first to the last${isClosed ? ', ending with the closing entry' : ' (incident still open)'}`,
];
export const checkpointsOk = (inc: TrailUnderTest, count: number, entries: number, keys = inc.keyId): ExpectedCheck => [
  'ok',
  'checkpoints',
  `${count} signed checkpoint${count === 1 ? '' : 's'} (key ${keys}) cover${count === 1 ? 's' : ''} all ${entries} entries`,
];
export const temporalOk = (inc: TrailUnderTest): ExpectedCheck => [
  'ok',
  'temporal',
  `entry ${inc.temporal.seq} matches the head Temporal recorded at ${inc.temporal.at}`,
];
export const temporalMissing = (inc: TrailUnderTest, n: number): ExpectedCheck => [
  'failed',
  'temporal',
  `the trail ends at seq ${n}; Temporal recorded ${inc.temporal.seq} at ${inc.temporal.at}: ${entriesRange(n + 1, inc.temporal.seq)} ${inc.temporal.seq === n + 1 ? 'is' : 'are'} missing`,
];
export const temporalRewritten = (inc: TrailUnderTest): ExpectedCheck => [
  'failed',
  'temporal',
  `entry ${inc.temporal.seq} does not match the head Temporal recorded at ${inc.temporal.at} (${inc.temporal.hash.slice(0, 16)}…): the trail was rewritten`,
];
/** The first checkpoint at or after `seq` no longer matches a trail rewritten from `seq` on. */
export const checkpointRewritten = (inc: TrailUnderTest, seq: number): ExpectedCheck => {
  const cp = inc.checkpoints.find((c) => c.seq >= seq)!;
  return [
    'failed',
    'checkpoints',
    `entry ${cp.seq} does not match ${checkpointName(inc.checkpoints, cp)}: the trail was rewritten`,
  ];
};
/** The first checkpoint beyond a trail cut at `n` names the entries removed. */
export const checkpointBeyond = (inc: TrailUnderTest, n: number): ExpectedCheck => {
  const cp = inc.checkpoints.find((c) => c.seq > n)!;
  return [
    'failed',
    'checkpoints',
    `the trail ends at seq ${n}; ${checkpointName(inc.checkpoints, cp)} covers seq ${cp.seq}: ${entriesRange(n + 1, cp.seq)} ${cp.seq === n + 1 ? 'was' : 'were'} removed`,
  ];
};
