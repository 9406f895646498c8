import type { IncidentClient } from '../../client/incident-client';
import type { Acknowledger } from './link-routes';

// The one place the board acknowledges: the same update as `incident ack`, with the link as proof.

export function linkAcknowledger(incidents: IncidentClient): Acknowledger {
  return {
    async acknowledge(incidentId, recipient, token) {
      return (await incidents.acknowledgeViaLink(incidentId, token, recipient)).message;
    },
  };
}
