import type { AuditEntry } from '../../domain/audit-entry';
import type { Policy, PolicyVersion } from '../../domain/policy';
import { describeTimeLeft, dueAfterHours, formatMinutes } from '../../domain/deadlines';
import type { OpenIncidentRequest } from '../../domain/incident';
import { describeAudit } from '../../domain/reports';
import { headWithCheck } from '../../domain/trail-head';
import { formatInZone, formatShort } from '../../domain/time-format';
import type { IncidentView } from '../../workflows/incident-api';
import type { IncidentListRow } from '../incident-list';
import type { ExportResult } from './evidence-export';
import { clean, paint, table, type Cell, type Output } from './output';

// What the commands print for a person (their --json output is the data as it is, printed by the
// commands). Kept apart from the command wiring so that the look of a table or a countdown is changed
// in one place, and the wiring reads as what each command asks and does.

/** Time left until a deadline: red once overdue, yellow within the last four hours, when a person should act. */
export function countdown(dueAt: string | undefined, now: Date): Cell {
  if (!dueAt) return { text: '—', style: 'dim' };
  const text = describeTimeLeft(dueAt, now);
  const overdue = text.startsWith('overdue');
  const soon = !overdue && new Date(dueAt).getTime() - now.getTime() < 4 * 3_600_000;
  return { text, style: overdue ? 'red' : soon ? 'yellow' : undefined };
}

function since(iso: string | undefined, now: Date): string {
  if (!iso) return '';
  return formatMinutes(Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000)));
}

/** `incident open`: who is being told, and the deadlines that an assessed breach will start. */
export function printOpened(
  out: Output,
  incidentId: string,
  request: OpenIncidentRequest,
  worker: { policy: Policy; version?: PolicyVersion } | undefined,
): void {
  out.line(
    `Opened ${paint(out, 'bold', incidentId)}: ${clean(request.title)} (${request.severity}, ${request.category})`,
  );
  if (!worker) {
    out.line(
      `No worker has taken the incident up yet: senior personnel are told, and its deadlines set by the worker's policy, once one runs. Check with: incident show ${incidentId}`,
    );
    return;
  }
  const { policy, version } = worker;
  const due = (h: number) => dueAfterHours(request.awareAt, h);
  const tz = policy.timeZone;
  out.line(
    `Senior personnel are being told now; escalation every ${policy.ackWindowMinutes} min until someone runs: incident ack ${incidentId}`,
  );
  out.line(`Clocks run from awareness, ${formatInZone(request.awareAt, tz)}. Once a breach is assessed:`);
  out.line(`  customers, personal data   due ${formatInZone(due(policy.customerPersonalDataHours), tz)}`);
  out.line(`  customers, project data    due ${formatInZone(due(policy.customerProjectDataHours), tz)}`);
  out.line(
    `  ${policy.regulator.name} (${policy.regulator.article})   due ${formatInZone(due(policy.regulatorHours), tz)}`,
  );
  if (version) out.line(policyLine(version));
}

/** Which of the worker's policies an incident runs on; the digest lets an auditor match it to the trail. */
function policyLine(v: PolicyVersion): string {
  return `Policy: ${v.profile}, version ${clean(v.version)} (sha256 ${v.sha256.slice(0, 16)}…)`;
}

/** `incident list`: one incident a row; a closed incident has no deadline left to count down. */
export function incidentTable(out: Output, rows: IncidentListRow[], now: Date): string {
  return table(
    out,
    ['ID', 'SEV', 'PHASE', 'AWARE FOR', 'NEXT DEADLINE', 'TITLE'],
    rows.map((r) => [
      r.incidentId,
      { text: r.severity, style: r.severity === 'SEV1' ? 'bold' : undefined },
      r.phase,
      since(r.awareAt, now),
      r.status === 'RUNNING' ? countdown(r.nextDeadline, now) : '—',
      r.title,
    ]),
  );
}

/** The audit trail as a person reads it, times in the policy's time zone. */
export function auditTable(out: Output, entries: AuditEntry[], tz: string): string {
  return table(
    out,
    ['#', `WHEN (${tz})`, 'WHO', 'WHAT'],
    entries.map((e) => [String(e.seq), formatShort(e.at, tz), e.actor, describeAudit(e)]),
  );
}

