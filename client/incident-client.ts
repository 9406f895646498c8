import { randomUUID } from 'node:crypto';
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ActionRefused, validateOpenRequest } from '../domain/actions';
import type { AuditHead } from '../domain/audit-entry';
import type { OpenIncidentRequest } from '../domain/incident';
import * as api from '../workflows/incident-api';
import type { ActionSigner } from './action-signer';
import { IncidentNotFound, IncidentRecovering } from './incident-errors';

// The small typed API every client shares (CLI, ingestion service, demo): open an incident, act on it,
// read it. Refusals come back as ActionRefused carrying the workflow validator's message unchanged.

export type UpdateDef<I> = UpdateDefinition<api.ActionResult, [I]>;

export { IncidentNotFound } from './incident-errors';

export class IncidentClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** How long an action waits while Temporal keeps an incident aside after its worker died mid-step. */
    private readonly recoveryWaitMs = 30_000,
  ) {}

  /**
   * Validates before starting, so a bad request never reaches Temporal; the incident id is the workflow id.
   * The deadlines and recipients are the worker's: a request may only name a profile the worker allows.
   */
  async open(
    raw: unknown,
    now = new Date(),
  ): Promise<{ request: OpenIncidentRequest; handle: WorkflowHandle<api.IncidentWorkflow> }> {
    const request = validateOpenRequest(raw, now);
    try {
      const handle = await this.client.workflow.start<api.IncidentWorkflow>(api.WORKFLOW_TYPE, {
        workflowId: request.incidentId,
        taskQueue: this.taskQueue,
        args: [{ request }],
        memo: api.incidentMemo(request),
        typedSearchAttributes: [
          { key: api.SA_SEVERITY, value: request.severity },
          { key: api.SA_PHASE, value: 'containment' },
          { key: api.SA_DATA_IMPACT, value: 'unassessed' },
        ],
      });
      return { request, handle };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new ActionRefused(`Incident ${request.incidentId} already exists; choose another id.`);
      throw err;
    }
  }

  handle(incidentId: string): WorkflowHandle<api.IncidentWorkflow> {
    return this.client.workflow.getHandle<api.IncidentWorkflow>(incidentId);
  }

  /** With a signer the input carries the actor's signature, and the update id is its nonce. */
  async act<I extends { actor: string }>(
    incidentId: string,
    update: UpdateDef<I>,
    input: I,
    signer?: ActionSigner,
  ): Promise<api.ActionResult> {
    const signed = signer?.sign(incidentId, update.name, input);
    // One id for every attempt: Temporal runs an update id once, so asking again after a timeout attaches
    // to the update already admitted instead of acting twice.
    const updateId = signed?.updateId ?? randomUUID();
    const started = Date.now();
    for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 4_000)) {
      try {
        return await this.handle(incidentId).executeUpdate(update, {
          args: [signed?.input ?? input],
          updateId,
        });
      } catch (err) {
        // Not admitted (nothing happened), or its answer not back in time (a busy or dying worker): asked
        // again under the same update id, it cannot happen twice.
        const timedOut = err instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
        if (!recovering(err) && !timedOut) throw await this.explain(err, incidentId);
        // An update that may have been admitted is followed longer: giving up would invite a second one.
        const waitMs = timedOut ? this.recoveryWaitMs * 4 : this.recoveryWaitMs;
        if (Date.now() - started + delayMs > waitMs)
          throw new IncidentRecovering(incidentId, Math.round((Date.now() - started) / 1000));
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /**
   * Acknowledges as the person a mail link was sent to (the board has verified the link; the workflow
   * checks it again, and the actor must be its recipient). Refusals throw ActionRefused, e.g. "already
   * acknowledged by <who> at <when>".
   */
  acknowledgeViaLink(incidentId: string, token: string, recipient: string): Promise<api.ActionResult> {
    return this.act(incidentId, api.acknowledgeUpdate, { actor: recipient, link: { token } });
  }

  async reloadAccess(incidentId: string, requestedBy: string): Promise<void> {
    try {
      await this.handle(incidentId).signal(api.reloadAccessSignal, { requestedBy });
    } catch (err) {
      throw await this.explain(err, incidentId);
    }
  }

  /**
   * Every open incident on this task queue, each as its state query answers: found by the visibility
   * query `incident list` uses, since obligations live in the workflow, not in search attributes. One gone
   * or closed since it was listed (visibility lags) is left out.
   */
  async openViews(): Promise<api.IncidentView[]> {
    const query = `${api.OPEN_INCIDENTS_QUERY} AND TaskQueue = '${this.taskQueue.replace(/'/g, "\\'")}'`;
    const ids: string[] = [];
    for await (const wf of this.client.workflow.list({ query })) ids.push(wf.workflowId);
    const views = await Promise.all(
      ids.map((id) =>
        this.view(id).catch((err: unknown) => {
          if (err instanceof IncidentNotFound || err instanceof ActionRefused) return undefined;
          throw err;
        }),
      ),
    );
    return views.filter((v): v is api.IncidentView => v !== undefined);
  }

  async view(incidentId: string): Promise<api.IncidentView> {
    try {
      return await this.handle(incidentId).query(api.stateQuery);
    } catch (err) {
      throw await this.explain(err, incidentId);
    }
  }

  /**
   * The incident's view once it holds the worker's policy, which a new incident loads in its first moments;
   * undefined when no worker has answered within the time (none running, or all busy).
   */
  async viewWithPolicy(incidentId: string, timeoutMs = 10_000): Promise<api.IncidentView | undefined> {
    const { view, ready } = await this.poll(incidentId, (v) => v.policy !== undefined, timeoutMs, 25);
    return ready ? view : undefined;
  }

  /** Polls the query until `ready` holds; for scripts and tests that wait on asynchronous steps. */
  async waitFor(
    incidentId: string,
    ready: (view: api.IncidentView) => boolean,
    timeoutMs = 60_000,
  ): Promise<api.IncidentView> {
    const polled = await this.poll(incidentId, ready, timeoutMs, 200);
    if (polled.ready) return polled.view!;
    const phase = polled.view ? ` (phase ${polled.view.phase})` : ' (no worker answered)';
    throw new Error(`Timed out after ${timeoutMs} ms waiting on incident ${incidentId}${phase}.`);
  }

  /** The last view read, and whether it was ready before the time ran out. */
  private async poll(
    incidentId: string,
    ready: (view: api.IncidentView) => boolean,
    timeoutMs: number,
    intervalMs: number,
  ): Promise<{ view?: api.IncidentView; ready: boolean }> {
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    // A query waits for a worker to answer it; the race bounds that wait when none is running.
    const giveUp = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    let last: api.IncidentView | undefined;
    try {
      for (;;) {
        const view = await Promise.race([this.view(incidentId), giveUp]);
        if (!view) return { view: last, ready: false };
        last = view;
        if (ready(view)) return { view, ready: true };
        if (Date.now() > deadline) return { view, ready: false };
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Temporal answers "not found" both for an unknown id and for an update to a finished run. */
  /**
   * The trail head Temporal recorded: a closed incident's from its result (no worker needed), a running
   * one's from a query answered within `timeoutMs`. `unavailable` says why there is none to compare with.
   */
  async recordedHead(incidentId: string, timeoutMs = 10_000): Promise<{ head?: AuditHead; unavailable?: string }> {
    const handle = this.handle(incidentId);
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        return { unavailable: `Temporal has no incident ${incidentId} (never opened there, or past its retention)` };
      return { unavailable: `Temporal could not be asked (${(err as Error).message.split('\n')[0]})` };
    }
    if (status === 'COMPLETED') {
      const result = await handle.result();
      return result.auditHead
        ? { head: result.auditHead }
        : { unavailable: 'the incident closed before Temporal recorded trail heads' };
    }
    const { view } = await this.poll(incidentId, () => true, timeoutMs, 0);
    if (!view)
      return { unavailable: `no worker answered within ${timeoutMs / 1000} s to read the head Temporal holds` };
    return view.state.auditHead
      ? { head: view.state.auditHead }
      : { unavailable: 'Temporal has recorded no head for this incident yet (opened before trail heads existed)' };
  }

  private async explain(err: unknown, incidentId: string): Promise<Error> {
    if (err instanceof WorkflowUpdateFailedError)
      return new ActionRefused((err.cause as Error | undefined)?.message ?? err.message);
    if (!(err instanceof WorkflowNotFoundError)) return err as Error;
    try {
      const description = await this.handle(incidentId).describe();
      if (description.status.name === 'COMPLETED')
        return new ActionRefused(`Incident ${incidentId} is closed; open a new incident for new activity.`);
      return new ActionRefused(
        `Incident ${incidentId} is no longer running (${description.status.name.toLowerCase()}); its audit trail and reports remain under the data dir.`,
      );
    } catch {
      return new IncidentNotFound(incidentId);
    }
  }
}

/**
 * Temporal admits no update while an incident's workflow task is being retried (after its worker died or
 * the task failed); another worker takes it within seconds, so the action is asked again.
 */
function recovering(err: unknown): boolean {
  const cause = (err as { cause?: { code?: number; details?: string } }).cause;
  return cause?.code === 9 && /Workflow Task in failed state/i.test(cause.details ?? '');
}
