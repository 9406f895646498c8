import type Long from 'long';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { listIncidents, type PayloadOpener } from '../../client/incident-list';
import type { WirePayload } from '../../platform/temporal-wire';

// The rows of `incident list` from visibility replies as the server encodes them: every page read, in
// order, the next asked for before the current one is read; both memo layouts; the reason in place of a
// title that cannot be decrypted; nearest deadline first.

const json = (value: unknown) => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
});
const Status = temporal.api.enums.v1.WorkflowExecutionStatus;

function execution(
  id: string,
  opts: { startedAt: string; status?: number; deadline?: string; memo: Record<string, ReturnType<typeof json>> },
): temporal.api.workflow.v1.IWorkflowExecutionInfo {
  return {
    execution: { workflowId: id, runId: `${id}-run` },
    type: { name: 'incidentWorkflow' },
    startTime: { seconds: (Date.parse(opts.startedAt) / 1000) as unknown as Long },
    status: opts.status ?? Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
    memo: { fields: opts.memo },
    searchAttributes: {
      indexedFields: {
        IncidentSeverity: json('SEV2'),
        IncidentPhase: json('containment'),
        IncidentDataImpact: json('personal'),
        ...(opts.deadline ? { IncidentNextDeadline: json(opts.deadline) } : {}),
      },
    },
  };
}

const page = (executions: temporal.api.workflow.v1.IWorkflowExecutionInfo[], nextPageToken?: string) =>
  temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse.encode({
    executions,
    nextPageToken: nextPageToken ? Buffer.from(nextPageToken) : undefined,
  }).finish();

describe('listIncidents', () => {
  it('reads every page, asking for the next before reading the current, and sorts by the nearest deadline', async () => {
    const pages: Record<string, Uint8Array> = {
      first: page(
        [
          execution('INC-A', {
            startedAt: '2026-11-20T10:00:00Z',
            deadline: '2026-11-23T10:00:00.500Z',
            memo: {
              incident: json({ title: 'New layout', awareAt: '2026-11-20T09:00:00.000Z', category: 'intrusion' }),
            },
          }),
          execution('INC-B', {
            startedAt: '2026-11-21T10:00:00Z',
            memo: {
              title: json('Legacy layout'),
              awareAt: json('2026-11-21T08:00:00.000Z'),
              category: json('malware'),
            },
          }),
        ],
        'p2',
      ),
      p2: page(
        [
          execution('INC-C', { startedAt: '2026-11-19T10:00:00Z', deadline: '2026-11-23T10:00:00Z', memo: {} }),
          execution('INC-D', {
            startedAt: '2026-11-22T10:00:00Z',
            status: Status.WORKFLOW_EXECUTION_STATUS_COMPLETED,
            memo: { incident: json({ title: 'Closed one', awareAt: '2026-11-22T09:00:00.000Z', category: 'other' }) },
          }),
        ],
        'p3',
      ),
      p3: page([]),
    };
    const events: string[] = [];
    const rows = await listIncidents(
      async (query, token) => {
        expect(query).toBe(
          "WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running' AND IncidentSeverity = 'SEV2'",
        );
        const key = token ? Buffer.from(token).toString() : 'first';
        events.push(`ask ${key}`);
        return pages[key];
      },
      (payloads) => {
        events.push('open');
        return payloads;
      },
      { severity: 'SEV2' },
    );
    // Page 2 is asked for before page 1's memos are opened, and page 3 before page 2's.
    expect(events).toEqual(['ask first', 'ask p2', 'open', 'open', 'ask p3', 'open', 'open']);
    expect(rows.map((r) => [r.incidentId, r.title, r.awareAt, r.phase, r.status, r.nextDeadline])).toEqual([
      ['INC-C', '', undefined, 'containment', 'RUNNING', '2026-11-23T10:00:00Z'],
      ['INC-A', 'New layout', '2026-11-20T09:00:00.000Z', 'containment', 'RUNNING', '2026-11-23T10:00:00.500Z'],
      ['INC-D', 'Closed one', '2026-11-22T09:00:00.000Z', 'closed', 'COMPLETED', undefined],
      ['INC-B', 'Legacy layout', '2026-11-21T08:00:00.000Z', 'containment', 'RUNNING', undefined],
    ]);
    expect(rows[0]).toMatchObject({ severity: 'SEV2', dataImpact: 'personal', startedAt: '2026-11-19T10:00:00.000Z' });
  });

  it('lists an incident it cannot decrypt, with the reason in place of its title', async () => {
    const reply = page([
      execution('INC-X', { startedAt: '2026-11-20T10:00:00Z', memo: { incident: json({ title: 'secret' }) } }),
    ]);
    const read = async (open: PayloadOpener | undefined) =>
      (await listIncidents(async (_q, token) => (token ? page([]) : reply), open, { all: true }))[0].title;
    const missingKey: PayloadOpener = () => {
      throw new Error('This payload was encrypted with key "k9", which is not in the key ring.\nmore detail');
    };
    expect(await read(missingKey)).toBe(
      '(unreadable: This payload was encrypted with key "k9", which is not in the key ring.)',
    );
    const opened: PayloadOpener = (payloads: WirePayload[]) => payloads;
    expect(await read(opened)).toBe('secret');
  });
});
