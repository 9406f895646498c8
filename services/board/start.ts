import type { Client } from '@temporalio/client';
import { IncidentClient } from '../../client/incident-client';
import { readTrail } from '../../client/trail-reader';
import { readStoredReport, storedReportNames } from '../../client/cli/stored-report';
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
  return startBoardServer(config.board, {
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
    reports: {
      names: (incidentId) => storedReportNames(config, incidentId, process.env),
      read: (incidentId, kind, format) => readStoredReport(config, incidentId, kind, format, process.env),
    },
    trail: (incidentId) => readTrail(config, incidentId),
  });
}
