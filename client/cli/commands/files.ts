import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ActionRefused } from '../../../domain/actions';
import { renderHtml, renderMarkdown } from '../../../domain/report-document';
import { isPhaseReportKind } from '../../../domain/phase-reports/kinds';
import { reportOfKind } from '../../../domain/report-of-kind';
import { REPORT_KINDS, type ReportKind } from '../../../domain/reports';
import { printJson, readAudit, withExample, type CliContext } from '../command-context';
import { exportEvidence } from '../evidence-export';
import { EXIT } from '../exit-codes';
import { parseCount } from '../input';
import { CliProblem } from '../problem';
import { exportedLine } from '../render';
import { readStoredReport } from '../stored-report';

// The commands that read the files the worker wrote under the data dir (reports, the audit trail,
// forensic copies). Apart from a report rendered live, they need no Temporal, so they still work where
// only the data dir is, and for an incident whose history the cluster no longer keeps.

export function addReportCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('report')
      .argument('<id>', 'incident id')
      .description('Render a report from the incident as it stands now')
      .addOption(new Option('--kind <kind>', 'which report').choices([...REPORT_KINDS]).makeOptionMandatory())
      .addOption(new Option('--format <format>', 'output format').choices(['md', 'html']).default('md'))
      .option('--out <file>', 'write to this file instead of standard output')
      .option(
        '--stored',
        'the copy the worker rendered (the data dir, or the object store with storage.s3), decrypted if encrypted at rest (no Temporal needed)',
      ),
    'incident report INC-1 --kind rfo --format html --out rfo.html',
  ).action(async (id: string, opts) => {
    const kind = opts.kind as ReportKind;
    let body: string;
    if (opts.stored) {
      // The worker renders only the closing reports; a phase report exists only as rendered now.
      if (isPhaseReportKind(kind))
        throw new CliProblem(
          'usage',
          `--stored: the worker does not store ${kind} reports; leave out --stored to render it from the incident now.`,
        );
      body = await readStoredReport(ctx.config(), id, kind, String(opts.format), ctx.env);
    } else {
      const view = await (await ctx.incidents()).view(id);
      const policy = view.policy;
      if (!policy)
        throw new ActionRefused(
          `Incident ${id} has not loaded its policy from the worker yet: is a worker running? Try again once it is.`,
        );
      const audit = kind === 'rca' ? (await readAudit(ctx, id)).entries : [];
      const doc = reportOfKind(kind, view.state, audit, policy, view.now);
      body = opts.format === 'html' ? renderHtml(doc) : renderMarkdown(doc);
    }
    if (opts.out) {
      await writeFile(String(opts.out), body);
      ctx.out.line(`Wrote ${opts.out}`);
    } else ctx.out.line(body);
  });
}

export function addEvidenceCommands(program: Command, ctx: CliContext): void {
  const evidence = program
    .command('evidence')
    .description('Stored forensic copies: export one as the original bytes, verified against the audit trail');
  withExample(
    evidence
      .command('export')
      .argument('<id>', 'incident id')
      .argument('<system>', 'the system whose copy to export')
      .description(
        'Write a stored copy out as the original bytes (decrypted when encrypted at rest), checked against the SHA-256 in the audit trail, which a signed checkpoint and the head Temporal recorded must cover',
      )
      .requiredOption('--out <path>', 'where to write it (a directory copy becomes a directory)')
      .option('--round <n>', 'which copy, when the system was collected more than once (default: the latest)')
      .option('--force', 'replace an existing file at --out')
      .option('--offline', 'trust the recorded hash on the signed checkpoints alone, without asking Temporal')
      .option('--json', 'print the result as JSON'),
    'incident evidence export INC-1 web-01 --out /mnt/case/web-01.img',
  ).action(async (id: string, system: string, opts) => {
    try {
      const result = await exportEvidence({
        config: ctx.config(),
        incidents: opts.offline ? undefined : () => ctx.incidents(),
        incidentId: id,
        system,
        round: opts.round === undefined ? undefined : parseCount(String(opts.round), '--round'),
        out: String(opts.out),
        force: Boolean(opts.force),
        env: ctx.env,
        namespace: ctx.config().temporal.namespace,
      });
      if (opts.json) return printJson(ctx, result);
      ctx.out.line(exportedLine(id, system, result));
    } catch (err) {
      // A refusal is still an answer in JSON for a script; anything else is reported as for every command.
      if (!(err instanceof CliProblem) || err.kind === 'usage' || !opts.json) throw err;
      printJson(ctx, { ok: false, incidentId: id, system, problem: err.message });
      process.exitCode = EXIT.refused;
    }
  });
}
