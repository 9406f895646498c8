import { FAULT_ENV, faultPointsFromEnv } from '../platform/fault-points';
import { ConfigError } from '../platform/config/schema';
import { INSECURE_SOURCE, transportVerdict } from '../platform/transport-security';
import { loadConfig } from '../platform/config/loader';
import { loadTrailSigner, TrailKeyError } from '../platform/trail-key';
import { Client } from '@temporalio/client';
import { startCodecServer } from '../services/codec-server';
import { startIngest } from '../services/ingest/start';
import { connectClient, TemporalUnreachableError } from '../platform/connection';
import { codecsByNamespace, installationEncryption } from '../platform/encryption/codec';
import { connectWorker } from '../platform/worker-connection';
import type { DevServer } from '../platform/dev-server';
import { startEmbeddedTemporal } from '../platform/embedded-temporal';
import { createIncidentWorker, dataPaths } from '../worker/create-worker';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { ensureDigestSchedule } from '../worker/digest-schedule';
import { checkClockSettings } from '../worker/clock-settings';
import { installRuntime } from '../worker/runtime';
import { firstIncidentCommand } from './first-steps';
import { LinkKeyError, loadLinkSigner, trustedLinkKeys, type LinkSigner } from '../platform/link-key';
import { boardUrl } from '../platform/board-url';
import { startBoard } from '../services/board/start';
import { BoardConfigError } from '../services/board/server';
import { SEARCH_ATTRIBUTES, seniorAlertTaskQueue } from '../workflows/incident-api';
import { StorageConfigError } from '../stores/postgres/pg-pool';
import { SchemaError } from '../stores/postgres/migrations';
import { S3SetupError } from '../stores/s3/s3-client';

// `npm start`: the embedded default (dev server with a SQLite file, then the worker), or a worker for
// the cluster named by TEMPORAL_ADDRESS.

/**
 * The embedded default makes its link key on first start. A cluster worker uses the one it is given, and
 * without one sends mail without links (links are a convenience; the trail key is not optional).
 */
function loadLinkSignerFor(config: ReturnType<typeof loadConfig>): LinkSigner | null {
  const embedded = !config.temporal.address;
  if (!embedded && !config.links.keyFile) return null;
  return loadLinkSigner(config, { create: embedded });
}

