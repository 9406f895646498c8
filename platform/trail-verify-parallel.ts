import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkpointSignatureValid } from '../domain/audit-checkpoint';
import { joinVerifiedParts } from '../domain/audit-text';
import { verifyTrail, type Prechecked, type TrailToVerify, type TrailVerdict } from '../domain/trail-verification';
import { checkPart, PART_WORKER, type PartInput, type PartResult } from './trail-verify-part';

// A long trail verified on every core: its lines and its checkpoint lines are cut into one part per
// core, each part's chain and signatures are checked at once (this thread takes one part, worker threads
// the others), and domain/trail-verification.ts then decides the verdict from those answers with the same
// code as always. A chain part that fails sends the chain back to the plain check on the whole trail, so
// that the verdict names the first bad line exactly as it always has.

/**
 * Worker threads cost more than they save below 20,000 trail lines and below 1,000 checkpoint lines
 * (one signature costs about as much as checking 20 entries of the chain).
 */
const MIN_WORK = 20_000;
const SIGNATURE_WEIGHT = 20;

// From the compiled tree the worker file is this file's sibling; from the sources (tests), the build's copy.
const PART_FILE = __filename.endsWith('.ts')
  ? path.resolve(__dirname, '..', 'dist', 'platform', 'trail-verify-part.js')
  : path.join(__dirname, 'trail-verify-part.js');

export interface ParallelOptions {
  /** How many parts (threads, this one included); default: the cores Node may use. */
  threads?: number;
  /** With fewer trail lines than this, and fewer checkpoint lines than a 20th of it, one thread does all. */
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

/** Whether `text` has at least `n` newlines, counted no further than that. */
function newlinesAtLeast(text: string | undefined, n: number): boolean {
  if (n <= 0) return true;
  if (text === undefined) return false;
  for (let at = text.indexOf('\n'), seen = 1; at !== -1; at = text.indexOf('\n', at + 1), seen++)
    if (seen >= n) return true;
  return false;
}

/**
 * Cuts `text` at up to `parts - 1` newlines, near equal shares: the stretches' lines, one after the
 * other, are text.split('\n') exactly, so that an answer's place among them is its line's index.
 */
function stretches(text: string, parts: number): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  for (let k = 1; k < parts; k++) {
    const at = text.indexOf('\n', Math.max(from, Math.floor((text.length * k) / parts)));
    if (at === -1) break;
    out.push([from, at]);
    from = at + 1;
  }
  out.push([from, text.length]);
  return out;
}

/** The last line that holds something before the stretch starting at `start`; undefined: none. */
function lastLineBefore(text: string, start: number): string | undefined {
  for (let end = start - 1; end > 0;) {
    const newline = text.lastIndexOf('\n', end - 1);
    const line = text.slice(newline + 1, end);
    if (line.trim() !== '') return line;
    end = newline;
  }
  return undefined;
}

/** The chain's and signatures' answers for verifyTrail, from every core; {} when the trail is too short. */
export async function precheckTrail(t: TrailToVerify, options: ParallelOptions = {}): Promise<Prechecked> {
  const threads = options.threads ?? os.availableParallelism();
  const minWork = options.minWork ?? MIN_WORK;
  const enough =
    newlinesAtLeast(t.trailText, minWork) || newlinesAtLeast(t.checkpointsText, Math.ceil(minWork / SIGNATURE_WEIGHT));
  if (threads < 2 || !enough) return {};
  // The workers start (and load their code) while this thread cuts the texts.
  const workers = Array.from({ length: threads - 1 }, startWorker);
  try {
    const trail = stretches(t.trailText, threads);
    const checkpoints = t.checkpointsText === undefined ? [] : stretches(t.checkpointsText, threads);
    const keys = [...t.keys];
    const inputs: PartInput[] = Array.from({ length: Math.max(trail.length, checkpoints.length) }, (_, k) => ({
      incidentId: t.incidentId,
      keys,
      ...(trail[k] && {
        trailText: t.trailText.slice(trail[k][0], trail[k][1]),
        lineBefore: lastLineBefore(t.trailText, trail[k][0]),
      }),
      ...(checkpoints[k] && { checkpointText: t.checkpointsText!.slice(checkpoints[k][0], checkpoints[k][1]) }),
    }));
    const others = inputs.slice(1).map((input, k) => workers[k].run(input));
    // This thread's part runs while the workers run theirs; a failed worker is awaited below.
    others.forEach((p) => p.catch(() => undefined));
    const results = [checkPart(inputs[0]), ...(await Promise.all(others))];
    return precheckedFrom(results);
  } finally {
    for (const w of workers) w.stop();
  }
}

function precheckedFrom(results: PartResult[]): Prechecked {
  const signatures = results.flatMap((r) => r.signatures);
  const prechecked: Prechecked = {
    // The same answer checkpointSignatureValid gives for the same line and key, worked out in a part.
    signatureValid: (cp, key, index) => signatures[index] ?? checkpointSignatureValid(cp, key),
  };
  if (results.every((r) => r.chain.ok)) prechecked.chain = joinVerifiedParts(results.map((r) => r.chain));
  return prechecked;
}

function startWorker(): { run: (input: PartInput) => Promise<PartResult>; stop: () => void } {
  const worker = new Worker(PART_FILE, { workerData: { [PART_WORKER]: true } });
  const result = new Promise<PartResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a trail verification worker stopped (exit code ${code})`)));
  });
  // A worker left without a part (a short text gives fewer parts) is stopped unasked.
  result.catch(() => undefined);
  return {
    run: (input) => {
      worker.postMessage(input);
      return result;
    },
    stop: () => void worker.terminate(),
  };
}
