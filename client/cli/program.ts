import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { JsonlAuditStore, parseAuditLines, verifyAuditText } from '../../activities/audit-store';
import { ActionRefused, STEPS } from '../../domain/actions';
import { CATEGORIES, CONTACT_KINDS, DATA_IMPACTS, PHASES, SEVERITIES } from '../../domain/incident';
import { renderHtml, renderMarkdown } from '../../domain/report-document';
import { rcaReport, regulatorDossier, REPORT_KINDS, rfoReport, type ReportKind } from '../../domain/reports';
import * as api from '../../workflows/incident-api';
import { generateSigningKey } from '../action-signer';
import type { UpdateDef } from '../incident-client';
import { actorOf, defaultKeyFile, printJson, readAudit, signerOf, withExample, type CliContext } from './command-context';
import { completionScript } from './completion';
import { EXIT, exitCodeOf } from './exit-codes';
import { exportEvidence } from './evidence-export';
import { collect, parseAction, parseCount, parseCustomer, parseTime } from './input';
import { CliProblem, UsageError } from './problem';
import { auditTable, exportedLine, incidentTable, printIncident, printOpened, printVerification, watchEntryLine, watchPhaseLine } from './render';
import { readStoredReport } from './stored-report';

// The `incident` command: every responder action of the workflow, plus reading, reporting and auditing.
// What its exit codes mean is decided in exit-codes.ts.

