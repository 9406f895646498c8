import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifyAuditText, parseAuditLines } from '../domain/audit-text';
import { checkpointsCheck, verifyTrail } from '../domain/trail-verification';
import { assertVerifies, benchSigning, timeAppends } from './trail-appends';
import { BENCH_INCIDENT, benchTrail } from './trail-fixture';
import { opensslEd25519VerifiesPerSecond, sha256sumMs } from './trail-floors';

// The audit trail's cost: appends with signed checkpoints against the same appends without, and
// `verify` of a long trail (chain, then every checkpoint's signature) beside what the machine itself
// does on the same work, sha256sum over the same bytes and OpenSSL's Ed25519 verify/s, measured in the
// same run. Usage: npm run bench:trail [-- ENTRIES [RUNS [BATCH]]]

const ENTRIES = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 5);
/** Entries per append under a storm, hence entries per checkpoint in the long trail. */
const BATCH = Number(process.argv[4] ?? 50);
const SINGLE_APPENDS = 200;
const BATCH_APPENDS = 40;

const TARGET = { chainPerSecond: 200_000, checkpointsPerSecond: 20_000, appendOverheadPercent: 20 };

interface Stats {
  median: number;
  min: number;
  max: number;
}
const stats = (xs: number[]): Stats => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
};
const rate = (count: number, ms: number) => count / (ms / 1000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Row {
  what: string;
  unit: string;
  values: number[];
  floor?: { name: string; values: number[] };
}

function printTable(rows: Row[]): void {
  const cells = rows.map((r) => {
    const s = stats(r.values);
    const f = r.floor && stats(r.floor.values);
    return [
      r.what,
      `${fmt(s.median)} ${r.unit}`,
      `${fmt(s.min)}–${fmt(s.max)}`,
      f ? `${fmt(f.median)} (${r.floor!.name})` : '',
      f ? `${(s.median / f.median).toFixed(2)}` : '',
    ];
  });
  const head = ['measure', 'median', 'range', 'floor, median', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

function verdict(name: string, value: number, target: number, higherIsBetter: boolean, unit: string): string {
  const met = higherIsBetter ? value >= target : value <= target;
  const by = higherIsBetter ? `${(100 * (1 - value / target)).toFixed(0)} % short` : `over by ${fmt(value - target)}`;
  return `  ${name}: ${fmt(value)} ${unit} against ${higherIsBetter ? '≥' : '≤'} ${fmt(target)} ${unit}: ${met ? 'met' : `MISSED (${by})`}`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-trail-'));
  try {
    const signing = benchSigning();
    console.log(
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${RUNS} runs`,
    );

    // Appends: each mode alternates which goes first, so that a burst of load elsewhere hits both alike.
    const single = { plain: [] as number[], signed: [] as number[] };
    const batched = { plain: [] as number[], signed: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      for (const signed of r % 2 ? [true, false] : [false, true]) {
        const key = signed ? 'signed' : 'plain';
        const s = await timeAppends(dir, `BENCH-S-${key}-${r}`, SINGLE_APPENDS, 1, signed ? signing : undefined);
        single[key].push(rate(s.entries, s.ms));
        const b = await timeAppends(dir, `BENCH-B-${key}-${r}`, BATCH_APPENDS, BATCH, signed ? signing : undefined);
        batched[key].push(rate(b.entries, b.ms));
      }
    }
    await assertVerifies(dir, 'BENCH-S-signed-0', signing.keys, SINGLE_APPENDS);
    await assertVerifies(dir, 'BENCH-B-signed-0', signing.keys, BATCH_APPENDS);

    // Verify: one long trail, checkpointed per append of BATCH entries (as the store writes under a storm)
    // and, the worst case, per entry (as it writes for lone actions).
    let t = performance.now();
    const perBatch = benchTrail(ENTRIES, BATCH, signing);
    const perEntry = benchTrail(ENTRIES, 1, signing);
    const trailFile = path.join(dir, `${BENCH_INCIDENT}.jsonl`);
    await writeFile(trailFile, perBatch.text);
    const mib = Buffer.byteLength(perBatch.text) / 1024 / 1024;
    console.log(
      `trail of ${fmt(ENTRIES)} entries (${mib.toFixed(1)} MiB), ${fmt(perBatch.checkpoints)} checkpoints (one per ${BATCH}-entry append) or ${fmt(perEntry.checkpoints)} (one per entry), built in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const entries = parseAuditLines(perBatch.text);
    const m = {
      sha256sum: [] as number[],
      chain: [] as number[],
      cpBatch: [] as number[],
      cpEntry: [] as number[],
      trailEntry: [] as number[],
      openssl1: [] as number[],
      openssl2: [] as number[],
    };
    for (let r = 0; r < RUNS; r++) {
      m.sha256sum.push(rate(ENTRIES, await sha256sumMs(trailFile)));
      t = performance.now();
      const chain = verifyAuditText(perBatch.text, BENCH_INCIDENT);
      m.chain.push(rate(ENTRIES, performance.now() - t));
      if (!chain.ok) throw new Error(`the bench trail's chain does not verify: ${JSON.stringify(chain)}`);
      t = performance.now();
      const cpBatch = checkpointsCheck(entries, perBatch.checkpointsText, signing.keys, BENCH_INCIDENT);
      m.cpBatch.push(rate(perBatch.checkpoints, performance.now() - t));
      t = performance.now();
      const cpEntry = checkpointsCheck(entries, perEntry.checkpointsText, signing.keys, BENCH_INCIDENT);
      m.cpEntry.push(rate(perEntry.checkpoints, performance.now() - t));
      if (!cpBatch.ok || !cpEntry.ok)
        throw new Error(`checkpoints do not verify: ${cpBatch.message} / ${cpEntry.message}`);
      t = performance.now();
      const all = verifyTrail({
        incidentId: BENCH_INCIDENT,
        trailText: perEntry.text,
        checkpointsText: perEntry.checkpointsText,
        keys: signing.keys,
      });
      m.trailEntry.push(rate(ENTRIES, performance.now() - t));
      if (!all.ok) throw new Error(`the bench trail does not verify: ${JSON.stringify(all.checks)}`);
      m.openssl1.push(await opensslEd25519VerifiesPerSecond(1));
      m.openssl2.push(await opensslEd25519VerifiesPerSecond(os.cpus().length));
    }

    const cores = os.cpus().length;
    console.log(`\nmedians of ${RUNS} runs; ratio = median / floor's median`);
    printTable([
      { what: 'append, 1 entry each, no checkpoints', unit: 'entries/s', values: single.plain },
      {
        what: 'append, 1 entry each, with checkpoints',
        unit: 'entries/s',
        values: single.signed,
        floor: { name: 'no checkpoints', values: single.plain },
      },
      { what: `append, ${BATCH} entries each, no checkpoints`, unit: 'entries/s', values: batched.plain },
      {
        what: `append, ${BATCH} entries each, with checkpoints`,
        unit: 'entries/s',
        values: batched.signed,
        floor: { name: 'no checkpoints', values: batched.plain },
      },
      {
        what: 'verify chain (verifyAuditText)',
        unit: 'entries/s',
        values: m.chain,
        floor: { name: 'sha256sum', values: m.sha256sum },
      },
      {
        what: `verify checkpoints, 1 per ${BATCH} entries`,
        unit: 'cp/s',
        values: m.cpBatch,
        floor: { name: 'openssl, 1 core', values: m.openssl1 },
      },
      {
        what: 'verify checkpoints, 1 per entry',
        unit: 'cp/s',
        values: m.cpEntry,
        floor: { name: 'openssl, 1 core', values: m.openssl1 },
      },
      {
        what: 'verify checkpoints, 1 per entry',
        unit: 'cp/s',
        values: m.cpEntry,
        floor: { name: `openssl, ${cores} cores`, values: m.openssl2 },
      },
      { what: 'verifyTrail, 1 checkpoint per entry', unit: 'entries/s', values: m.trailEntry },
    ]);

    const overhead = (plain: number[], signed: number[]) => 100 * (stats(plain).median / stats(signed).median - 1);
    console.log('\nverdicts:');
    for (const [name, o] of [
      ['checkpoint overhead, 1 entry per append', overhead(single.plain, single.signed)],
      [`checkpoint overhead, ${BATCH} entries per append`, overhead(batched.plain, batched.signed)],
    ] as const) {
      console.log(
        `  ${name}: ${o.toFixed(0)} % against ≤ ${TARGET.appendOverheadPercent} %: ${o <= TARGET.appendOverheadPercent ? 'met' : `MISSED (over by ${(o - TARGET.appendOverheadPercent).toFixed(0)} points)`}`,
      );
    }
    console.log(verdict('chain', stats(m.chain).median, TARGET.chainPerSecond, true, 'entries/s'));
    console.log(
      verdict('checkpoints, 1 per entry', stats(m.cpEntry).median, TARGET.checkpointsPerSecond, true, 'cp/s'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
