import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifyAuditText } from '../domain/audit-text';
import { checkpointsCheck, verifyTrail, type TrailToVerify } from '../domain/trail-verification';
import { precheckTrail } from '../platform/trail-verify-parallel';
import { assertVerifies, benchSigning, timeAppends } from './trail-appends';
import { BENCH_INCIDENT, benchTrail } from './trail-fixture';
import { opensslEd25519VerifiesPerSecond, sha256sumMs } from './trail-floors';
import { atLeast, fmt, overheadVerdict, printTable, rate, stats } from './trail-table';

// The audit trail's cost: appends with signed checkpoints against the same appends without, and
// `verify` of a long trail (chain, then every checkpoint's signature), on one core and on all of them
// as audit --verify runs it, beside what the machine itself does on the same work: sha256sum over the
// same bytes and OpenSSL's Ed25519 verify/s, measured in the same run. On a shared machine the figures
// move with the load; the verdict lines say how many cores the parallel verify actually obtained.
// Usage: npm run bench:trail [-- ENTRIES [RUNS [BATCH]]]

const ENTRIES = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 5);
/** Entries per append under a storm, hence entries per checkpoint in the long trail. */
const BATCH = Number(process.argv[4] ?? 50);
const SINGLE_APPENDS = 200;
const BATCH_APPENDS = 40;

