import type { Client } from '@temporalio/client';
import type { IncidentClient } from '../../client/incident-client';
import { OPEN_INCIDENTS_QUERY, viewedSignal, type IncidentView } from '../../workflows/incident-api';

// What the board reads of incidents: the open ones from visibility, each one's state from its query.

export interface IncidentSource {
  openIncidents(): Promise<IncidentView[]>;
  /** undefined when there is no such incident. */
  incident(incidentId: string): Promise<IncidentView | undefined>;
  /** Writes the view to the incident's audit trail (board.viewed). */
  recordView(incidentId: string, viewer: string, page: string): Promise<void>;
}

export function temporalIncidentSource(client: Client, incidents: IncidentClient, taskQueue: string): IncidentSource {
  return {
    async openIncidents() {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `${OPEN_INCIDENTS_QUERY} AND TaskQueue = '${taskQueue}'` }))
        ids.push(w.workflowId);
      const views = await Promise.all(ids.map((id) => incidents.view(id).catch(() => undefined)));
      return views.filter((v): v is IncidentView => v !== undefined);
    },
    async recordView(incidentId, viewer, page) {
      await incidents.handle(incidentId).signal(viewedSignal, { viewer, page });
    },
    async incident(incidentId) {
      try {
        return await incidents.view(incidentId);
      } catch {
        return undefined;
      }
    },
  };
}
