import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { STEPS } from '../../../domain/actions';
import { CONTACT_KINDS, DATA_IMPACTS } from '../../../domain/incident';
import * as api from '../../../workflows/incident-api';
import type { CliContext } from '../command-context';
import { addActionSpecs, type ActionSpec } from './action-spec';
import { collect, parseAction, parseCount, parseCustomer, parseTime } from '../input';
import { UsageError } from '../problem';

// Every responder action of the workflow, one command each, declared as data: they all take an incident
// id, act as the person (signed when a key is found) and print the workflow's answer, so only what
// differs between them (arguments, options, the update's input) is written per action.

// Commander hands option values over untyped, so the entries are not checked against each update's input
// type here; the workflow's validators check every input and refuse a wrong one with its reason.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const actions: ActionSpec<any>[] = [
  {
    name: 'ack',
    summary: 'Acknowledge the incident; stops the escalation',
    example: 'incident ack INC-1',
    update: api.acknowledgeUpdate,
    options: (c) => c.option('--note <text>', 'note'),
    input: (_a, o, actor) => ({ actor, note: o.note }),
  },
  {
    name: 'add-system',
    summary: 'Add an affected system; it is isolated and copied at once',
    example: 'incident add-system INC-1 db-02',
    args: ['<system>'],
    update: api.addSystemUpdate,
    input: ([system], _o, actor) => ({ actor, system }),
  },
  {
    name: 'collect',
    summary: 'Take a new forensic copy of a system',
    example: 'incident collect INC-1 web-01',
    args: ['<system>'],
    update: api.collectEvidenceUpdate,
    input: ([system], _o, actor) => ({ actor, system }),
  },
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
    options: (c) =>
      c
        .addOption(new Option('--step <step>', 'which step').choices([...STEPS]).makeOptionMandatory())
        .requiredOption('--detail <text>', 'what was done, and where any copy is'),
    input: ([system], o, actor) => ({ actor, system, step: o.step, detail: o.detail }),
  },
  {
    name: 'assess',
    summary: 'Record the breach assessment; opens the customer and regulator deadlines',
    example:
      'incident assess INC-1 --impact personal --customer "ACME <security@acme.example>" --categories "emails,names" --people 1200',
    update: api.assessUpdate,
    options: (c) =>
      c
        .addOption(new Option('--impact <impact>', 'data impact').choices([...DATA_IMPACTS]).makeOptionMandatory())
        .option('--customer <contact>', 'affected customer, "Name <email>" (repeat)', collect)
        .option('--customers-file <file>', 'one "Name <email>" per line')
        .addOption(
          new Option('--regulator <yes|no>', 'must the regulator be told (default: yes for personal data)').choices([
            'yes',
            'no',
          ]),
        )
        .option('--categories <list>', 'categories of data, comma-separated')
        .option('--people <n>', 'approximate number of people concerned')
        .option('--records <n>', 'approximate number of records concerned')
        .option('--consequences <text>', 'likely consequences')
        .option('--measures <text>', 'measures taken or proposed'),
    input: async (_a, o, actor) => {
      const lines = o.customersFile
        ? (
            await readFile(String(o.customersFile), 'utf8').catch(() => {
              throw new UsageError(`Cannot read --customers-file ${o.customersFile}.`);
            })
          )
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
        : [];
      return {
        actor,
        dataImpact: o.impact,
        customers: [...((o.customer as string[] | undefined) ?? []), ...lines].map(parseCustomer),
        regulatorRequired: o.regulator === undefined ? undefined : o.regulator === 'yes',
        dataCategories: o.categories
          ? String(o.categories)
              .split(',')
              .map((c) => c.trim())
              .filter(Boolean)
          : undefined,
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
    options: (c) =>
      c
        .option('--subject <text>', 'replace the subject')
        .option('--text-file <file>', 'replace the body with this file'),
    input: async (_a, o, actor) => ({
      actor,
      subject: o.subject,
      text: o.textFile ? await readFile(String(o.textFile), 'utf8') : undefined,
    }),
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
    input: (_a, o, actor, now) => ({
      actor,
      reference: o.reference,
      filedAt: o.filedAt ? parseTime(String(o.filedAt), now) : undefined,
      lateReason: o.lateReason,
      phase: o.followUp ? 'follow-up' : 'initial',
      notes: o.notes,
    }),
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
    input: (_a, o, actor, now) => ({
      actor,
      kind: o.kind,
      organisation: o.org,
      person: o.person,
      at: o.at ? parseTime(String(o.at), now) : undefined,
      shared: o.shared,
      reference: o.reference,
    }),
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
    example:
      'incident conclude INC-1 --root-cause "Unpatched plugin" --factor "No WAF" --action "Patch plugin::web team"',
    update: api.conclusionsUpdate,
    options: (c) =>
      c
        .requiredOption('--root-cause <text>', 'the root cause')
        .option('--factor <text>', 'contributing factor (repeat)', collect)
        .option('--action <text::owner>', 'corrective action and its owner (repeat)', collect)
        .addOption(new Option('--by <who>', 'who conducted the analysis').choices(['internal', 'law-enforcement'])),
    input: (_a, o, actor) => ({
      actor,
      rootCause: o.rootCause,
      contributingFactors: o.factor,
      actions: ((o.action as string[] | undefined) ?? []).map(parseAction),
      conductedBy: o.by,
    }),
  },
  {
    name: 'restore',
    summary: 'Release every system and restore normal operations',
    example: 'incident restore INC-1',
    update: api.restoreUpdate,
    input: (_a, _o, actor) => ({ actor }),
  },
  {
    name: 'request-rfo',
    summary: 'Record a customer request for a Reason-for-Outage report',
    example: 'incident request-rfo INC-1 --customer "ACME" --email security@acme.example',
    update: api.requestRfoUpdate,
    options: (c) =>
      c.requiredOption('--customer <name>', 'customer').requiredOption('--email <address>', 'where to send it'),
    input: (_a, o, actor) => ({ actor, customer: o.customer, email: o.email }),
  },
  {
    name: 'send-rfo',
    summary: 'Render and send a requested RFO report',
    example: 'incident send-rfo INC-1 rfo-1',
    args: ['<request>'],
    update: api.sendRfoUpdate,
    input: ([requestId], _o, actor) => ({ actor, requestId }),
  },
  {
    name: 'note',
    summary: 'Add a note to the audit trail',
    example: 'incident note INC-1 "Attacker IP 203.0.113.7 blocked at the edge"',
    args: ['<text>'],
    update: api.noteUpdate,
    input: ([text], _o, actor) => ({ actor, text }),
  },
  {
    name: 'waive',
    summary: 'Waive an obligation, with the reason',
    example: 'incident waive INC-1 inform-law-enforcement --reason "Legal advised no report: no malicious act"',
    args: ['<obligation>'],
    update: api.waiveUpdate,
    options: (c) => c.requiredOption('--reason <text>', 'why it does not apply'),
    input: ([obligationId], o, actor) => ({ actor, obligationId, reason: o.reason }),
  },
  {
    name: 'reports',
    summary:
      'Render the RCA, RFO and regulator reports now, where the worker keeps them (the data dir or the object store)',
    example: 'incident reports INC-1',
    update: api.generateReportsUpdate,
    input: (_a, _o, actor) => ({ actor }),
  },
  {
    name: 'close',
    summary: 'Close the incident (every obligation met or waived); ends the audit chain',
    example: 'incident close INC-1 --summary "Contained; customers and CNIL notified"',
    update: api.closeUpdate,
    options: (c) => c.option('--summary <text>', 'final summary'),
    input: (_a, o, actor) => ({ actor, summary: o.summary }),
  },
];

export function addActionCommands(program: Command, ctx: CliContext): void {
  addActionSpecs(program, ctx, actions);
}