/** Declares one responder action: its arguments become the update's input, the result is printed. */
interface ActionSpec<I extends { actor: string }> {
  name: string;
  summary: string;
  example: string;
  args?: string[];
  options?: (cmd: Command) => Command;
  update: UpdateDef<I>;
  input: (args: string[], opts: Record<string, unknown>, actor: string, now: Date) => I | Promise<I>;
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('incident')
    .description('Run security incidents: open, act, read, report and audit. Every action is written to the audit trail with your name.')
    .option('--as <name>', 'who is acting (default: $INCIDENT_ACTOR, then your login name)')
    .option('--key <file>', 'your Ed25519 signing key (default: $INCIDENT_SIGNING_KEY, then ~/.config/incident/signing-key.pem)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
  program.addHelpText(
    'after',
    `
From open to closed:
  incident open --title "Web shell on web-01" --severity SEV1 --category intrusion --system web-01 --detection "EDR alert" --aware "2h ago"
  incident ack INC-…                 incident show INC-…
  incident assess INC-… --impact personal --customer "ACME <security@acme.example>"
  incident approve-notice INC-…      incident file-regulator INC-… --reference CNIL-123
  incident contact INC-… --kind law-enforcement --org "Gendarmerie C3N" --shared "IOCs"
  incident conclude INC-… --root-cause "…" --action "Patch the plugin::web team"
  incident restore INC-…             incident close INC-…

Exit codes: 0 done, 1 refused (the reason is printed), 2 usage error, 3 Temporal unreachable.`,
  );

  // ------------------------------------------------------------------ open
  withExample(
    program
      .command('open')
      .description('Open an incident; senior personnel are told at once. Prompts for what is missing on a terminal.')
      .option('--id <id>', 'incident id (default: INC-<date>-<random>)')
      .option('--title <text>', 'short title')
      .addOption(new Option('--severity <sev>', 'severity').choices([...SEVERITIES]))
      .addOption(new Option('--category <category>', 'category').choices([...CATEGORIES]))
      .option('--system <name>', 'affected system (repeat for several)', collect)
      .option('--detection <text>', 'how the incident was detected')
      .option('--aware <time>', 'when the organisation became aware: ISO 8601 or "2h ago"', 'now')
      .option('--summary <text>', 'what is known so far')
      .option('--json', 'print the result as JSON'),
    'incident open --title "Web shell on web-01" --severity SEV1 --category intrusion --system web-01 --detection "EDR alert" --aware "2h ago"',
  ).action(async (opts, cmd: Command) => {
    const now = ctx.now();
    const fields: Record<string, unknown> = { ...opts };
    const missing = ['title', 'severity', 'category', 'detection'].filter((k) => !fields[k]);
    if (missing.length) {
      if (!ctx.prompter) throw new UsageError(`incident open needs ${missing.map((m) => `--${m}`).join(', ')} (or run it on a terminal to be asked).`);
      fields.title ??= await ctx.prompter.ask('Title', { required: true });
      fields.severity ??= await ctx.prompter.choose('Severity', SEVERITIES);
      fields.category ??= await ctx.prompter.choose('Category', CATEGORIES);
      if (!fields.system) {
        const systems = await ctx.prompter.ask('Affected systems (comma-separated, empty for none yet)', { required: false });
        fields.system = systems ? systems.split(',').map((s) => s.trim()).filter(Boolean) : [];
      }
      fields.detection ??= await ctx.prompter.ask('How was it detected', { required: true });
      if (!cmd.getOptionValueSource('aware') || cmd.getOptionValueSource('aware') === 'default') {
        fields.aware = (await ctx.prompter.ask('Aware since (ISO 8601 or "2h ago")', { required: false, default: 'now' })) || 'now';
      }
    }
    const incidentId = (fields.id as string | undefined) ?? `INC-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    const incidents = await ctx.incidents();
    // "now" means when the person answered, not when the command started asking.
    const answeredAt = ctx.now();
    const { request } = await incidents.open(
      {
        incidentId,
        title: fields.title,
        severity: fields.severity,
        category: fields.category,
        systems: (fields.system as string[] | undefined) ?? [],
        detection: fields.detection,
        awareAt: parseTime(String(fields.aware ?? 'now'), answeredAt),
        summary: fields.summary,
        openedBy: actorOf(cmd, ctx.env),
      },
      answeredAt,
    );
    const policy = ctx.config().policy;
    if (opts.json) return printJson(ctx, { incidentId, awareAt: request.awareAt, deadlineHours: { customersPersonal: policy.customerPersonalDataHours, customersProject: policy.customerProjectDataHours, regulator: policy.regulatorHours } });
    printOpened(ctx.out, incidentId, request, policy);
  });

  // ------------------------------------------------------------------ list
  withExample(
    program
      .command('list')
      .description('Open incidents, nearest deadline first')
      .option('--all', 'include closed incidents')
      .addOption(new Option('--severity <sev>', 'only this severity').choices([...SEVERITIES]))
      .addOption(new Option('--phase <phase>', 'only this phase').choices([...PHASES]))
      .addOption(new Option('--impact <impact>', 'only this data impact').choices([...DATA_IMPACTS, 'unassessed']))
      .option('--json', 'print JSON (an array of incidents; see README)'),
    'incident list --severity SEV1',
  ).action(async (opts) => {
    const rows = await ctx.list(opts);
    if (opts.json) return printJson(ctx, rows);
    if (rows.length === 0) return ctx.out.line(opts.all ? 'No incidents.' : 'No open incidents. (incident list --all shows closed ones.)');
    ctx.out.line(incidentTable(ctx.out, rows, ctx.now()));
  });

  // ------------------------------------------------------------------ show
  withExample(
    program.command('show').argument('<id>', 'incident id').description('State, obligations, systems and evidence, and the timeline from the audit trail').option('--json', 'print JSON (the incident view; see README)'),
    'incident show INC-20260301-AB12',
  ).action(async (id: string, opts) => {
    const view = await (await ctx.incidents()).view(id);
    const audit = await readAudit(ctx, id);
    if (opts.json) return printJson(ctx, { ...view, timeline: audit.entries });
    printIncident(ctx.out, view, audit);
  });

  // ------------------------------------------------------------------ responder actions
  const actions: ActionSpec<any>[] = [
    { name: 'ack', summary: 'Acknowledge the incident; stops the escalation', example: 'incident ack INC-1', update: api.acknowledgeUpdate, options: (c) => c.option('--note <text>', 'note'), input: (_a, o, actor) => ({ actor, note: o.note }) },
    { name: 'add-system', summary: 'Add an affected system; it is isolated and copied at once', example: 'incident add-system INC-1 db-02', args: ['<system>'], update: api.addSystemUpdate, input: ([system], _o, actor) => ({ actor, system }) },
    { name: 'collect', summary: 'Take a new forensic copy of a system', example: 'incident collect INC-1 web-01', args: ['<system>'], update: api.collectEvidenceUpdate, input: ([system], _o, actor) => ({ actor, system }) },
    {
      name: 'retry',
      summary: 'Retry a failed isolation, evidence copy or release',
      example: 'incident retry INC-1 web-01 --step isolation',
      args: ['<system>'],
      update: api.retryStepUpdate,
      options: (c) => c.addOption(new Option('--step <step>', 'which step').choices([...STEPS]).makeOptionMandatory()),
      input: ([system], o, actor) => ({ actor, system, step: o.step }),
    },
    {
      name: 'manual-step',
      summary: 'Record a step done by hand (isolation, evidence copy or release)',
      example: 'incident manual-step INC-1 web-01 --step isolation --detail "switch port 12 shut"',
      args: ['<system>'],
      update: api.manualStepUpdate,
      options: (c) => c.addOption(new Option('--step <step>', 'which step').choices([...STEPS]).makeOptionMandatory()).requiredOption('--detail <text>', 'what was done, and where any copy is'),
      input: ([system], o, actor) => ({ actor, system, step: o.step, detail: o.detail }),
    },
    {
      name: 'assess',
      summary: 'Record the breach assessment; opens the customer and regulator deadlines',
      example: 'incident assess INC-1 --impact personal --customer "ACME <security@acme.example>" --categories "emails,names" --people 1200',
      update: api.assessUpdate,
      options: (c) =>
        c
          .addOption(new Option('--impact <impact>', 'data impact').choices([...DATA_IMPACTS]).makeOptionMandatory())
          .option('--customer <contact>', 'affected customer, "Name <email>" (repeat)', collect)
          .option('--customers-file <file>', 'one "Name <email>" per line')
          .addOption(new Option('--regulator <yes|no>', 'must the regulator be told (default: yes for personal data)').choices(['yes', 'no']))
          .option('--categories <list>', 'categories of data, comma-separated')
          .option('--people <n>', 'approximate number of people concerned')
          .option('--records <n>', 'approximate number of records concerned')
          .option('--consequences <text>', 'likely consequences')
          .option('--measures <text>', 'measures taken or proposed'),
      input: async (_a, o, actor) => {
        const lines = o.customersFile ? (await readFile(String(o.customersFile), 'utf8').catch(() => { throw new UsageError(`Cannot read --customers-file ${o.customersFile}.`); })).split('\n').map((l) => l.trim()).filter(Boolean) : [];
        return {
          actor,
          dataImpact: o.impact,
          customers: [...((o.customer as string[] | undefined) ?? []), ...lines].map(parseCustomer),
          regulatorRequired: o.regulator === undefined ? undefined : o.regulator === 'yes',
          dataCategories: o.categories ? String(o.categories).split(',').map((c) => c.trim()).filter(Boolean) : undefined,
          approxPeople: o.people === undefined ? undefined : parseCount(String(o.people), '--people'),
          approxRecords: o.records === undefined ? undefined : parseCount(String(o.records), '--records'),
          likelyConsequences: o.consequences,
          measures: o.measures,
        };
      },
    },
    {
      name: 'approve-notice',
      summary: 'Approve the drafted customer notice and send it to every affected contact',
      example: 'incident approve-notice INC-1',
      update: api.approveNoticeUpdate,
      options: (c) => c.option('--subject <text>', 'replace the subject').option('--text-file <file>', 'replace the body with this file'),
      input: async (_a, o, actor) => ({ actor, subject: o.subject, text: o.textFile ? await readFile(String(o.textFile), 'utf8') : undefined }),
    },
    {
      name: 'file-regulator',
      summary: 'Record the notification filed with the regulator (CNIL)',
      example: 'incident file-regulator INC-1 --reference CNIL-2026-0042',
      update: api.regulatorFilingUpdate,
      options: (c) =>
        c
          .requiredOption('--reference <ref>', 'the filing reference the regulator gave')
          .option('--filed-at <time>', 'when it was filed (default now)')
          .option('--late-reason <text>', 'reasons for the delay (required after the deadline, Art. 33(1))')
          .option('--follow-up', 'a follow-up filing with information in phases (Art. 33(4))')
          .option('--notes <text>', 'notes'),
      input: (_a, o, actor, now) => ({ actor, reference: o.reference, filedAt: o.filedAt ? parseTime(String(o.filedAt), now) : undefined, lateReason: o.lateReason, phase: o.followUp ? 'follow-up' : 'initial', notes: o.notes }),
    },
    {
      name: 'contact',
      summary: 'Record a contact with a third party (law enforcement, vendor, insurer…)',
      example: 'incident contact INC-1 --kind law-enforcement --org "Gendarmerie C3N" --shared "IOCs and timeline"',
      update: api.contactUpdate,
      options: (c) =>
        c
          .addOption(new Option('--kind <kind>', 'kind of contact').choices([...CONTACT_KINDS]).makeOptionMandatory())
          .requiredOption('--org <name>', 'organisation')
          .option('--person <name>', 'person spoken to')
          .option('--at <time>', 'when (default now)')
          .requiredOption('--shared <text>', 'what was shared with them')
          .option('--reference <ref>', 'their reference'),
      input: (_a, o, actor, now) => ({ actor, kind: o.kind, organisation: o.org, person: o.person, at: o.at ? parseTime(String(o.at), now) : undefined, shared: o.shared, reference: o.reference }),
    },
    {
      name: 'assign-rca',
      summary: 'Assign the root-cause analysis to internal staff or to law enforcement',
      example: 'incident assign-rca INC-1 law-enforcement',
      args: ['<to>'],
      update: api.assignRcaUpdate,
      input: ([to], _o, actor) => ({ actor, to }),
    },
    {
      name: 'conclude',
      summary: 'Record the root-cause conclusions',
      example: 'incident conclude INC-1 --root-cause "Unpatched plugin" --factor "No WAF" --action "Patch plugin::web team"',
      update: api.conclusionsUpdate,
      options: (c) =>
        c
          .requiredOption('--root-cause <text>', 'the root cause')
          .option('--factor <text>', 'contributing factor (repeat)', collect)
          .option('--action <text::owner>', 'corrective action and its owner (repeat)', collect)
          .addOption(new Option('--by <who>', 'who conducted the analysis').choices(['internal', 'law-enforcement'])),
      input: (_a, o, actor) => ({ actor, rootCause: o.rootCause, contributingFactors: o.factor, actions: ((o.action as string[] | undefined) ?? []).map(parseAction), conductedBy: o.by }),
    },
    { name: 'restore', summary: 'Release every system and restore normal operations', example: 'incident restore INC-1', update: api.restoreUpdate, input: (_a, _o, actor) => ({ actor }) },
    {
      name: 'request-rfo',
      summary: 'Record a customer request for a Reason-for-Outage report',
      example: 'incident request-rfo INC-1 --customer "ACME" --email security@acme.example',
      update: api.requestRfoUpdate,
      options: (c) => c.requiredOption('--customer <name>', 'customer').requiredOption('--email <address>', 'where to send it'),
      input: (_a, o, actor) => ({ actor, customer: o.customer, email: o.email }),
    },
    { name: 'send-rfo', summary: 'Render and send a requested RFO report', example: 'incident send-rfo INC-1 rfo-1', args: ['<request>'], update: api.sendRfoUpdate, input: ([requestId], _o, actor) => ({ actor, requestId }) },
    { name: 'note', summary: 'Add a note to the audit trail', example: 'incident note INC-1 "Attacker IP 203.0.113.7 blocked at the edge"', args: ['<text>'], update: api.noteUpdate, input: ([text], _o, actor) => ({ actor, text }) },
    {
      name: 'waive',
      summary: 'Waive an obligation, with the reason',
      example: 'incident waive INC-1 inform-law-enforcement --reason "Legal advised no report: no malicious act"',
      args: ['<obligation>'],
      update: api.waiveUpdate,
      options: (c) => c.requiredOption('--reason <text>', 'why it does not apply'),
      input: ([obligationId], o, actor) => ({ actor, obligationId, reason: o.reason }),
    },
    { name: 'reports', summary: 'Render the RCA, RFO and regulator reports under the data dir now', example: 'incident reports INC-1', update: api.generateReportsUpdate, input: (_a, _o, actor) => ({ actor }) },
    { name: 'close', summary: 'Close the incident (every obligation met or waived); ends the audit chain', example: 'incident close INC-1 --summary "Contained; customers and CNIL notified"', update: api.closeUpdate, options: (c) => c.option('--summary <text>', 'final summary'), input: (_a, o, actor) => ({ actor, summary: o.summary }) },
  ];

  for (const spec of actions) {
    let cmd = program.command(spec.name).description(spec.summary).argument('<id>', 'incident id');
    for (const arg of spec.args ?? []) cmd = cmd.argument(arg);
    if (spec.options) cmd = spec.options(cmd);
    cmd.option('--json', 'print the result as JSON');
    withExample(cmd, spec.example);
    cmd.action(async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const opts = params[params.length - 2] as Record<string, unknown>;
      const [id, ...rest] = params.slice(0, -2) as string[];
      const input = await spec.input(rest, opts, actorOf(command, ctx.env), ctx.now());
      const result = await (await ctx.incidents()).act(id, spec.update, input, signerOf(command, ctx.env));
      if (opts.json) return printJson(ctx, result);
      ctx.out.line(result.message);
    });
  }

  // ------------------------------------------------------------------ report, audit, watch, completion
  withExample(
    program
      .command('report')
      .argument('<id>', 'incident id')
      .description('Render a report from the incident as it stands now')
      .addOption(new Option('--kind <kind>', 'which report').choices([...REPORT_KINDS]).makeOptionMandatory())
      .addOption(new Option('--format <format>', 'output format').choices(['md', 'html']).default('md'))
      .option('--out <file>', 'write to this file instead of standard output')
      .option('--stored', 'the copy the worker rendered under the data dir, decrypted if encrypted at rest (no Temporal needed)'),
    'incident report INC-1 --kind rfo --format html --out rfo.html',
  ).action(async (id: string, opts) => {
    const kind = opts.kind as ReportKind;
    let body: string;
    if (opts.stored) {
      body = await readStoredReport(ctx.config().dataDir, id, kind, String(opts.format), ctx.env, ctx.config().temporal.namespace);
    } else {
      const view = await (await ctx.incidents()).view(id);
      const audit = kind === 'rca' ? (await readAudit(ctx, id)).entries : [];
      const doc = kind === 'rca' ? rcaReport(view.state, audit, view.policy, view.now) : kind === 'rfo' ? rfoReport(view.state, view.policy, view.now) : regulatorDossier(view.state, view.policy, view.now);
      body = opts.format === 'html' ? renderHtml(doc) : renderMarkdown(doc);
    }
    if (opts.out) {
      await writeFile(String(opts.out), body);
      ctx.out.line(`Wrote ${opts.out}`);
    } else ctx.out.line(body);
  });

  withExample(
    program
      .command('audit')
      .argument('<id>', 'incident id')
      .description('Show the audit trail; --verify recomputes its hash chain')
      .option('--verify', 'recompute the chain and name the first bad entry (exit 1 if it does not verify)')
      .option('--export <file>', 'copy the audit file (JSON lines) to this file')
      .option('--file <file>', 'read this exported audit file instead of the data dir')
      .option('--json', 'print JSON'),
    'incident audit INC-1 --verify',
  ).action(async (id: string, opts) => {
    const file = opts.file ? String(opts.file) : new JsonlAuditStore(path.join(ctx.config().dataDir, 'audit')).fileOf(id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new ActionRefused(`No audit file for ${id} at ${file}. Run this where the worker's data dir is, or pass --file.`);
    }
    if (opts.export) {
      await copyFile(file, String(opts.export));
      ctx.out.line(`Exported ${file} to ${opts.export}`);
    }
    if (opts.verify) {
      const verdict = verifyAuditText(text, id);
      // Loaded here only: the Ed25519 verifier costs every other command's start 17 ms.
      const { verifyProofs } = require('../../domain/access') as typeof import('../../domain/access');
      const signatures = verdict.ok ? verifyProofs(parseAuditLines(text), id) : undefined;
      if (opts.json) printJson(ctx, { ...verdict, signatures });
      else printVerification(ctx.out, id, verdict, signatures);
      if (!verdict.ok || (signatures && signatures.failures.length)) process.exitCode = EXIT.refused;
      return;
    }
    if (opts.export) return;
    const entries = parseAuditLines(text);
    if (opts.json) return printJson(ctx, entries);
    ctx.out.line(auditTable(ctx.out, entries, ctx.config().policy.timeZone));
  });

