import type { ReportKind } from '../../domain/reports';
import { reportActs } from './activities';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';

// Reports are rendered by an activity from the state as it stands; the state keeps where each one is.

export type Reports = ReturnType<typeof createReports>;

export function createReports(run: IncidentRun) {
  const { s, nowIso } = run;

  async function render(kinds: ReportKind[]) {
    const renderedAt = nowIso();
    const files = await reportActs.renderReports({ state: s, policy: run.policy(), kinds, renderedAt });
    for (const f of files) {
      s.reports = s.reports.filter((r) => r.path !== f.path);
      s.reports.push({ kind: f.kind, format: f.format, path: f.path, renderedAt });
    }
    return files;
  }

  /** The regulator's dossier, drafted as soon as an assessment says the regulator must be told. */
  async function renderDossier(): Promise<void> {
    const files = await render(['regulator']);
    const md = files.find((f) => f.format === 'md');
    if (md) s.regulatorDossier = { path: md.path, renderedAt: nowIso() };
    run.audit.record(SYSTEM_ACTOR, 'regulator.dossier-rendered', { files: files.map((f) => f.path) });
    run.changed();
  }

  /** What closing and `incident reports` render: the RCA, the RFO, and the dossier when one is owed. */
  const closingKinds = (): ReportKind[] => [
    'rca',
    'rfo',
    ...(s.assessment?.regulatorRequired ? (['regulator'] as const) : []),
  ];

  return { render, renderDossier, closingKinds };
}
