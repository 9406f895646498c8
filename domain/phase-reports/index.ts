import type { IncidentState } from '../incident';
import type { Policy } from '../policy';
import type { ReportDocument } from '../report-document';
import { doraFinal, doraInitial, doraIntermediate } from './dora';
import { hipaaIndividuals } from './hipaa';
import type { PhaseReportKind } from './kinds';
import { nis2EarlyWarning, nis2FinalReport, nis2Notification } from './nis2';
import type { PhaseContext } from './report-kit';
import { sec8kDraft } from './sec-8k';

// The one place that maps a phase report's kind to its builder: the CLI and the report activity both
// come here, so a kind can never render one document live and another when the worker renders it.

export { PHASE_REPORT_KINDS, isPhaseReportKind, type PhaseReportKind } from './kinds';

const BUILDERS: Record<PhaseReportKind, (ctx: PhaseContext) => ReportDocument> = {
  'nis2-early-warning': nis2EarlyWarning,
  'nis2-notification': nis2Notification,
  'nis2-final-report': nis2FinalReport,
  'dora-initial': doraInitial,
  'dora-intermediate': doraIntermediate,
  'dora-final': doraFinal,
  'sec-8k': sec8kDraft,
  'hipaa-individuals': hipaaIndividuals,
};

export function phaseReport(
  kind: PhaseReportKind,
  s: IncidentState,
  policy: Policy,
  renderedAt: string,
): ReportDocument {
  return BUILDERS[kind]({ s, policy, renderedAt });
}
