import type { Client } from '@temporalio/client';
import { PHASES, SEVERITIES, DATA_IMPACTS } from '../domain/incident';
import { ActionRefused } from '../domain/actions';
import * as api from '../workflows/incident-api';

// Lists incidents from Temporal visibility alone (search attributes and memo), so listing thousands of
// incidents costs one paged query, never one query per incident.

export interface IncidentListFilter {
  all?: boolean;
  severity?: string;
  phase?: string;
  impact?: string;
}

export interface IncidentListRow {
  incidentId: string;
  title: string;
  severity: string;
  phase: string;
  dataImpact: string;
  awareAt?: string;
  nextDeadline?: string;
  status: string;
  startedAt: string;
}

function check(value: string | undefined, allowed: readonly string[], what: string): string | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value)) throw new ActionRefused(`${what} must be one of ${allowed.join(', ')} (got "${value}").`);
  return value;
}

export function visibilityQuery(filter: IncidentListFilter): string {
  const clauses = [`WorkflowType = '${api.WORKFLOW_TYPE}'`];
  if (!filter.all) clauses.push(`ExecutionStatus = 'Running'`);
  const severity = check(filter.severity, SEVERITIES, '--severity');
  const phase = check(filter.phase, PHASES, '--phase');
  const impact = check(filter.impact, [...DATA_IMPACTS, 'unassessed'], '--impact');
  if (severity) clauses.push(`${api.SA_SEVERITY.name} = '${severity}'`);
  if (phase) clauses.push(`${api.SA_PHASE.name} = '${phase}'`);
  if (impact) clauses.push(`${api.SA_DATA_IMPACT.name} = '${impact}'`);
  return clauses.join(' AND ');
}

export async function listIncidents(client: Client, filter: IncidentListFilter): Promise<IncidentListRow[]> {
  const rows: IncidentListRow[] = [];
  for await (const wf of client.workflow.list({ query: visibilityQuery(filter), pageSize: 1000 })) {
    const sa = wf.typedSearchAttributes;
    const memo = (wf.memo ?? {}) as Partial<api.IncidentMemo>;
    const deadline = sa.get(api.SA_NEXT_DEADLINE);
    rows.push({
      incidentId: wf.workflowId,
      title: memo.title ?? '',
      severity: sa.get(api.SA_SEVERITY) ?? '',
      phase: wf.status.name === 'RUNNING' ? (sa.get(api.SA_PHASE) ?? '') : wf.status.name === 'COMPLETED' ? 'closed' : wf.status.name.toLowerCase(),
      dataImpact: sa.get(api.SA_DATA_IMPACT) ?? 'unassessed',
      awareAt: memo.awareAt,
      nextDeadline: deadline ? deadline.toISOString() : undefined,
      status: wf.status.name,
      startedAt: wf.startTime.toISOString(),
    });
  }
  // Nearest deadline first; incidents with no open deadline after, newest first.
  return rows.sort((a, b) => {
    if (a.nextDeadline && b.nextDeadline) return a.nextDeadline.localeCompare(b.nextDeadline);
    if (a.nextDeadline) return -1;
    if (b.nextDeadline) return 1;
    return b.startedAt.localeCompare(a.startedAt);
  });
}
