import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ActionRefused } from '../../../domain/actions';
import { CLOSING_ACTION } from '../../../domain/audit-actions';
import type { AuditEntry } from '../../../domain/audit-entry';
import { parseAuditLines, readableEntries } from '../../../domain/audit-text';
import { parseHeadArgument, type TrailHead } from '../../../domain/trail-head';
import type { SignaturesVerdict } from '../../../domain/trail-signatures';
import type { TrailCheck } from '../../../domain/trail-verification';
import { checkpointsPathFor } from '../../../stores/audit-store';
import { printJson, withExample, type CliContext } from '../command-context';
import { EXIT } from '../exit-codes';
import { paint, type Output } from '../output';
import { CliProblem } from '../problem';
import { auditTable } from '../render';
import { proveTrail, readTrail, type ProvenTrail } from '../trail-proof';

// `incident audit`: the trail as a table, an export with its checkpoints, and --verify, which runs every
// proof there is on this machine and prints one verdict line per check. Its exit code is 1 when the trail
// does not verify, though the verdict itself is printed as an answer.

/** The heads given with --head, as a person copied them from a mail or a report. */
export function witnessHeads(values: string[]): TrailHead[] {
  return values.map((value) => {
    const head = parseHeadArgument(value);
    if (!head)
      throw new CliProblem(
        'usage',
        `--head ${JSON.stringify(value)} is not SEQ:HASH; copy it from a mail or a report, e.g. --head 37:4ebaf5b6c1d2e3f4`,
      );
    return head;
  });
}

const MARKS = { ok: '✓', failed: '✗', skipped: '–' } as const;

export function printTrailChecks(out: Output, checks: readonly TrailCheck[]): void {
  const width = Math.max(...checks.map((c) => c.check.length));
  for (const c of checks) {
    const [mark, style] = c.ok
      ? ([MARKS.ok, 'green'] as const)
      : c.skipped
        ? ([MARKS.skipped, 'yellow'] as const)
        : ([MARKS.failed, 'red'] as const);
    out.line(paint(out, style, `  ${mark} ${c.check.padEnd(width)}  ${c.message}`));
  }
}

function printVerdict(out: Output, proven: ProvenTrail, checks: TrailCheck[], ok: boolean): void {
  const { verdict } = proven;
  const head = verdict.head ? `, head ${verdict.head.hash.slice(0, 16)}… at seq ${verdict.head.seq}` : '';
  out.line(`Audit trail of ${verdict.incidentId}: ${verdict.entries} entries${head} (${proven.trailFile})`);
  printTrailChecks(out, checks);
  const failed = checks.find((c) => !c.ok && !c.skipped);
  out.line(
    ok
      ? paint(out, 'green', `The audit trail of ${verdict.incidentId} verifies.`)
      : paint(
          out,
          'red',
          `The audit trail of ${verdict.incidentId} does NOT verify: ${failed?.check}: ${failed?.message}.`,
        ),
  );
}

export function addAuditCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('audit')
      .argument('<id>', 'incident id')
      .description(
        'Show the audit trail; --verify checks its chain, signed checkpoints, the head Temporal recorded and heads from mails',
      )
      .option('--verify', 'run every check and print one verdict line each (exit 1 if any fails)')
      .option(
        '--head <seq:hash>',
        'also check a head held from a mail or a report (e.g. 37:4ebaf5b6…); repeatable',
        (v: string, all: string[]) => [...all, v],
        [] as string[],
      )
      .option('--offline', 'do not ask Temporal for the head it recorded')
      .option('--export <file>', 'copy the trail (JSON lines) to this file, and its checkpoints beside it')
      .option('--file <file>', 'read this exported trail instead of the data dir')
      .option('--checkpoints <file>', 'the checkpoints of --file (default: beside it, NAME.checkpoints.jsonl)')
      .option('--json', 'print JSON'),
    'incident audit INC-1 --verify --head 37:4ebaf5b6c1d2e3f4',
  ).action(async (id: string, opts) => {
    const witnesses = witnessHeads(opts.head as string[]);
    const { trailFile, trailText, checkpointsText } = await readTrail(
      ctx.config(),
      id,
      opts.file ? String(opts.file) : undefined,
      opts.checkpoints ? String(opts.checkpoints) : undefined,
    );
    if (trailText === undefined)
      throw new ActionRefused(
        `No audit trail for ${id} at ${trailFile}. Run this where the worker's data dir is (or with its storage.postgres settings), or pass --file.`,
      );
    if (opts.export) {
      const out = String(opts.export);
      // Written from what was read, so the export is the verified text whichever store held it.
      await writeFile(out, trailText);
      if (checkpointsText !== undefined) await writeFile(checkpointsPathFor(out), checkpointsText);
      ctx.out.line(
        `Exported ${trailFile} to ${out}${checkpointsText !== undefined ? ` and its checkpoints to ${checkpointsPathFor(out)}` : ' (it has no checkpoint file)'}`,
      );
    }
    if (opts.verify || witnesses.length) {
      const proven = await proveTrail(
        {
          config: ctx.config(),
          incidentId: id,
          file: opts.file ? String(opts.file) : undefined,
          checkpointsFile: opts.checkpoints ? String(opts.checkpoints) : undefined,
          incidents: opts.offline ? undefined : () => ctx.incidents(),
          witnesses,
        },
        trailFile,
        trailText,
        checkpointsText,
      );
      // Read once for the signatures and the JSON; a line that is not JSON ends it, as the chain check says.
      const entries = readableEntries(trailText);
      const checks = [...proven.verdict.checks];
      const signatures = signatureCheck(proven, entries, id);
      if (signatures.check) checks.push(signatures.check);
      const ok = checks.every((c) => c.ok || c.skipped);
      if (opts.json) printJson(ctx, verdictJson(proven, entries, checks, ok, signatures.proofs));
      else printVerdict(ctx.out, proven, checks, ok);
      if (!ok) process.exitCode = EXIT.refused;
      return;
    }
    if (opts.export) return;
    const entries = parseAuditLines(trailText);
    if (opts.json) return printJson(ctx, entries);
    ctx.out.line(auditTable(ctx.out, entries, ctx.config().policy.timeZone));
  });
}

/** Responders' signatures re-verified against the roster recorded in the trail, once its chain holds. */
function signatureCheck(proven: ProvenTrail, entries: AuditEntry[], id: string): Partial<SignaturesVerdict> {
  const chainOk = proven.verdict.checks.find((c) => c.check === 'chain')?.ok;
  if (!chainOk) return {};
  // Loaded here only, so that the Ed25519 verifier does not slow the start of every other command.
  const { signaturesCheck } =
    require('../../../domain/trail-signatures') as typeof import('../../../domain/trail-signatures');
  return signaturesCheck(entries, id);
}

function verdictJson(proven: ProvenTrail, entries: AuditEntry[], checks: TrailCheck[], ok: boolean, proofs: unknown) {
  const { verdict } = proven;
  return {
    ok,
    incidentId: verdict.incidentId,
    entries: verdict.entries,
    lastHash: verdict.head?.hash ?? null,
    closed: entries.at(-1)?.action === CLOSING_ACTION,
    head: verdict.head ?? null,
    checkpoints: verdict.checkpoints.length,
    checks,
    signatures: proofs ?? null,
  };
}
