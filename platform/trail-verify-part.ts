import type { KeyObject } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { checkpointSignatureValid, parseCheckpoint } from '../domain/audit-checkpoint';
import { verifyAuditPart } from '../domain/audit-text';

// One part of a long trail's verification: a run of its lines through the chain check, and a run of its
// checkpoint lines through the signature check. verifyTrailParallel runs one part on its own thread and
// the others in worker threads, which load this file and wait for their part.

export interface PartInput {
  /** The part's stretch of the trail's text, cut at newlines; undefined: the part has no trail lines. */
  trailText?: string;
  /** The last trail line before the stretch that holds something; undefined: the stretch starts the trail. */
  lineBefore?: string;
  incidentId: string;
  /** The part's stretch of the checkpoint file's text, cut at newlines; undefined: none. */
  checkpointText?: string;
  /** The trusted trail keys by id. */
  keys: [string, KeyObject][];
}

export interface PartResult {
  chain: { ok: boolean; hashes: string[]; closed: boolean };
  /** For each checkpoint line of the part: whether its signature is its key's; null: not a checkpoint, or no trusted key. */
  signatures: (boolean | null)[];
}

export function checkPart(input: PartInput): PartResult {
  const keys = new Map(input.keys);
  const trailLines = input.trailText === undefined ? [] : input.trailText.split('\n').filter((l) => l.trim() !== '');
  const chain = verifyAuditPart(trailLines, input.lineBefore, input.incidentId);
  const checkpointLines = input.checkpointText === undefined ? [] : input.checkpointText.split('\n');
  const signatures = checkpointLines.map((line) => {
    const cp = line.trim() === '' ? undefined : parseCheckpoint(line);
    const key = cp && keys.get(cp.keyId);
    return cp && key ? checkpointSignatureValid(cp, key) : null;
  });
  return { chain, signatures };
}

/** Marks a worker started for a part: it waits for the part, answers, and ends. */
export const PART_WORKER = 'trailVerifyPart';

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[PART_WORKER]) {
  parentPort!.once('message', (input: PartInput) => parentPort!.postMessage(checkPart(input)));
}
