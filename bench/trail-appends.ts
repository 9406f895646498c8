import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { trailKeyId, trailKeysFrom } from '../domain/audit-checkpoint';
import { verifyTrail } from '../domain/trail-verification';
import { JsonlAuditStore, type CheckpointSigning } from '../stores/audit-store';
import { benchRecord } from './trail-fixture';

// Appends as the workflow makes them, through the real store (fsync per write): one entry per append
// for a lone action, or a batch of entries per append under a storm; with the worker's trail key (a
// signed checkpoint per append, in a second file, fsync'ed too) and without one.

export function benchSigning(): CheckpointSigning & { keys: ReturnType<typeof trailKeysFrom> } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId: trailKeyId(publicKey), privateKey, keys: trailKeysFrom([publicKey]) };
}

export interface AppendTiming {
  ms: number;
  entries: number;
}

/** `appends` sequential appends of `batch` entries each to a new incident's trail in `dir`. */
export async function timeAppends(
  dir: string,
  incidentId: string,
  appends: number,
  batch: number,
  signing?: CheckpointSigning,
): Promise<AppendTiming> {
  const store = new JsonlAuditStore(dir, undefined, signing);
  let seq = 0;
  const start = performance.now();
  for (let a = 0; a < appends; a++) {
    const records = Array.from({ length: batch }, () => benchRecord(++seq, incidentId));
    const result = await store.append(incidentId, records);
    if (result.written !== batch) throw new Error(`append ${a} wrote ${result.written} of ${batch} entries`);
    if (signing && result.checkpoint?.seq !== seq) throw new Error(`append ${a} was not checkpointed`);
  }
  return { ms: performance.now() - start, entries: seq };
}

/** The trail the signed appends wrote must verify like any other: the bench measured real, valid work. */
export async function assertVerifies(
  dir: string,
  incidentId: string,
  keys: ReturnType<typeof trailKeysFrom>,
  checkpoints: number,
): Promise<void> {
  const store = new JsonlAuditStore(dir);
  const trailText = await readFile(store.fileOf(incidentId), 'utf8');
  const checkpointsText = await readFile(store.checkpointsFileOf(incidentId), 'utf8');
  const verdict = verifyTrail({ incidentId, trailText, checkpointsText, keys });
  if (!verdict.ok || verdict.checkpoints.length !== checkpoints)
    throw new Error(
      `the benchmark's trail ${path.basename(store.fileOf(incidentId))} does not verify: ${JSON.stringify(verdict.checks)}`,
    );
}
