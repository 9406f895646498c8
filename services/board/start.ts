import type { Client } from '@temporalio/client';
import { IncidentClient } from '../../client/incident-client';
import type { Config } from '../../platform/config/schema';
import { jsonLogger } from '../../platform/json-logger';
import { startBoardServer, type BoardServer } from './server';

// Assembles the board from the configuration, a Temporal client and the link keys it trusts.

export async function startBoard(
  config: Config,
  client: Client,
  publicKeys: string[],
  log = jsonLogger(process.stdout, 'board'),
): Promise<BoardServer> {
  const incidents = new IncidentClient(client, config.temporal.taskQueue);
  return startBoardServer(config.board, {
    publicKeys: () => publicKeys,
    log,
    acknowledger: {
      async acknowledge(incidentId, recipient, token) {
        const result = await incidents.acknowledgeViaLink(incidentId, token, recipient);
        return result.message;
      },
    },
  });
}
