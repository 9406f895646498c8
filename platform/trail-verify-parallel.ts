import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { GENESIS_HASH } from '../domain/audit-chain';
import { checkpointSignatureValid } from '../domain/audit-checkpoint';
import { auditTextLines } from '../domain/audit-text';
import { verifyTrail, type Prechecked, type TrailToVerify, type TrailVerdict } from '../domain/trail-verification';
import { checkPart, type PartInput, type PartResult } from './trail-verify-part';

// A long trail verified on every core: its lines and its checkpoint lines are cut into one part per
// core, each part's chain and signatures are checked at once (this thread takes one part, worker threads
// the others), and domain/trail-verification.ts then decides the verdict from those answers with the same
// code as always. A chain part that fails sends the chain back to the plain check on the whole trail, so
// that the verdict names the first bad line exactly as it always has.

/** Below this much work (in entry-checks; one signature counts as 20), worker threads cost more than they save. */
const MIN_WORK = 20_000;
const SIGNATURE_WEIGHT = 20;

// From the compiled tree the worker file is this file's sibling; from the sources (tests), the build's copy.
const PART_FILE = __filename.endsWith('.ts')
  ? path.resolve(__dirname, '..', 'dist', 'platform', 'trail-verify-part.js')
  : path.join(__dirname, 'trail-verify-part.js');

export interface ParallelOptions {
  /** How many parts (threads, this one included); default: the cores Node may use. */
  threads?: number;
  /** Below this much work the trail is verified on this thread alone; default MIN_WORK. */
  minWork?: number;
}

/**
 * verifyTrail's verdict, worked out on several cores when the trail is long enough for that to pay. A
 * worker that cannot run leaves the whole work to this thread: slower, the same verdict.
 */
export async function verifyTrailParallel(t: TrailToVerify, options: ParallelOptions = {}): Promise<TrailVerdict> {
  const prechecked = await precheckTrail(t, options).catch(() => ({}));
  return verifyTrail(t, prechecked);
}

const bounds = (count: number, parts: number) =>
  Array.from({ length: parts }, (_, k) => [Math.floor((count * k) / parts), Math.floor((count * (k + 1)) / parts)]);

/** The chain's and signatures' answers for verifyTrail, from every core; {} when the trail is too short. */
export async function precheckTrail(t: TrailToVerify, options: ParallelOptions = {}): Promise<Prechecked> {
  const threads = options.threads ?? os.availableParallelism();
  const trailLines = auditTextLines(t.trailText);
  const checkpointLines = t.checkpointsText?.split('\n') ?? [];
  const work = trailLines.length + SIGNATURE_WEIGHT * checkpointLines.length;
  if (threads < 2 || work < (options.minWork ?? MIN_WORK)) return {};
  const trailParts = bounds(trailLines.length, threads);
  const checkpointParts = bounds(checkpointLines.length, threads);
  const keys = [...t.keys];
  const inputs: PartInput[] = trailParts.map(([from, to], k) => {
    const [cpFrom, cpTo] = checkpointParts[k];
    return {
      trailText: trailLines.slice(from, to).join('\n'),
      trailLines: to - from,
      lineBefore: from > 0 ? trailLines[from - 1] : undefined,
      incidentId: t.incidentId,
      checkpointText: checkpointLines.slice(cpFrom, cpTo).join('\n'),
      checkpointLines: cpTo - cpFrom,
      keys,
    };
  });
  const others = inputs.slice(1).map(runInWorker);
  // This thread's part runs while the workers run theirs; a settled failure is awaited below.
  others.forEach((p) => p.catch(() => undefined));
  const results = [checkPart(inputs[0]), ...(await Promise.all(others))];

  const signatures = results.flatMap((r) => r.signatures);
  const prechecked: Prechecked = {
    // The same answer checkpointSignatureValid gives for the same line and key; worked out in a part.
    signatureValid: (cp, key, index) => signatures[index] ?? checkpointSignatureValid(cp, key),
  };
  if (results.every((r) => r.chain.ok)) {
    const hashes = results.flatMap((r) => r.chain.hashes);
    const last = results[results.length - 1].chain;
    prechecked.chain = {
      verdict: {
        ok: true,
        entries: hashes.length,
        lastHash: hashes[hashes.length - 1] ?? GENESIS_HASH,
        closed: last.closed,
      },
      hashes,
    };
  }
  return prechecked;
}

function runInWorker(input: PartInput): Promise<PartResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PART_FILE, { workerData: { trailVerifyPart: input } });
    worker.once('message', (result: PartResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a trail verification worker stopped (exit code ${code})`)));
  });
}
