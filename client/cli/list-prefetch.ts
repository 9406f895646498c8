import { deepMerge, envOverlay, peekTemporalSettings } from '../../platform/config/merge';
import { temporalInClear } from '../../platform/transport-security';
import { readConfigSources } from '../../platform/config/sources';
import { openGrpcChannel, type GrpcChannel } from '../../platform/grpc-channel';
import { connectionIdentity, grpcTarget } from '../../platform/temporal-target';
import { requestListPage, visibilityQuery, type IncidentListFilter } from '../incident-list';

// `incident list` asks Temporal for its first page before the rest of the CLI is loaded and the
// configuration validated, so that the server works while this process loads the rest; the
// listing then takes little more than the server's own time. Only the request is sent early: nothing is
// printed until the validated settings and the parsed command ask for exactly what was sent (see
// claimListPrefetch); otherwise the early reply is dropped and the request made again.

export interface ListPrefetch {
  identity: string;
  query: string;
  channel: GrpcChannel;
  firstPage: Promise<Uint8Array>;
  /** Settles when the request has left (or failed), or after SEND_WAIT_MS: see startListPrefetch. */
  sent: Promise<void>;
}

/**
 * Loading the CLI blocks this process's event loop, and the request leaves only through it: so the
 * loading waits until the request is out. On this machine or a LAN that is a short wait; a distant
 * server's TLS handshake could take longer, and no more than this is spent on it.
 */
const SEND_WAIT_MS = 30;

/** The filter of a plain `incident list …` command line, or undefined for anything else. */
export function listFilterOf(argv: readonly string[]): IncidentListFilter | undefined {
  if (argv[0] !== 'list') return undefined;
  const filter: IncidentListFilter = {};
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--all') filter.all = true;
    else if (arg !== '--json') {
      const m = /^--(severity|phase|impact)(?:=(.*))?$/.exec(arg);
      const value = m ? (m[2] ?? argv[++i]) : undefined;
      if (!m || value === undefined) return undefined;
      filter[m[1] as 'severity' | 'phase' | 'impact'] = value;
    }
  }
  return filter;
}

/**
 * Sends the first page's request when argv is a list command and the unvalidated settings allow it
 * (never in clear off this machine); undefined when it did not.
 */
export function startListPrefetch(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): ListPrefetch | undefined {
  try {
    const filter = listFilterOf(argv);
    if (!filter) return undefined;
    const query = visibilityQuery(filter);
    const sources = readConfigSources(env, cwd);
    const temporal = peekTemporalSettings(deepMerge(sources.content, envOverlay(sources.env)));
    if (!temporal || temporalInClear(temporal)) return undefined;
    const channel = openGrpcChannel(grpcTarget(temporal));
    let onSent!: () => void;
    const sent = new Promise<void>((resolve) => {
      onSent = resolve;
      setTimeout(resolve, SEND_WAIT_MS).unref();
    });
    const firstPage = requestListPage(channel, temporal.namespace, query, undefined, onSent);
    // A request that failed before leaving releases the wait too; the failure is reported, if still wanted, when claimed.
    firstPage.then(onSent, onSent);
    return { identity: connectionIdentity(temporal), query, channel, firstPage, sent };
  } catch {
    return undefined; // the validated path reports whatever is wrong
  }
}

/** The prefetch when it went to the same server, as the same client, with the same query; else it is closed. */
export function claimListPrefetch(
  prefetch: ListPrefetch | undefined,
  identity: string,
  query: string,
): ListPrefetch | undefined {
  if (!prefetch) return undefined;
  if (prefetch.identity === identity && prefetch.query === query) return prefetch;
  prefetch.channel.close();
  return undefined;
}