async function main(): Promise<void> {
  const config = loadConfig();
  installRuntime({ metricsAddress: config.metrics.address });
  // Before any server starts: a clock setting that cannot be counted stops here with the setting named.
  checkClockSettings(config.policyProfiles);
  // Test-only: crash tests make this process SIGKILL itself at a named point. Inert unless set.
  let fault: ReturnType<typeof faultPointsFromEnv>;
  try {
    fault = faultPointsFromEnv(process.env);
  } catch (err) {
    throw new ConfigError([(err as Error).message], FAULT_ENV);
  }
  if (fault.warning) console.error(fault.warning);
  const transport = transportVerdict(config, process.env);
  if (transport.refuse) throw new ConfigError(transport.refuse, INSECURE_SOURCE);
  for (const warning of transport.warnings) console.error(warning);
  // The embedded default makes its trail key on first start; a cluster's worker must be given its own.
  const trailSigner = loadTrailSigner(config, { create: !config.temporal.address });
  if (trailSigner.created)
    console.log(`Created the trail key ${trailSigner.file} (key ${trailSigner.keyId}, readable by its owner only).`);
  const linkSigner = loadLinkSignerFor(config);
  if (linkSigner?.created)
    console.log(
      `Created the link key ${linkSigner.file} (it signs the links in leadership mail; readable by its owner only).`,
    );
  let server: DevServer | undefined;
  let address = config.temporal.address;
  // Only the embedded default creates a key; a cluster deployment brings its own (INCIDENT_PAYLOAD_KEYS).
  // The same ring encrypts evidence copies and reports at rest (config atRest, default auto).
  const { dataConverter, atRest } = installationEncryption(process.env, config, { create: !address });
  let codecServer: Awaited<ReturnType<typeof startCodecServer>> | undefined;
  if (!address) {
    const { ip, uiPort } = config.temporal.devServer;
    // The Web UI decodes encrypted incidents through the codec server, started first so the UI knows it.
    if (dataConverter?.payloadCodecs?.length) {
      codecServer = await startCodecServer({
        codec: codecsByNamespace(process.env, config.dataDir),
        uiOrigins: [`http://${ip}:${uiPort}`, `http://localhost:${uiPort}`],
        token: process.env.INCIDENT_CODEC_TOKEN || undefined,
        host: ip,
        port: Number(process.env.INCIDENT_CODEC_PORT ?? uiPort + 1),
      });
    }
    server = await startEmbeddedTemporal(config, dataPaths(config.dataDir).temporal, {
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: codecServer ? ['--ui-codec-endpoint', codecServer.url] : [],
    });
    address = server.address;
  }
  const connection = await connectWorker(config, address);
  if (!server) await ensureSearchAttributes(config, address);
  const { worker, mailer, storage } = await createIncidentWorker(
    connection,
    config,
    { workflowsPath: require.resolve('../workflows') },
    { dataConverter },
    { faults: fault.faults, atRest, rereadAccess: () => loadConfig().access, trailSigner, linkSigner },
  );
  const clientConnection = await connectClient(config, address);
  const digest = await ensureDigestSchedule(
    new Client({ connection: clientConnection, namespace: config.temporal.namespace, dataConverter }),
    config,
  ).catch((err: Error) => `not set up (${err.message.split('\n')[0]})`);
  // The webhook's client shares the worker's connection, so that a new incident starts eagerly: its first
  // workflow task, which sends the CTO alert, comes straight back to this worker (services/ingest/correlate.ts).
  const ingest = config.ingest.enabled
    ? await startIngest(
        config,
        new Client({ connection, namespace: config.temporal.namespace, dataConverter }),
        undefined,
        true,
      )
    : undefined;
  const board =
    (config.board.enabled ?? !config.temporal.address) && linkSigner
      ? await startBoard(
          config,
          new Client({ connection: clientConnection, namespace: config.temporal.namespace, dataConverter }),
          trustedLinkKeys(config, linkSigner),
        )
      : undefined;
  const enabledSources = Object.entries(config.ingest.sources)
    .filter(([, s]) => s && (s.bearerTokens.length || s.webhookSecrets.length))
    .map(([name]) => name);
  const paths = dataPaths(config.dataDir);
  console.log(
    [
      '',
      `Incident response worker running on task queue "${config.temporal.taskQueue}" (namespace "${config.temporal.namespace}"); senior alerts on "${seniorAlertTaskQueue(config.temporal.taskQueue)}".`,
      `  Temporal:      ${address}${server ? ' (embedded dev server, data in ' + paths.temporal + ')' : ''}`,
      ...(server?.uiUrl
        ? [`  Web UI:        ${server.uiUrl}${codecServer ? ` (decodes incidents through ${codecServer.url})` : ''}`]
        : []),
      `  Payloads:      ${dataConverter ? 'AES-256-GCM encrypted before they reach Temporal' : 'NOT encrypted (set INCIDENT_PAYLOAD_KEYS to encrypt them)'}`,
      `  Access:        ${Object.keys(config.access.roster).length ? `${Object.keys(config.access.roster).length} people in the roster; every action must be signed (incident keygen)` : 'no roster: every action is allowed (configure access.roster to require signed actions)'}`,
      `  At rest:       ${atRest ? `evidence and reports AES-256-GCM encrypted (key "${atRest.activeKeyId}"); read them with incident evidence export / incident report --stored` : 'evidence and reports NOT encrypted (needs a key ring; INCIDENT_AT_REST_ENCRYPTION)'}`,
      `  Mail:          ${config.smtp ? 'SMTP' : `outbox folder ${paths.outbox} (.eml files; set SMTP_URL to send)`}`,
      `  Metrics:       ${config.metrics.address ? `http://${config.metrics.address}/metrics (the SDK's and the incidents')` : 'off (set INCIDENT_METRICS_ADDRESS=127.0.0.1:9464 to serve them)'}`,
      `  Audit trail:   ${paths.audit} (checkpoints signed with trail key ${trailSigner.keyId}, ${trailSigner.file})`,
      `  Evidence:      ${paths.evidence}`,
      `  Reports:       ${paths.reports}`,
      ...(ingest
        ? [
            `  Alert webhook: ${ingest.url}/v1/alerts/<source> (${enabledSources.length ? `enabled: ${enabledSources.join(', ')}` : 'no source enabled yet: set INCIDENT_INGEST_<SOURCE>_TOKENS'})`,
          ]
        : []),
      `  Mail links:    ${linkSigner ? `signed with ${linkSigner.file}; they open ${boardUrl(config)}${board ? ` (served here at ${board.url})` : ' (served by another process)'}` : 'none (a cluster worker needs INCIDENT_LINK_KEY_FILE to put links in mail)'}`,
      ...(board
        ? [
            `  Board:         ${board.url}: sign in with the link in a leadership mail, or print one with: incident board-link --to <address in policy.recipients>`,
          ]
        : []),
      `  Digest:        ${config.digest.enabled ? `daily at ${config.digest.time} (${config.digest.timeZone}) to ${config.digest.recipients.join(', ')}: schedule ${digest}` : `off (schedule ${digest})`}`,
      '',
      'Open an incident from another terminal:',
      `  ${firstIncidentCommand()}`,
      '  (web-01 is in no inventory yet: the incident asks a person to isolate and copy it; README, Systems)',
      '  (or just `npx incident open` to be asked; `npx incident --help` lists every action)',
      'Or walk a scripted incident through every step: npm run demo',
      'Stop with Ctrl-C; open incidents and their timers resume at the next start.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping: letting running steps finish…');
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await worker.run();
  } finally {
    await ingest?.close();
    await board?.close();
    await clientConnection.close();
    mailer.close();
    await storage.close();
    await connection.close();
    await server?.stop();
    await codecServer?.close();
  }
}

main().catch((err) => {
  if (
    err instanceof ConfigError ||
    err instanceof TemporalUnreachableError ||
    err instanceof TrailKeyError ||
    err instanceof LinkKeyError ||
    err instanceof BoardConfigError ||
    err instanceof StorageConfigError ||
    err instanceof SchemaError ||
    err instanceof S3SetupError
  )
    console.error(err.message);
  else console.error(`The worker stopped: ${(err as Error).message}`);
  process.exit(1);
});
