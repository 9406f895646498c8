import { ActionRefused } from '../domain/action-refused';
import { DATA_IMPACTS, PHASES, SEVERITIES } from '../domain/incident';
import type { GrpcChannel } from '../platform/grpc-channel';
import {
  encodeListRequest,
  EXECUTION_STATUS,
  forEachListedExecution,
  nextPageTokenOf,
  payloadValue,
  type ListedExecution,
  type WirePayload,
} from '../platform/temporal-wire';
import * as api from '../workflows/incident-api';

// Lists incidents from Temporal visibility alone (search attributes and memo), so listing thousands of
// incidents costs one paged query, never one query per incident. It reads ListWorkflowExecutions itself
// (grpc-channel.ts, temporal-wire.ts) rather than through the SDK, whose loading alone took longer than
// the `temporal` CLI's whole listing; and it decodes only the fields it shows.

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
  if (!allowed.includes(value))
    throw new ActionRefused(`${what} must be one of ${allowed.join(', ')} (got "${value}").`);
  return value;
}

export function visibilityQuery(filter: IncidentListFilter): string {
  const clauses = [filter.all ? `WorkflowType = '${api.WORKFLOW_TYPE}'` : api.OPEN_INCIDENTS_QUERY];
  const severity = check(filter.severity, SEVERITIES, '--severity');
  const phase = check(filter.phase, PHASES, '--phase');
  const impact = check(filter.impact, [...DATA_IMPACTS, 'unassessed'], '--impact');
  if (severity) clauses.push(`${api.SA_SEVERITY.name} = '${severity}'`);
  if (phase) clauses.push(`${api.SA_PHASE.name} = '${phase}'`);
  if (impact) clauses.push(`${api.SA_DATA_IMPACT.name} = '${impact}'`);
  return clauses.join(' AND ');
}

/** The encoded reply for one page of the visibility query: `nextPageToken` is undefined for the first. */
export type ListPageReader = (query: string, nextPageToken?: Uint8Array) => Promise<Uint8Array>;

const LIST_PAGE_SIZE = 1000;
const LIST_TIMEOUT_MS = 30_000;
const LIST_FIELDS = {
  memo: new Set(['incident', 'title', 'awareAt']),
  searchAttributes: new Set([
    api.SA_SEVERITY.name,
    api.SA_PHASE.name,
    api.SA_DATA_IMPACT.name,
    api.SA_NEXT_DEADLINE.name,
  ]),
};

/** One page of `query`, encoded as it came; `onSent` as for GrpcChannel.unary. */
export function requestListPage(
  channel: GrpcChannel,
  namespace: string,
  query: string,
  nextPageToken?: Uint8Array,
  onSent?: () => void,
): Promise<Buffer> {
  return channel.unary(
    'ListWorkflowExecutions',
    encodeListRequest({ namespace, query, pageSize: LIST_PAGE_SIZE, nextPageToken }),
    LIST_TIMEOUT_MS,
    onSent,
  );
}

/** Pages read over `channel`; `firstPage`, when given, is the first page's reply already under way. */
export function visibilityPages(
  channel: GrpcChannel,
  namespace: string,
  firstPage?: Promise<Uint8Array>,
): ListPageReader {
  return async (query, nextPageToken) => {
    if (!nextPageToken && firstPage) {
      const page = firstPage;
      firstPage = undefined;
      return page;
    }
    return requestListPage(channel, namespace, query, nextPageToken);
  };
}

const text = (payload: WirePayload | undefined) => payloadValue(payload) as string | undefined;

/** Decrypts payloads, synchronously (see AesGcmCodec.open); throws what it cannot. */
export type PayloadOpener = (payloads: WirePayload[]) => WirePayload[];

/**
 * Every incident the filter selects, nearest deadline first. `open` decrypts memos when payload
 * encryption is on (search attributes never are encrypted).
 */
export async function listIncidents(
  readPage: ListPageReader,
  open: PayloadOpener | undefined,
  filter: IncidentListFilter,
): Promise<IncidentListRow[]> {
  /**
   * Title and awareness time from the memo. An incident this CLI cannot decrypt (another tenant's, or a
   * key it does not hold) is still listed, with the reason in place of its title.
   */
  const readMemo = (memo: Record<string, WirePayload>): { title: string; awareAt?: string } => {
    try {
      if (memo.incident) {
        const [facts] = open ? open([memo.incident]) : [memo.incident];
        const { title, awareAt } = payloadValue(facts) as api.IncidentMemo['incident'];
        return { title, awareAt };
      }
      const payloads = [memo.title ?? NO_VALUE, memo.awareAt ?? NO_VALUE]; // see api.LegacyIncidentMemo
      const [title, awareAt] = open ? open(payloads) : payloads;
      return { title: text(title) ?? '', awareAt: text(awareAt) };
    } catch (err) {
      const reason = open
        ? (err as Error).message.split('\n')[0]
        : 'encrypted, and this CLI has no payload keys (INCIDENT_PAYLOAD_KEYS)';
      return { title: `(unreadable: ${reason})` };
    }
  };
  const rowOf = (wf: ListedExecution): IncidentListRow => {
    const { title, awareAt } = readMemo(wf.memo);
    const sa = wf.searchAttributes as Record<string, string | undefined>;
    const status = EXECUTION_STATUS[wf.status] ?? 'UNSPECIFIED';
    return {
      incidentId: wf.workflowId,
      title,
      severity: sa[api.SA_SEVERITY.name] ?? '',
      phase:
        status === 'RUNNING' ? (sa[api.SA_PHASE.name] ?? '') : status === 'COMPLETED' ? 'closed' : status.toLowerCase(),
      dataImpact: sa[api.SA_DATA_IMPACT.name] ?? 'unassessed',
      awareAt,
      nextDeadline: sa[api.SA_NEXT_DEADLINE.name],
      status,
      startedAt: new Date(wf.startTimeSeconds * 1000).toISOString(),
    };
  };
  const query = visibilityQuery(filter);
  const rows: IncidentListRow[] = [];
  // The next page is asked for before this one is read, so the server works while this process does.
  for (let reply: Uint8Array | undefined = await readPage(query); reply;) {
    const nextPageToken = nextPageTokenOf(reply);
    const next = nextPageToken && readPage(query, nextPageToken);
    forEachListedExecution(reply, LIST_FIELDS, (wf) => rows.push(rowOf(wf)));
    reply = next ? await next : undefined;
  }
  // Nearest deadline first; incidents with no open deadline after, newest first. Compared as numbers:
  // the server may write a time with or without fractions of a second.
  const keyed = rows.map((row) => ({
    row,
    deadline: row.nextDeadline ? Date.parse(row.nextDeadline) : Infinity,
    started: Date.parse(row.startedAt),
  }));
  keyed.sort((a, b) => a.deadline - b.deadline || b.started - a.started);
  return keyed.map((k) => k.row);
}

/** A memo field that is absent reads as undefined, as a null payload does. */
const NO_VALUE: WirePayload = { metadata: { encoding: Buffer.from('binary/null') } };
