import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
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

const STATUS = ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];

function decode<T>(payload: Payload | null | undefined): T | undefined {
  return payload ? (defaultPayloadConverter.fromPayload(payload) as T) : undefined;
}

/**
 * Reads the visibility pages directly and decodes only the four fields shown: the SDK's generic list
 * decodes every memo and attribute of every execution asynchronously, which doubled the time of a list.
 */
export async function listIncidents(client: Client, filter: IncidentListFilter): Promise<IncidentListRow[]> {
  const rows: IncidentListRow[] = [];
  // Memos are encrypted when payload encryption is on; search attributes never are.
  const codecs = [...client.options.loadedDataConverter.payloadCodecs].reverse();
  const decodeMemo = async (fields: Record<string, Payload>) => {
    const names = Object.keys(fields);
    let payloads = names.map((n) => fields[n]);
    for (const codec of codecs) payloads = await codec.decode(payloads);
    return Object.fromEntries(names.map((n, i) => [n, payloads[i]]));
  };
  const query = visibilityQuery(filter);
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize: 1000, nextPageToken });
    for (const wf of page.executions ?? []) {
      const sa = wf.searchAttributes?.indexedFields ?? {};
      const memo = codecs.length ? await decodeMemo((wf.memo?.fields ?? {}) as Record<string, Payload>) : (wf.memo?.fields ?? {});
      const status = STATUS[wf.status ?? 0] ?? 'UNSPECIFIED';
      const seconds = Number(wf.startTime?.seconds ?? 0);
      rows.push({
        incidentId: wf.execution?.workflowId ?? '',
        title: decode<string>(memo.title) ?? '',
        severity: decode<string>(sa[api.SA_SEVERITY.name]) ?? '',
        phase: status === 'RUNNING' ? (decode<string>(sa[api.SA_PHASE.name]) ?? '') : status === 'COMPLETED' ? 'closed' : status.toLowerCase(),
        dataImpact: decode<string>(sa[api.SA_DATA_IMPACT.name]) ?? 'unassessed',
        awareAt: decode<string>(memo.awareAt),
        nextDeadline: decode<string>(sa[api.SA_NEXT_DEADLINE.name]),
        status,
        startedAt: new Date(seconds * 1000).toISOString(),
      });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  // Nearest deadline first; incidents with no open deadline after, newest first.
  return rows.sort((a, b) => {
    if (a.nextDeadline && b.nextDeadline) return a.nextDeadline.localeCompare(b.nextDeadline);
    if (a.nextDeadline) return -1;
    if (b.nextDeadline) return 1;
    return b.startedAt.localeCompare(a.startedAt);
  });
}
