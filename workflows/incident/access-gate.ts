import { currentUpdateInfo, patched, proxySinks, setHandler } from '@temporalio/workflow';
import { AccessRefused, authorize, type AccessPolicy, type LinkTrust } from '../../domain/access';
import * as api from '../incident-api';
import { recordActs } from './activities';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';

// The roster and role mapping come from the worker's configuration, never from whoever started the
// incident. Incidents started before access control existed replay without loading it (and enforce
// nothing, as they did).

export type AccessGate = ReturnType<typeof createAccessGate>;

/** How a run gets its roster first: its own activity, or with the policy in one local activity. */
export type InitialAccess = 'activity' | 'with-settings';

export function createAccessGate(run: IncidentRun, input: api.IncidentWorkflowInput, initial: InitialAccess) {
  const { id, audit, changed } = run;
  const sink = proxySinks<api.AccessSinks>().access;
  let accessPolicy: AccessPolicy | undefined;
  /** The link keys and recipients of this incident's settings; kept across continue-as-new like the policy. */
  let linkTrust: LinkTrust | undefined = input.access?.links;
  let loaded = !patched('access-control');
  /** Loads in flight; continue-as-new waits for them, so a reload is never lost across the boundary. */
  let loads = 0;

  function refusalDetails(action: string, raw: unknown, err: AccessRefused): api.AccessRefusal {
    const claimed = (typeof raw === 'object' && raw !== null ? raw : {}) as { actor?: unknown; signature?: unknown };
    return {
      action,
      claimedActor: String(claimed.actor ?? '').slice(0, 200),
      reason: err.reason,
      message: err.message,
      signed: typeof claimed.signature === 'object' && claimed.signature !== null,
      updateId: currentUpdateInfo()?.id,
    };
  }

  async function load(requestedBy?: string): Promise<void> {
    let next: AccessPolicy | undefined;
    loads++;
    try {
      next = await recordActs.loadAccessPolicy(requestedBy !== undefined);
    } catch (err) {
      // Only a reload can fail for good (a broken file): the policy in force stays, and people are told.
      const cause = (err as Error).cause;
      audit.record(requestedBy ?? SYSTEM_ACTOR, 'access.reload-failed', {
        error: cause instanceof Error ? cause.message : (err as Error).message,
      });
      changed();
      return;
    } finally {
      loads--;
    }
    adopt(next, requestedBy);
  }

  function adopt(next: AccessPolicy | undefined, requestedBy?: string): void {
    const before = accessPolicy?.fingerprint;
    accessPolicy = next;
    loaded = true;
    if (next && (next.fingerprint !== before || requestedBy)) {
      audit.record(requestedBy ?? SYSTEM_ACTOR, 'access.policy-loaded', {
        fingerprint: next.fingerprint,
        members: next.roster,
        actionRoles: next.actionRoles,
      });
    } else if (!next && before) {
      audit.record(requestedBy ?? SYSTEM_ACTOR, 'access.policy-removed', { previousFingerprint: before });
    }
  }

  if (!loaded && input.access) {
    accessPolicy = input.access.policy;
    loaded = true;
  }
  if (!loaded && initial === 'activity') void load();
  setHandler(api.accessRefusedSignal, (refusal) => {
    audit.record(SYSTEM_ACTOR, 'access.refused', { ...refusal, recordedBy: 'worker' });
  });
  setHandler(api.reloadAccessSignal, ({ requestedBy }) => {
    if (loaded) void load(String(requestedBy ?? 'unknown').slice(0, 200));
  });

  return {
    loaded: () => loaded,
    /** The roster a new incident's settings brought (see policy-source.ts). */
    adopt: (next: AccessPolicy | undefined) => adopt(next),
    /** The mail links this incident accepts (policy-source.ts, from the same settings as its policy). */
    adoptLinks: (next: LinkTrust | undefined) => {
      linkTrust = next;
    },
    links: () => linkTrust,
    loadsInFlight: () => loads,
    policy: () => accessPolicy,
    /** The roles that allow this action (undefined without a roster); throws AccessRefused otherwise. */
    authorize: (action: string, actionInput: unknown, where: 'validator' | 'handler' = 'validator') => {
      // Before the workflow checked a mail link without a roster, such an update went through unchecked:
      // its handler replays so. Asked only when a link comes, so other incidents' histories gain no marker.
      const link = (actionInput as { link?: unknown } | undefined)?.link;
      const rosterless = !Object.keys(accessPolicy?.roster ?? {}).length;
      if (link !== undefined && rosterless && where === 'handler' && !patched('mail-link-ack')) return undefined;
      return authorize(
        accessPolicy,
        id,
        action,
        actionInput as { actor: string },
        run.now(),
        currentUpdateInfo()?.id,
        linkTrust,
      );
    },
    refusalDetails,
    /** A refusal in the validator never enters history, so the worker records it (api.AccessSinks). */
    reportRefusal: (refusal: api.AccessRefusal) => sink.refused(refusal),
  };
}
