import type { KeyObject } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { checkpointSignatureValid, parseCheckpoint } from '../domain/audit-checkpoint';
import { verifyAuditPart } from '../domain/audit-text';

// One part of a long trail's verification: a run of its lines through the chain check, and a run of its
// checkpoint lines through the signature check. verifyTrailParallel runs one part on its own thread and
// the others in worker threads, which load this file.

export interface PartInput {
  /** The part's trail lines joined by newlines (one string crosses to a worker faster than many). */
  trailText: string;
  trailLines: number;
  /** The trail line just before the part; undefined for the first part. */
  lineBefore?: string;
  incidentId: string;
  checkpointText: string;
  checkpointLines: number;
  /** The trusted trail keys by id. */
  keys: [string, KeyObject][];
}

export interface PartResult {
  chain: { ok: boolean; hashes: string[]; closed: boolean };
  /** For each checkpoint line of the part: whether its signature is its key's; null: not a checkpoint, or no trusted key. */
  signatures: (boolean | null)[];
}

const linesOf = (text: string, count: number) => (count === 0 ? [] : text.split('\n'));

export function checkPart(input: PartInput): PartResult {
  const keys = new Map(input.keys);
  const chain = verifyAuditPart(linesOf(input.trailText, input.trailLines), input.lineBefore, input.incidentId);
  const signatures = linesOf(input.checkpointText, input.checkpointLines).map((line) => {
    const cp = line.trim() === '' ? undefined : parseCheckpoint(line);
    const key = cp && keys.get(cp.keyId);
    return cp && key ? checkpointSignatureValid(cp, key) : null;
  });
  return { chain, signatures };
}

if (!isMainThread && (workerData as { trailVerifyPart?: PartInput } | null)?.trailVerifyPart) {
  parentPort!.postMessage(checkPart((workerData as { trailVerifyPart: PartInput }).trailVerifyPart));
}