const TARGET = { chainPerSecond: 200_000, checkpointsPerSecond: 20_000, appendOverheadPercent: 20 };

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-trail-'));
  try {
    const signing = benchSigning();
    console.log(
      `${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${RUNS} runs`,
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
    // The checks after the chain read only each entry's seq and hash, which is all verifyTrail keeps.
    const entries = perBatch.heads;
    const cores = os.availableParallelism();
    const keys = signing.keys;
    const id = BENCH_INCIDENT;
    const m: Record<string, number[]> = {};
    const time = (name: string, count: number, ms: number) => (m[name] ??= []).push(rate(count, ms));
    const must = (ok: boolean, what: string) => {
      if (!ok) throw new Error(`the benchmark's trail does not verify: ${what}`);
    };
    // What verifyTrailParallel does, without its fallback to one core should a worker fail.
    const parallel = async (trail: TrailToVerify) => {
      const prechecked = await precheckTrail(trail);
      must(prechecked.signatureValid !== undefined, 'the parallel path did not run');
      return verifyTrail(trail, prechecked);
    };
    for (let r = 0; r < RUNS; r++) {
      time('sha256sum', ENTRIES, await sha256sumMs(trailFile));
      t = performance.now();
      must(verifyAuditText(perBatch.text, id).ok, 'chain');
      time('chain1', ENTRIES, performance.now() - t);
      t = performance.now();
      const chainOnly = { incidentId: id, trailText: perBatch.text, checkpointsText: undefined, keys };
      must((await parallel(chainOnly)).checks[0].ok, 'chain in parallel');
      time('chainN', ENTRIES, performance.now() - t);
      t = performance.now();
      must(checkpointsCheck(entries, perBatch.checkpointsText, keys, id).ok, 'checkpoints per batch');
      time('cpBatch1', perBatch.checkpoints, performance.now() - t);
      t = performance.now();
      must(checkpointsCheck(entries, perEntry.checkpointsText, keys, id).ok, 'checkpoints per entry');
      time('cpEntry1', perEntry.checkpoints, performance.now() - t);
      // The signatures as verifyTrailParallel checks them (on every core), then the same sequential pass.
      t = performance.now();
      const signatures = { incidentId: id, trailText: '', checkpointsText: perEntry.checkpointsText, keys };
      const { signatureValid } = await precheckTrail(signatures);
      must(checkpointsCheck(entries, perEntry.checkpointsText, keys, id, signatureValid).ok, 'checkpoints, parallel');
      time('cpEntryN', perEntry.checkpoints, performance.now() - t);
      const whole = { incidentId: id, trailText: perEntry.text, checkpointsText: perEntry.checkpointsText, keys };
      t = performance.now();
      must(verifyTrail(whole).ok, 'verifyTrail');
      time('whole1', ENTRIES, performance.now() - t);
      t = performance.now();
      const cpu = process.cpuUsage();
      must((await parallel(whole)).ok, 'verifyTrail in parallel');
      time('wholeN', ENTRIES, performance.now() - t);
      // How many cores this process got while it could use them all: the rest went to other processes.
      const used = process.cpuUsage(cpu);
      (m.coresObtained ??= []).push((used.user + used.system) / 1000 / (performance.now() - t));
      (m.openssl1 ??= []).push(await opensslEd25519VerifiesPerSecond(1));
      (m.opensslN ??= []).push(await opensslEd25519VerifiesPerSecond(cores));
    }

    console.log(`\nmedians of ${RUNS} runs; range = slowest–fastest run; ratio = median / floor's median`);
    const vs = (name: string, values: number[]) => ({ name, values });
    const noCheckpoints = (values: number[]) => vs('without', values);
    printTable([
      { what: 'append 1 entry, no checkpoint', unit: 'entries/s', values: single.plain },
      {
        what: 'append 1 entry, with its checkpoint',
        unit: 'entries/s',
        values: single.signed,
        floor: noCheckpoints(single.plain),
      },
      { what: `append ${BATCH} entries, no checkpoint`, unit: 'entries/s', values: batched.plain },
      {
        what: `append ${BATCH} entries, with a checkpoint`,
        unit: 'entries/s',
        values: batched.signed,
        floor: noCheckpoints(batched.plain),
      },
      { what: 'chain, 1 core', unit: 'entries/s', values: m.chain1, floor: vs('sha256sum', m.sha256sum) },
      { what: `chain, ${cores} cores`, unit: 'entries/s', values: m.chainN, floor: vs('sha256sum', m.sha256sum) },
      {
        what: `checkpoints 1/${BATCH} entries, 1 core`,
        unit: 'cp/s',
        values: m.cpBatch1,
        floor: vs('openssl 1 core', m.openssl1),
      },
      {
        what: 'checkpoints 1/entry, 1 core',
        unit: 'cp/s',
        values: m.cpEntry1,
        floor: vs('openssl 1 core', m.openssl1),
      },
      {
        what: `checkpoints 1/entry, ${cores} cores`,
        unit: 'cp/s',
        values: m.cpEntryN,
        floor: vs(`openssl ${cores} cores`, m.opensslN),
      },
      { what: 'whole verify, 1 cp/entry, 1 core', unit: 'entries/s', values: m.whole1 },
      { what: `whole verify, 1 cp/entry, ${cores} cores`, unit: 'entries/s', values: m.wholeN },
    ]);

    console.log('\nverdicts (audit --verify runs the parallel path):');
    const overhead = TARGET.appendOverheadPercent;
    console.log(
      overheadVerdict(
        'checkpoint cost, 1 entry per append',
        stats(single.plain).median,
        stats(single.signed).median,
        overhead,
      ),
    );
    console.log(
      overheadVerdict(
        `checkpoint cost, ${BATCH} entries per append`,
        stats(batched.plain).median,
        stats(batched.signed).median,
        overhead,
      ),
    );
    const chain = Math.max(stats(m.chain1).median, stats(m.chainN).median);
    console.log(atLeast('chain', chain, TARGET.chainPerSecond, 'entries/s'));
    console.log(atLeast('checkpoints, 1 per entry', stats(m.cpEntryN).median, TARGET.checkpointsPerSecond, 'cp/s'));
    console.log(
      `  (the parallel whole verify obtained ${stats(m.coresObtained).median.toFixed(2)} of ${cores} cores, median of CPU time / wall time; range ${stats(m.coresObtained).min.toFixed(2)}–${stats(m.coresObtained).max.toFixed(2)})`,
    );
    console.log(
      `  (the floor for checkpoints: OpenSSL's own ${fmt(stats(m.opensslN).median)} Ed25519 verifies/s on ${cores} cores, ${fmt(stats(m.openssl1).median)} on 1)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
