import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EvidenceStore } from '../activities/evidence-store';

// Forensic copy throughput: the evidence store (hash while copying, fsync, re-read and hash the stored
// copy, make it read-only) beside two baselines on the same file in the same process: the bare minimum
// (copyFile + one hash pass) and the same guarantee done by hand (copyFile, hash the source, hash the
// copy). Usage: npm run bench:evidence [-- SIZE_MIB [RUNS]]

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
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
    }
    const mbps = (ms: number) => (sizeMiB / (ms / 1000)).toFixed(0);
    console.log(`evidence copy of ${sizeMiB} MiB, ${runs} runs, medians:`);
    console.log(`  baseline copyFile + sha256:          ${median(baseline).toFixed(0)} ms (${mbps(median(baseline))} MiB/s)`);
    console.log(`  by hand: copyFile + hash both:       ${median(byHand).toFixed(0)} ms (${mbps(median(byHand))} MiB/s)`);
    console.log(`  evidence store (hash, fsync, verify): ${median(evidence).toFixed(0)} ms (${mbps(median(evidence))} MiB/s)`);
    console.log(`  ratio evidence / bare minimum:       ${(median(evidence) / median(baseline)).toFixed(2)}`);
    console.log(`  ratio evidence / same work by hand:  ${(median(evidence) / median(byHand)).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

void main();
