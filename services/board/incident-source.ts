import type { IncidentClient } from '../../client/incident-client';
import { viewedSignal, type IncidentView } from '../../workflows/incident-api';

// What the board reads of incidents: the open ones from visibility, each one's state from its query.

export interface IncidentSource {
  openIncidents(): Promise<IncidentView[]>;
  /** undefined when there is no such incident. */
  incident(incidentId: string): Promise<IncidentView | undefined>;
  /** Writes the view to the incident's audit trail (board.viewed). */
  recordView(incidentId: string, viewer: string, page: string): Promise<void>;
}

export function temporalIncidentSource(incidents: IncidentClient): IncidentSource {
  return {
    openIncidents: () => incidents.openViews(),
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
