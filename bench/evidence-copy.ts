import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EvidenceStore } from '../stores/evidence-store';
import type { KeyRing } from '../platform/encryption/key-ring';

// Forensic copy throughput: the evidence store (hash while copying, fsync, re-read and hash the stored
// copy, make it read-only) beside two baselines on the same file in the same process: the bare minimum
// (copyFile + one hash pass) and the same guarantee done by hand (copyFile, hash the source, hash the
// copy); and the evidence store encrypting at rest (hash, seal with AES-256-GCM, fsync, decrypt and hash
// the stored copy). Usage: npm run bench:evidence [-- SIZE_MIB [RUNS]]

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The store makes copies read-only; open them up so that the bench leaves no GiB behind in the temp dir. */
async function removeReadOnly(target: string): Promise<void> {
  const open = async (p: string): Promise<void> => {
    const info = await stat(p);
    await chmod(p, info.isDirectory() ? 0o755 : 0o644);
    if (info.isDirectory()) for (const e of await readdir(p)) await open(path.join(p, e));
  };
  await open(target).catch(() => undefined);
  await rm(target, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const sizeMiB = Number(process.argv[2] ?? 256);
  const runs = Number(process.argv[3] ?? 5);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-evidence-'));
  try {
    const source = path.join(dir, 'disk.img');
    const chunk = randomBytes(1024 * 1024);
    await writeFile(source, Buffer.concat(Array.from({ length: sizeMiB }, () => chunk)));
    const store = new EvidenceStore(path.join(dir, 'store'));
    const ring: KeyRing = { activeKeyId: 'bench', keys: new Map([['bench', randomBytes(32)]]) };
    const sealedStore = new EvidenceStore(path.join(dir, 'sealed'), ring);
    const sealed: number[] = [];
    const baseline: number[] = [];
    const byHand: number[] = [];
    const evidence: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await copyFile(source, path.join(dir, `plain-${i}.img`));
      await sha256(path.join(dir, `plain-${i}.img`));
      baseline.push(performance.now() - t);
      t = performance.now();
      await copyFile(source, path.join(dir, `hand-${i}.img`));
      await sha256(source);
      await sha256(path.join(dir, `hand-${i}.img`));
      byHand.push(performance.now() - t);
      await rm(path.join(dir, `hand-${i}.img`));
      t = performance.now();
      await store.copyFromPath(path.join(dir, 'store', `round-${i}`), source);
      evidence.push(performance.now() - t);
      await rm(path.join(dir, `plain-${i}.img`));
      t = performance.now();
      await sealedStore.copyFromPath(path.join(dir, 'sealed', `round-${i}`), source);
      sealed.push(performance.now() - t);
      await removeReadOnly(path.join(dir, 'store', `round-${i}`));
      await removeReadOnly(path.join(dir, 'sealed', `round-${i}`));
    }
    const mbps = (ms: number) => (sizeMiB / (ms / 1000)).toFixed(0);
    console.log(`evidence copy of ${sizeMiB} MiB, ${runs} runs, medians:`);
    console.log(
      `  baseline copyFile + sha256:          ${median(baseline).toFixed(0)} ms (${mbps(median(baseline))} MiB/s)`,
    );
    console.log(
      `  by hand: copyFile + hash both:       ${median(byHand).toFixed(0)} ms (${mbps(median(byHand))} MiB/s)`,
    );
    console.log(
      `  evidence store (hash, fsync, verify): ${median(evidence).toFixed(0)} ms (${mbps(median(evidence))} MiB/s)`,
    );
    console.log(`  ratio evidence / bare minimum:       ${(median(evidence) / median(baseline)).toFixed(2)}`);
    console.log(`  ratio evidence / same work by hand:  ${(median(evidence) / median(byHand)).toFixed(2)}`);
    console.log(
      `  evidence store, encrypted at rest:    ${median(sealed).toFixed(0)} ms (${mbps(median(sealed))} MiB/s)`,
    );
    console.log(`  ratio encrypted / plaintext store:   ${(median(sealed) / median(evidence)).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

void main();
