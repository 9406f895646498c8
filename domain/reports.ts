import type { AuditEntry } from './audit-entry';
import type { RegimeId } from './clocks/types';
import { isLate } from './deadlines';
import type { IncidentState } from './incident';
import { obligationTable, undecidedBlocks } from './obligation-table';
import { PHASE_REPORT_KINDS } from './phase-reports/kinds';
import type { Policy } from './policy';
import { list, para, table, type ReportDocument, type Section } from './report-document';
import { formatInZone } from './time-format';
import { trailWitnessLine } from './trail-head';

// The content of the three documents the procedure names: the internal root-cause analysis, the
// customer-facing Reason-for-Outage report, and the regulator's notification dossier (GDPR Art. 33(3)).

// The phase reports (NIS2, DORA, SEC, HIPAA) are rendered live by `incident report`, not at close.
export const REPORT_KINDS = ['rca', 'rfo', 'regulator', ...PHASE_REPORT_KINDS] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

const GDPR: readonly RegimeId[] = ['gdpr-art33', 'gdpr-art34'];

function evidenceRows(s: IncidentState, tz: string): string[][] {
  return s.systems.flatMap((sys) =>
    sys.evidenceRecords.map((e) => [
      sys.name,
      e.location,
      `${e.sizeBytes} bytes`,
      e.sha256,
      `${e.collectedBy}, ${formatInZone(e.finishedAt, tz)}`,
    ]),
  );
}

function containmentRows(s: IncidentState, tz: string): string[][] {
  return s.systems.map((sys) => [
    sys.name,
    `${sys.isolation.state}${sys.isolation.at ? ` ${formatInZone(sys.isolation.at, tz)}` : ''}${sys.isolation.detail ? ` (${sys.isolation.detail})` : ''}`,
    `${sys.evidence.state}${sys.evidence.error ? ` (${sys.evidence.error})` : ''}`,
    `${sys.release.state}${sys.release.at ? ` ${formatInZone(sys.release.at, tz)}` : ''}`,
  ]);
}

function headerSection(s: IncidentState, policy: Policy): Section {
  const tz = policy.timeZone;
  return {
    heading: 'Incident',
    blocks: [
      table(
        ['Field', 'Value'],
        [
          ['Reference', s.incidentId],
          ['Title', s.title],
          ['Severity', s.severity],
          ['Category', s.category],
          ['Aware since', formatInZone(s.awareAt, tz)],
          ['Opened', `${formatInZone(s.openedAt, tz)} by ${s.openedBy}`],
          ['How it was detected', s.detection],
          [
            'Acknowledged',
            s.acknowledgement
              ? `${formatInZone(s.acknowledgement.at, tz)} by ${s.acknowledgement.by}`
              : 'not acknowledged',
          ],
          ['Restored', s.restoredAt ? formatInZone(s.restoredAt, tz) : 'not yet'],
          ['Closed', s.closedAt ? formatInZone(s.closedAt, tz) : 'open'],
        ],
      ),
    ],
  };
}

export function rcaReport(s: IncidentState, audit: AuditEntry[], policy: Policy, renderedAt: string): ReportDocument {
  const tz = policy.timeZone;
  const c = s.conclusions;
  return {
    title: `Root-cause analysis: ${s.title}`,
    subtitle: `${policy.organisation}, internal. Incident ${s.incidentId}, rendered ${formatInZone(renderedAt, tz)}`,
    sections: [
      headerSection(s, policy),
      { heading: 'Summary', blocks: [para(s.summary ?? '(no summary recorded)')] },
      {
        heading: 'Root cause and conclusions',
        blocks: c
          ? [
              para(`Root cause: ${c.rootCause}`),
              para(
                `Analysis conducted by: ${c.conductedBy === 'law-enforcement' ? 'law enforcement' : 'internal staff'} (recorded by ${c.by}, ${formatInZone(c.at, tz)})`,
              ),
              para('Contributing factors:'),
              list(c.contributingFactors),
              table(
                ['Action', 'Owner'],
                c.actions.map((a) => [a.action, a.owner]),
              ),
            ]
          : [
              para(
                `Not yet concluded. Analysis assigned to: ${s.rcaAssignedTo === 'law-enforcement' ? 'law enforcement' : 'internal staff'}.`,
              ),
            ],
      },
      {
        heading: 'Containment',
        blocks: [table(['System', 'Isolation', 'Evidence', 'Release'], containmentRows(s, tz))],
      },
      {
        heading: 'Forensic evidence (byte-for-byte copies)',
        blocks: [table(['System', 'Stored copy', 'Size', 'SHA-256', 'Collected'], evidenceRows(s, tz))],
      },
      {
        heading: 'Third-party contacts',
        blocks: [
          table(
            ['When', 'Kind', 'Organisation', 'Person', 'What was shared', 'Recorded by'],
            s.contacts.map((k) => [formatInZone(k.at, tz), k.kind, k.organisation, k.person ?? '', k.shared, k.by]),
          ),
        ],
      },
      {
        heading: 'Obligations',
        blocks: [obligationTable(s.obligations, tz), ...undecidedBlocks(s)],
      },
      {
        heading: 'Timeline (from the audit trail)',
        blocks: [
          table(
            ['#', 'When', 'Who', 'What'],
            audit.map((e) => [String(e.seq), formatInZone(e.at, tz), e.actor, describeAudit(e)]),
          ),
        ],
      },
    ],
    footer: trailWitnessLine(s.incidentId, s.auditHead),
  };
}

