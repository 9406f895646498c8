import type { Client } from '@temporalio/client';
import { IncidentClient } from '../../client/incident-client';
import { readTrail } from '../../client/trail-reader';
import { openStoredReports } from '../../client/cli/stored-report';
import { normaliseRecipient } from '../../domain/links/link-token';
import type { Config } from '../../platform/config/schema';
import { jsonLogger } from '../../platform/json-logger';
import { linkAcknowledger } from './acknowledge-adapter';
import { temporalIncidentSource } from './incident-source';
import { startBoardServer, type BoardServer } from './server';
import { SessionStore } from './sessions';

// Assembles the board from the configuration, a Temporal client and the link keys it trusts.

export async function startBoard(
  config: Config,
  client: Client,
  publicKeys: string[],
  log = jsonLogger(process.stdout, 'board'),
): Promise<BoardServer> {
  const incidents = new IncidentClient(client, config.temporal.taskQueue);
  const idleMs = config.board.sessionIdleMinutes * 60_000;
  const policy = config.policy;
  // One report store, and with S3 one client, for the board's lifetime rather than one per page.
  const reports = openStoredReports(config, process.env);
  const server = await startBoardServer(config.board, {
    publicKeys: () => publicKeys,
    log,
    acknowledger: linkAcknowledger(incidents),
    sessions: new SessionStore(idleMs),
    sessionIdleMs: idleMs,
    rolesOf: (recipient) =>
      Object.entries(policy.recipients)
        .filter(([, addresses]) => addresses.some((a) => normaliseRecipient(a) === recipient))
        .map(([role]) => role),
    source: temporalIncidentSource(incidents),
    policy,
    reports: { names: (incidentId) => reports.names(incidentId), read: reports.read },
    trail: (incidentId) => readTrail(config, incidentId),
  }).catch((err: unknown) => {
    reports.close();
    throw err;
  });
  return {
    url: server.url,
    async close() {
      await server.close();
      reports.close();
    },
  };
}
