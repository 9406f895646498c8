import type { Client } from '@temporalio/client';
import { ConfigError, type Config } from '../../domain/config';
import { INSECURE_SOURCE, transportVerdict } from '../../domain/transport-security';
import { loadConfig } from '../../platform/config-loader';
import { terminalOutput } from './output';
import { runCli, type CliContext } from './program';
import { terminalPrompter } from './prompt';

// The `incident` executable: configuration and the Temporal connection are made only when a command
// needs them, and the SDK is loaded only then (about 0.15 s), so --help, completion, audit and evidence
// export work anywhere and fast.

// With TLS to an IP address and no TEMPORAL_TLS_SERVER_NAME, grpc-js passes the address as the TLS server
// name and Node warns about it (DEP0123) on every command. The certificate is still checked against that
// address, so the warning tells a person nothing; it is the only one dropped.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((...args: unknown[]) => {
  const code = typeof args[1] === 'object' ? (args[1] as { code?: string } | null)?.code : args[2];
  if (code !== 'DEP0123') emitWarning(...args);
}) as typeof process.emitWarning;

async function main(): Promise<void> {
  let config: Config | undefined;
  let client: Client | undefined;
  const getConfig = () => (config ??= loadConfig());
  const getClient = async () => {
    if (!client) {
      const c = getConfig();
      const transport = transportVerdict(c, process.env);
      if (transport.refuse) throw new ConfigError(transport.refuse, INSECURE_SOURCE);
      for (const warning of transport.warnings) process.stderr.write(`${warning}\n`);
      const address = c.temporal.address ?? `${c.temporal.devServer.ip}:${c.temporal.devServer.port}`;
      const { Client } = require('@temporalio/client') as typeof import('@temporalio/client');
      const { connectClient } = require('../../platform/connection') as typeof import('../../platform/connection');
      const { installationDataConverter } = require('../../platform/encryption/codec') as typeof import('../../platform/encryption/codec');
      // Eager: an unreachable server is reported within the 5 s connect timeout, not after the SDK's call retries.
      client = new Client({ connection: await connectClient(c, address), namespace: c.temporal.namespace, dataConverter: installationDataConverter(process.env, c.dataDir, { namespace: c.temporal.namespace }) });
    }
    return client;
  };
  const prompter = terminalPrompter();
  const ctx: CliContext = {
    config: getConfig,
    incidents: async () => {
      const { IncidentClient } = require('../incident-client') as typeof import('../incident-client');
      return new IncidentClient(await getClient(), getConfig().temporal.taskQueue, getConfig().policy);
    },
    list: async (filter) => (require('../incident-list') as typeof import('../incident-list')).listIncidents(await getClient(), filter),
    out: terminalOutput(),
    prompter,
    now: () => new Date(),
    env: process.env,
  };
  let code: number;
  try {
    code = await runCli(process.argv.slice(2), ctx);
  } finally {
    prompter?.close();
  }
  // Exit as soon as the output is written: the gRPC channel otherwise keeps the process alive for a while.
  process.stdout.write('', () => process.exit(code));
}

void main();
