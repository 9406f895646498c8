import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { OpenIncidentLister } from '../activities/digest';
import type { DigestIncident } from '../domain/digest';
import { OPEN_INCIDENTS_QUERY, stateQuery } from '../workflows/incident-api';

// The open incidents for the digest: found by the visibility query `incident list` uses, then each asked
// for its state, since obligations live in the workflow, not in search attributes. The board reads the same
// through IncidentClient.openViews; the worker may not import client/ (eslint layers), so it keeps this.

export function openIncidentLister(client: Client): OpenIncidentLister {
  return async (taskQueue) => {
    const query = `${OPEN_INCIDENTS_QUERY} AND TaskQueue = '${taskQueue.replace(/'/g, "\\'")}'`;
    const incidents: DigestIncident[] = [];
    for await (const wf of client.workflow.list({ query })) {
      try {
        const { state } = await client.workflow.getHandle(wf.workflowId, wf.runId).query(stateQuery);
        incidents.push({
          incidentId: state.incidentId,
          title: state.title,
          severity: state.severity,
          obligations: state.obligations,
        });
      } catch (err) {
        // Gone since it was listed (visibility lags): nothing of it is open any more.
        if (err instanceof WorkflowNotFoundError) continue;
        throw err;
      }
    }
    return incidents;
  };
}
