import type { IncidentClient } from '../../client/incident-client';
import { acknowledgeUpdate } from '../../workflows/incident-api';
import type { Acknowledger } from './link-routes';

// The one place the board acknowledges. The client is gaining
// `IncidentClient.acknowledgeViaLink(incidentId, token, recipient)`; once it lands, the body below becomes
// that call and nothing else in the board changes.

export function linkAcknowledger(incidents: IncidentClient): Acknowledger {
  return {
    async acknowledge(incidentId, recipient, token) {
      const result = await incidents.act(incidentId, acknowledgeUpdate, { actor: recipient, link: { token } });
      return result.message;
    },
  };
}
