import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chainEntry, type AuditEntry } from '../../domain/audit-chain';
import {
  checkpointMessage,
  parseCheckpoint,
  publicKeyPem,
  signCheckpoint,
  trailKeyFingerprint,
  trailKeyId,
  type SignedCheckpoint,
} from '../../domain/audit-checkpoint';
import { hashInputsText, rosterJson, sha256SumsText } from '../../domain/bundle-layout';

// What someone able to edit a bundle does to it, as thoroughly as a careful forger would: after changing
// the trail they rewrite every file derived from it and SHA256SUMS too, so that only what they cannot
// redo (a signature by the trail key, a head someone holds) is left to catch them.

export async function copyBundle(src: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-tampered-'));
  await cp(src, dir, { recursive: true });
  return dir;
}

export async function entriesOf(dir: string): Promise<AuditEntry[]> {
  return (await readFile(path.join(dir, 'trail.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry);
}

export async function checkpointsOf(dir: string): Promise<SignedCheckpoint[]> {
  return (await readFile(path.join(dir, 'checkpoints.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => parseCheckpoint(l)!);
}

/** Recomputes every hash from `from` (0-based) on with the project's own chainEntry. */
export function rechain(entries: AuditEntry[], from = 0): AuditEntry[] {
  const out = entries.slice(0, from);
  for (const { prevHash: _p, hash: _h, ...record } of entries.slice(from)) out.push(chainEntry(out.at(-1), record));
  return out;
}

/** Writes the trail and what is derived from it. */
export async function writeTrail(dir: string, entries: AuditEntry[]): Promise<void> {
  await writeFile(path.join(dir, 'trail.jsonl'), entries.map((e) => JSON.stringify(e) + '\n').join(''));
  await writeFile(path.join(dir, 'trail-hash-inputs.txt'), hashInputsText(entries));
  await writeFile(path.join(dir, 'roster.json'), rosterJson(entries));
}

/** Writes the checkpoints and makes the last one the head. */
export async function writeCheckpoints(dir: string, checkpoints: SignedCheckpoint[]): Promise<void> {
  await writeFile(path.join(dir, 'checkpoints.jsonl'), checkpoints.map((c) => JSON.stringify(c) + '\n').join(''));
  const head = checkpoints.at(-1)!;
  await writeFile(path.join(dir, 'head.msg'), checkpointMessage(head));
  await writeFile(path.join(dir, 'head.sig'), Buffer.from(head.signature, 'base64'));
  await writeFile(path.join(dir, 'head.json'), JSON.stringify(head, null, 2) + '\n');
}

async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const inside = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, inside)));
    else out.push(inside);
  }
  return out;
}

/** Recomputes SHA256SUMS over what the bundle now holds. */
export async function resum(dir: string): Promise<void> {
  const sums = new Map<string, { sha256: string }>();
  for (const f of await filesUnder(dir))
    if (f !== 'SHA256SUMS')
      sums.set(f, {
        sha256: createHash('sha256')
          .update(await readFile(path.join(dir, f)))
          .digest('hex'),
      });
  await writeFile(path.join(dir, 'SHA256SUMS'), sha256SumsText(sums));
}

export interface ForeignKey {
  privateKey: KeyObject;
  keyId: string;
  fingerprint: string;
  pem: string;
}

export function foreignKey(): ForeignKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    keyId: trailKeyId(publicKey),
    fingerprint: trailKeyFingerprint(publicKey),
    pem: publicKeyPem(publicKey),
  };
}

/** Signs every checkpoint again, for the trail as it now stands, with another key. */
export function resign(checkpoints: SignedCheckpoint[], entries: AuditEntry[], key: ForeignKey): SignedCheckpoint[] {
  return checkpoints.map(({ signature: _s, ...cp }) =>
    signCheckpoint({ ...cp, hash: entries[cp.seq - 1].hash, keyId: key.keyId }, key.privateKey),
  );
}

export async function removeBundle(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs shell commands in the bundle's folder with /bin/sh, as a recipient pastes them; never throws. */
export function sh(dir: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', script], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
