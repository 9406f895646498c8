// The phase reports' names, apart from their builders: domain/reports.ts lists them among the report kinds,
// and workflow code imports that module, so only these names (not the builders) enter the workflow bundle.

export const PHASE_REPORT_KINDS = [
  'nis2-early-warning',
  'nis2-notification',
  'nis2-final-report',
  'dora-initial',
  'dora-intermediate',
  'dora-final',
  'sec-8k',
  'hipaa-individuals',
] as const;
export type PhaseReportKind = (typeof PHASE_REPORT_KINDS)[number];

export function isPhaseReportKind(kind: string): kind is PhaseReportKind {
  return (PHASE_REPORT_KINDS as readonly string[]).includes(kind);
}