export function rfoReport(s: IncidentState, policy: Policy, renderedAt: string): ReportDocument {
  const tz = policy.timeZone;
  const c = s.conclusions;
  const end = s.restoredAt ?? s.closedAt;
  return {
    title: `Reason for Outage: ${s.title}`,
    subtitle: `${policy.organisation}. Reference ${s.incidentId}, issued ${formatInZone(renderedAt, tz)}`,
    sections: [
      { heading: 'Summary', blocks: [para(s.summary ?? s.title)] },
      {
        heading: 'Impact window',
        blocks: [
          para(
            `From ${formatInZone(s.awareAt, tz)} to ${end ? formatInZone(end, tz) : 'ongoing (service not yet fully restored)'}.`,
          ),
        ],
      },
      {
        heading: 'Cause',
        blocks: [
          para(c ? c.rootCause : 'The investigation is ongoing; this report will be updated when it concludes.'),
        ],
      },
      {
        heading: 'Steps taken',
        blocks: [
          list([
            `Affected systems isolated: ${s.systems.filter((x) => x.isolation.state === 'done' || x.isolation.state === 'manual').length} of ${s.systems.length}.`,
            `Forensic copies preserved: ${s.systems.reduce((n, x) => n + x.evidenceRecords.length, 0)}.`,
            s.restoredAt
              ? `Normal operations restored on ${formatInZone(s.restoredAt, tz)}.`
              : 'Restoration in progress.',
            ...(s.contacts.some((k) => k.kind === 'law-enforcement') ? ['Law enforcement was informed.'] : []),
          ]),
        ],
      },
      { heading: 'Prevention', blocks: [list(c ? c.actions.map((a) => a.action) : [])] },
    ],
    footer: trailWitnessLine(s.incidentId, s.auditHead),
  };
}

export function regulatorDossier(s: IncidentState, policy: Policy, renderedAt: string): ReportDocument {
  const tz = policy.timeZone;
  const a = s.assessment;
  const ob = s.obligations.find((o) => o.kind === 'notify-regulator');
  const initial = s.regulatorFilings.find((f) => f.phase === 'initial');
  // Late means filed (or, before filing, still unfiled) after the due time; a re-rendering later changes nothing.
  const late = ob ? isLate(ob, new Date(initial?.filedAt ?? renderedAt)) : false;
  return {
    title: `Personal data breach notification to the ${policy.regulator.name}`,
    subtitle: `${policy.organisation}, ${policy.regulator.article}. Reference ${s.incidentId}, prepared ${formatInZone(renderedAt, tz)}`,
    sections: [
      {
        heading: 'Timing',
        blocks: [
          table(
            ['Field', 'Value'],
            [
              ['Became aware', formatInZone(s.awareAt, tz)],
              ['Notification due', ob ? formatInZone(ob.dueAt, tz) : 'not required'],
              [
                'Filings so far',
                s.regulatorFilings
                  .map((f) => `${f.phase} ${f.reference} (${formatInZone(f.filedAt, tz)})`)
                  .join('; ') || 'none',
              ],
            ],
          ),
          // The legal basis of the GDPR deadlines, and what is undecided about them, travel with the filing;
          // other regimes' clocks (an SEC materiality determination…) are not the supervisory authority's.
          obligationTable(
            s.obligations.filter((o) => (o.clock ? GDPR.includes(o.clock.regime) : o.kind === 'notify-regulator')),
            tz,
          ),
          ...undecidedBlocks(s, GDPR),
          ...(late
            ? [
                para(
                  `This notification is made after the ${policy.regulatorHours}-hour period; the reasons for the delay must accompany it (Art. 33(1)).`,
                ),
              ]
            : []),
        ],
      },
      {
        heading: '(a) Nature of the breach',
        blocks: [para(`${s.category}: ${s.title}. ${s.summary ?? ''}`.trim()), para(`Detected by: ${s.detection}`)],
      },
      {
        heading: '(a) Categories and approximate numbers concerned',
        blocks: [
          table(
            ['Field', 'Value'],
            [
              ['Data impact', a?.dataImpact ?? 'not yet assessed'],
              ['Categories of data', a?.dataCategories.join(', ') || 'not yet known'],
              [
                'Approximate number of people',
                a?.approxPeople !== undefined ? String(a.approxPeople) : 'not yet known',
              ],
              [
                'Approximate number of records',
                a?.approxRecords !== undefined ? String(a.approxRecords) : 'not yet known',
              ],
            ],
          ),
        ],
      },
      {
        heading: '(b) Data protection officer',
        blocks: [para(`${policy.dpo.name}, ${policy.dpo.email}${policy.dpo.phone ? `, ${policy.dpo.phone}` : ''}`)],
      },
      { heading: '(c) Likely consequences', blocks: [para(a?.likelyConsequences ?? 'Being assessed.')] },
      {
        heading: '(d) Measures taken or proposed',
        blocks: [
          para(a?.measures ?? 'Affected systems isolated and forensic copies preserved.'),
          table(['System', 'Isolation', 'Evidence', 'Release'], containmentRows(s, tz)),
        ],
      },
      {
        heading: 'Information in phases (Art. 33(4))',
        blocks: [para('Information not yet available will be provided in further phases without undue delay.')],
      },
    ],
    footer: trailWitnessLine(s.incidentId, s.auditHead),
  };
}

/** One line a person reads in a timeline: the action, and the one or two details that matter. */
export function describeAudit(e: AuditEntry): string {
  const d = e.details;
  const pick = [
    'claimedActor',
    'system',
    'title',
    'to',
    'obligation',
    'reason',
    'sha256',
    'reference',
    'organisation',
    'note',
    'error',
    'status',
  ]
    .filter((k) => d[k] !== undefined && d[k] !== '')
    .slice(0, 3)
    .map((k) => `${k}=${Array.isArray(d[k]) ? (d[k] as unknown[]).join(',') : String(d[k])}`);
  return pick.length ? `${e.action} (${pick.join('; ')})` : e.action;
}