/** `incident show`: what needs a person first (acknowledgement, problems), then obligations, systems, notice, timeline. */
export function printIncident(
  o: Output,
  view: IncidentView,
  audit: { entries: AuditEntry[]; file: string; available: boolean },
): void {
  const s = view.state;
  const now = new Date(view.now);
  const tz = view.timeZone;
  o.line(`${paint(o, 'bold', s.incidentId)}  ${clean(s.title)}`);
  o.line(
    `${s.severity}  ${s.category}  phase ${paint(o, 'bold', view.phase)}  aware since ${formatInZone(s.awareAt, tz)} (${since(s.awareAt, now)} ago)`,
  );
  o.line(`detected by: ${clean(s.detection)}`);
  o.line(
    s.acknowledgement
      ? `acknowledged by ${clean(s.acknowledgement.by)} at ${formatInZone(s.acknowledgement.at, tz)}`
      : paint(
          o,
          'red',
          `NOT ACKNOWLEDGED: ${s.escalationsSent} notice(s) sent; acknowledge with: incident ack ${s.incidentId}`,
        ),
  );
  o.line(
    view.policyVersion
      ? policyLine(view.policyVersion)
      : view.policy
        ? 'Policy: as its opener gave it (opened before the worker owned the policy)'
        : 'Policy: not loaded yet (no worker has taken the incident up)',
  );
  o.line(
    s.auditHead
      ? `Trail head: ${headWithCheck(s.incidentId, s.auditHead)} (recorded by Temporal ${formatInZone(s.auditHead.at, tz)})`
      : 'Trail head: none recorded by Temporal yet',
  );
  if (s.problems.length) {
    o.line('');
    o.line(paint(o, 'red', 'Needs attention:'));
    for (const p of s.problems) o.line(`  - ${clean(p.message)}`);
  }
  o.line('');
  o.line(paint(o, 'bold', 'Obligations'));
  o.line(
    s.obligations.length
      ? table(
          o,
          ['ID', `DUE (${tz})`, 'STATUS', 'MET', 'OBLIGATION'],
          s.obligations.map((ob) => [
            ob.id,
            formatShort(ob.dueAt, tz),
            ob.status === 'pending' ? countdown(ob.dueAt, now) : { text: ob.status, style: 'green' },
            ob.metAt ? `${formatShort(ob.metAt, tz)} by ${ob.metBy}` : '',
            ob.title,
          ]),
        )
      : '  none yet (the breach assessment opens them)',
  );
  const ruled = s.obligations.filter((ob) => ob.clock);
  for (const ob of ruled) {
    const c = ob.clock!;
    o.line(
      `  ${ob.id}: ${c.rule.citation} (rule ${c.rule.id} v${c.rule.version}, ${c.convention} from ${c.anchor.event}${c.pausedUntilDelayEnd ? ', paused until the delay ends' : ''})`,
    );
    if (c.lateBecause) o.line(`    late: ${clean(c.lateBecause)}`);
  }
  for (const u of s.clocks?.undecided ?? [])
    o.line(paint(o, 'yellow', `  undecided ${u.regime}: ${clean(u.question)}`));
  o.line('');
  o.line(paint(o, 'bold', 'Systems'));
  o.line(
    s.systems.length
      ? table(
          o,
          ['SYSTEM', 'ISOLATED', 'EVIDENCE', 'SHA-256', 'RELEASED'],
          s.systems.map((x) => [
            x.name,
            x.isolation.state,
            x.evidence.state,
            x.evidenceRecords.at(-1)?.sha256 ?? '',
            x.release.state,
          ]),
        )
      : '  none',
  );
  if (s.customerNotice) {
    o.line('');
    o.line(
      `${paint(o, 'bold', 'Customer notice')}: ${s.customerNotice.status}${s.customerNotice.status === 'awaiting-approval' ? ` (approve with: incident approve-notice ${s.incidentId})` : ''}`,
    );
    if (s.customerNotice.status === 'awaiting-approval')
      for (const l of s.customerNotice.text.split('\n')) o.line(`  | ${clean(l)}`);
  }
  o.line('');
  o.line(paint(o, 'bold', 'Timeline'));
  if (!audit.available) o.line(`  (audit file ${audit.file} is not readable from here)`);
  else o.line(auditTable(o, audit.entries, tz));
}

/** `incident evidence export`: what was written, and against which recorded hash it was checked. */
export function exportedLine(id: string, system: string, result: ExportResult): string {
  const how = result.encrypted ? `decrypted with key "${result.keyId}"` : 'stored unencrypted';
  const what =
    result.kind === 'directory'
      ? `${result.files} files, ${result.sizeBytes} bytes, each matching the manifest whose SHA-256 ${result.sha256}`
      : `${result.sizeBytes} bytes, SHA-256 ${result.sha256}`;
  const vouched = result.auditSeq ? `entry ${result.auditSeq}, covered by ${result.coveredBy}; ` : '';
  return `Exported ${system} (round ${result.round}) of ${id} to ${result.out}: ${what} matches the audit trail (${vouched}${how}).`;
}

/** `incident watch`: a line when the phase changes, with the deadline then nearest. */
export function watchPhaseLine(out: Output, view: IncidentView): string {
  return paint(
    out,
    'bold',
    `phase: ${view.phase}${view.nextDeadline ? `, next deadline ${describeTimeLeft(view.nextDeadline, new Date(view.now))}` : ''}`,
  );
}

/** `incident watch`: one new audit entry. */
export function watchEntryLine(entry: AuditEntry, tz: string): string {
  return `${formatShort(entry.at, tz)}  ${clean(entry.actor)}  ${clean(describeAudit(entry))}`;
}