  // ------------------------------------------------------------------ evidence export
  const evidence = program.command('evidence').description('Stored forensic copies: export one as the original bytes, verified against the audit trail');
  withExample(
    evidence
      .command('export')
      .argument('<id>', 'incident id')
      .argument('<system>', 'the system whose copy to export')
      .description('Write a stored copy out as the original bytes (decrypted when encrypted at rest), checked against the SHA-256 in the audit trail')
      .requiredOption('--out <path>', 'where to write it (a directory copy becomes a directory)')
      .option('--round <n>', 'which copy, when the system was collected more than once (default: the latest)')
      .option('--force', 'replace an existing file at --out')
      .option('--json', 'print the result as JSON'),
    'incident evidence export INC-1 web-01 --out /mnt/case/web-01.img',
  ).action(async (id: string, system: string, opts) => {
    try {
      const result = await exportEvidence({
        dataDir: ctx.config().dataDir,
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

  withExample(
    program.command('watch').argument('<id>', 'incident id').description('Follow an incident live until it closes (Ctrl-C to stop)').option('--interval <seconds>', 'how often to look', '2'),
    'incident watch INC-1',
  ).action(async (id: string, opts) => {
    const incidents = await ctx.incidents();
    let seen = 0;
    let phase = '';
    const interval = Math.max(0.2, Number(opts.interval) || 2) * 1000;
    for (;;) {
      const view = await incidents.view(id);
      if (view.phase !== phase) {
        phase = view.phase;
        ctx.out.line(watchPhaseLine(ctx.out, view));
      }
      const { entries } = await readAudit(ctx, id);
      for (const e of entries.filter((x) => x.seq > seen)) ctx.out.line(watchEntryLine(e, view.timeZone));
      seen = Math.max(seen, view.state.auditSeq, ...entries.map((e) => e.seq));
      if (view.state.closedAt) return ctx.out.line(`Incident ${id} is closed.`);
      await new Promise((r) => setTimeout(r, interval));
    }
  });

  // ------------------------------------------------------------------ identity
  withExample(
    program
      .command('keygen')
      .description('Make your Ed25519 signing key; prints the roster entry an administrator adds to the configuration')
      .option('--out <file>', 'where to write the private key (default: $INCIDENT_SIGNING_KEY, then ~/.config/incident/signing-key.pem)')
      .option('--force', 'replace an existing key file')
      .option('--json', 'print the roster entry as JSON'),
    'incident keygen --as alice',
  ).action(async (opts: { out?: string; force?: boolean; json?: boolean }, cmd: Command) => {
    const file = opts.out || ctx.env.INCIDENT_SIGNING_KEY || defaultKeyFile(ctx.env);
    const { privateKeyPem, publicKey } = generateSigningKey();
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      await writeFile(file, privateKeyPem, { mode: 0o600, flag: opts.force ? 'w' : 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already exists; keep it, or replace it with --force (the old key then stops working once the roster is updated).`);
      throw new UsageError(`Cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); choose another place with --out.`);
    }
    const actor = actorOf(cmd, ctx.env);
    const entry = { [actor]: { roles: ['responder'], publicKey } };
    if (opts.json) return printJson(ctx, { keyFile: file, actor, publicKey });
    ctx.out.line(`Private key written to ${file} (readable by you only; never share it).`);
    ctx.out.line('Ask an administrator to add you to access.roster in the worker configuration, with your roles:');
    ctx.out.line(JSON.stringify(entry, null, 2));
  });

  withExample(
    program
      .command('reload-access')
      .argument('<id>', 'incident id')
      .description("Make a running incident reload the roster and role mapping from the worker's configuration"),
    'incident reload-access INC-1',
  ).action(async (id: string, _opts: unknown, cmd: Command) => {
    await (await ctx.incidents()).reloadAccess(id, actorOf(cmd, ctx.env));
    ctx.out.line(`Incident ${id} reloads its access policy; the audit trail records the new roster.`);
  });

  withExample(
    program
      .command('completion')
      .description('Print a shell completion script')
      .addArgument(new Command().createArgument('<shell>', 'bash or zsh').choices(['bash', 'zsh'])),
    'incident completion bash >> ~/.bashrc',
  ).action((shell: 'bash' | 'zsh') => {
    ctx.out.line(completionScript(shell, program));
  });

  return program;
}

/** Runs the CLI and returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command whose printed answer is a refusal (audit --verify, evidence export --json) sets the code itself.
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return exitCodeOf(err, ctx);
  }
}
