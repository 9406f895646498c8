import type { AuditEntry } from './audit-entry';
import type { IncidentState } from './incident';
import type { Policy } from './policy';
import { phaseReport } from './phase-reports';
import type { ReportDocument } from './report-document';
import { rcaReport, regulatorDossier, rfoReport, type ReportKind } from './reports';

// Which builder renders a report kind, for `incident report` (live) and the report activity (stored):
// one switch, exhaustive over ReportKind, so a new kind cannot silently render as another document.
// Kept out of domain/reports.ts because workflow code imports that module and the phase builders need
// not enter the workflow bundle.

export function reportOfKind(
  kind: ReportKind,
  s: IncidentState,
  audit: AuditEntry[],
  policy: Policy,
  renderedAt: string,
): ReportDocument {
  switch (kind) {
    case 'rca':
      return rcaReport(s, audit, policy, renderedAt);
    case 'rfo':
      return rfoReport(s, policy, renderedAt);
    case 'regulator':
      return regulatorDossier(s, policy, renderedAt);
    default:
      return phaseReport(kind, s, policy, renderedAt);
  }
}
