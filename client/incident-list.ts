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
  /**
   * Title and awareness time from the memo. An incident this CLI cannot decrypt (another tenant's, or a
   * key it does not hold) is still listed, with the reason in place of its title.
   */
  const readMemo = async (fields: Record<string, Payload>): Promise<{ title: string; awareAt?: string }> => {
    const names = Object.keys(fields);
    let payloads = names.map((n) => fields[n]);
    try {
      for (const codec of codecs) payloads = await codec.decode(payloads);
      const memo = Object.fromEntries(names.map((n, i) => [n, payloads[i]]));
      return { title: decode<string>(memo.title) ?? '', awareAt: decode<string>(memo.awareAt) };
    } catch (err) {
      const reason = codecs.length ? (err as Error).message.split('\n')[0] : 'encrypted, and this CLI has no payload keys (INCIDENT_PAYLOAD_KEYS)';
      return { title: `(unreadable: ${reason})` };
    }
  };
  const query = visibilityQuery(filter);
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize: 1000, nextPageToken });
    for (const wf of page.executions ?? []) {
      const sa = wf.searchAttributes?.indexedFields ?? {};
      const memo = await readMemo((wf.memo?.fields ?? {}) as Record<string, Payload>);
      const status = STATUS[wf.status ?? 0] ?? 'UNSPECIFIED';
      const seconds = Number(wf.startTime?.seconds ?? 0);
      rows.push({
        incidentId: wf.execution?.workflowId ?? '',
        title: memo.title,
        severity: decode<string>(sa[api.SA_SEVERITY.name]) ?? '',
        phase: status === 'RUNNING' ? (decode<string>(sa[api.SA_PHASE.name]) ?? '') : status === 'COMPLETED' ? 'closed' : status.toLowerCase(),
        dataImpact: decode<string>(sa[api.SA_DATA_IMPACT.name]) ?? 'unassessed',
        awareAt: memo.awareAt,
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
