import type { Client } from '@temporalio/client';
import { ConfigError, type Config } from '../../platform/config/schema';
import { INSECURE_SOURCE, transportVerdict } from '../../platform/transport-security';
import { loadConfig } from '../../platform/config/loader';
import {
  GRPC_DEADLINE_EXCEEDED,
  GRPC_NOT_FOUND,
  GRPC_PERMISSION_DENIED,
  GRPC_UNAUTHENTICATED,
  GRPC_UNAVAILABLE,
  GrpcStatusError,
  openGrpcChannel,
} from '../../platform/grpc-channel';
import { connectionIdentity, grpcTarget, temporalAddress } from '../../platform/temporal-target';
import { TemporalUnreachableError } from '../../platform/temporal-errors';
import {
  listIncidents,
  visibilityPages,
  visibilityQuery,
  type IncidentListFilter,
  type IncidentListRow,
} from '../incident-list';
import { claimListPrefetch, type ListPrefetch } from './list-prefetch';
import { CliProblem } from './problem';
import { terminalOutput } from './output';
import type { CliContext } from './command-context';
import { runCli } from './program';
import { terminalPrompter } from './prompt';

// The CLI's context in a real process: configuration and the Temporal connection are made only when a
// command needs them, and the SDK, slow to load, only then, so --help, completion, audit and
// evidence export work anywhere and fast.

/** Validated settings that must not cross the network in clear; warnings printed when overridden. */
function checkedConfig(config: Config): Config {
  const transport = transportVerdict(config, process.env);
  if (transport.refuse) throw new ConfigError(transport.refuse, INSECURE_SOURCE);
  for (const warning of transport.warnings) process.stderr.write(`${warning}\n`);
  return config;
}

async function connectSdkClient(config: Config): Promise<Client> {
  const { Client } = require('@temporalio/client') as typeof import('@temporalio/client');
  const { connectClient } = require('../../platform/connection') as typeof import('../../platform/connection');
  const { installationDataConverter } =
    require('../../platform/encryption/codec') as typeof import('../../platform/encryption/codec');
  // Eager: an unreachable server is reported within the 5 s connect timeout, not after the SDK's call retries.
  const connection = await connectClient(config, temporalAddress(config.temporal));
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: installationDataConverter(process.env, config.dataDir, { namespace: config.temporal.namespace }),
  });
}

/** Lists over this process's own gRPC channel (not the SDK), using the prefetched first page when it matches. */
async function listOverGrpc(
  config: Config,
  filter: IncidentListFilter,
  prefetch: ListPrefetch | undefined,
): Promise<IncidentListRow[]> {
  const { installationPayloadOpener } =
    require('../../platform/encryption/codec') as typeof import('../../platform/encryption/codec');
  const temporal = config.temporal;
  const address = temporalAddress(temporal);
  const claimed = claimListPrefetch(prefetch, connectionIdentity(temporal), visibilityQuery(filter));
  let channel = claimed?.channel;
  try {
    channel ??= openGrpcChannel(grpcTarget(temporal));
  } catch (err) {
    throw new TemporalUnreachableError(address, err); // a TLS file it cannot read, named
  }
  try {
    const open = installationPayloadOpener(process.env, config.dataDir, temporal.namespace);
    return await listIncidents(visibilityPages(channel, temporal.namespace, claimed?.firstPage), open, filter);
  } catch (err) {
    if (!(err instanceof GrpcStatusError)) throw err;
    if (err.code === GRPC_NOT_FOUND && /namespace/i.test(err.details)) {
      throw new CliProblem(
        'usage',
        `Temporal at ${address} has no namespace "${temporal.namespace}" (${err.details}): set TEMPORAL_NAMESPACE to one it has.`,
      );
    }
    if (err.code === GRPC_UNAUTHENTICATED || err.code === GRPC_PERMISSION_DENIED) {
      throw new CliProblem(
        'usage',
        `Temporal at ${address} refused this client (${err.message}): check TEMPORAL_API_KEY or the client certificate (TEMPORAL_TLS_CERT), and its rights on namespace "${temporal.namespace}".`,
      );
    }
    if (err.code !== GRPC_UNAVAILABLE && err.code !== GRPC_DEADLINE_EXCEEDED) throw err;
    const { diagnoseConnectFailure } =
      require('../../platform/tls-diagnosis') as typeof import('../../platform/tls-diagnosis');
    throw new TemporalUnreachableError(address, err, await diagnoseConnectFailure(address, channel.target.tls, err));
  } finally {
    channel.close();
  }
}

export async function runInThisProcess(argv: string[], prefetch: ListPrefetch | undefined): Promise<void> {
  let config: Config | undefined;
  let client: Client | undefined;
  const getConfig = () => (config ??= loadConfig());
  const getClient = async () => (client ??= await connectSdkClient(checkedConfig(getConfig())));
  const prompter = terminalPrompter();
  const ctx: CliContext = {
    config: getConfig,
    incidents: async () => {
      const { IncidentClient } = require('../incident-client') as typeof import('../incident-client');
      return new IncidentClient(await getClient(), getConfig().temporal.taskQueue);
    },
    list: (filter) => listOverGrpc(checkedConfig(getConfig()), filter, prefetch),
    out: terminalOutput(),
    prompter,
    now: () => new Date(),
    env: process.env,
  };
  let code: number;
  try {
    code = await runCli(argv, ctx);
  } finally {
    prompter?.close();
    prefetch?.channel.close();
  }
  // Exit as soon as the output is written: a gRPC channel otherwise keeps the process alive for a while.
  process.stdout.write('', () => process.exit(code));
}
