import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { validateOpenRequest } from '../../domain/actions';
import type { NormalizedAlert } from '../../domain/alerts/alert';
import type { IngestSourceConfig } from '../../platform/config/schema';
import { SEVERITIES, type OpenIncidentRequest, type Severity } from '../../domain/incident';
import * as api from '../../workflows/incident-api';

// Turns alerts into incidents. The workflow id is derived from the correlation key, and signal-with-start
// is atomic in Temporal, so retries and concurrent deliveries of the same alert reach one incident and
// cause one CTO email. Generations (-1, -2, …) keep ids unique: once an incident closes, its id cannot be
// reused, so a recurrence opens the next generation, which names the previous incident.

export interface Delivery {
  correlationKey: string;
  incidentId?: string;
  /** delivered: started the incident or signalled the open one (Temporal does not say which). */
  outcome: 'delivered' | 'attached' | 'recorded-without-incident';
  /** Started by a plain start: its first workflow task came straight back to this worker (eager) or was queued. */
  started?: 'eager' | 'queued';
}

const MAX_GENERATIONS = 10_000;
const rank = (s: Severity) => SEVERITIES.indexOf(s);

export function incidentBaseId(source: string, correlationKey: string): string {
  return `ALERT-${source}-${createHash('sha256').update(correlationKey).digest('hex').slice(0, 16)}`;
}

export class AlertCorrelator {
  /** Last generation known per base id; only a hint, since Temporal is the truth. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /**
     * The client shares the worker's NativeConnection in this process: a new incident is started eagerly,
     * and Temporal hands its first workflow task (the one that sends the CTO alert) straight back to this
     * worker instead of queueing it behind the other incidents' tasks.
     */
    private readonly eagerStart = false,
  ) {}

  async deliver(alerts: NormalizedAlert[], source: IngestSourceConfig, now: Date): Promise<Delivery[]> {
    const groups = new Map<string, NormalizedAlert[]>();
    for (const alert of alerts) groups.set(alert.correlationKey, [...(groups.get(alert.correlationKey) ?? []), alert]);
    const results: Delivery[] = [];
    for (const [correlationKey, group] of groups)
      results.push(await this.deliverGroup(correlationKey, group, source, now));
    return results;
  }

  private async deliverGroup(
    correlationKey: string,
    alerts: NormalizedAlert[],
    source: IngestSourceConfig,
    now: Date,
  ): Promise<Delivery> {
    const base = incidentBaseId(alerts[0].source, correlationKey);
    const opens = alerts.some((a) => a.status === 'firing' && rank(a.severity) <= rank(source.openAtOrAbove));
    let generation = this.generations.get(base) ?? 1;
    for (; generation <= MAX_GENERATIONS; generation++) {
      const workflowId = `${base}-${generation}`;
      if (!opens) {
        try {
          await this.client.workflow.getHandle(workflowId).signal(api.alertSignal, { alerts });
          this.generations.set(base, generation);
          return { correlationKey, incidentId: workflowId, outcome: 'attached' };
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          // Not running: a later generation may be, else there is no open incident to attach to.
          const next = await this.client.workflow
            .getHandle(`${base}-${generation + 1}`)
            .describe()
            .catch(() => undefined);
          if (next) continue;
          return { correlationKey, outcome: 'recorded-without-incident' };
        }
      }
      const request = this.openRequest(
        workflowId,
        alerts,
        generation > 1 ? `${base}-${generation - 1}` : undefined,
        now,
      );
      const options = {
        workflowId,
        taskQueue: this.taskQueue,
        workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
        typedSearchAttributes: [
          { key: api.SA_SEVERITY, value: request.severity },
          { key: api.SA_PHASE, value: 'containment' },
          { key: api.SA_DATA_IMPACT, value: 'unassessed' },
        ],
        memo: api.incidentMemo(request),
      };
      // A key this process has not seen is most likely a new incident. If one is running after all (opened
      // before a restart), the start is refused with nothing delivered, and signal-with-start attaches to it.
      if (this.eagerStart && !this.generations.has(base)) {
        try {
          const handle = await this.client.workflow.start<api.IncidentWorkflow>(api.WORKFLOW_TYPE, {
            ...options,
            args: [{ request, alerts: { alerts } }],
            requestEagerStart: true,
          });
          this.generations.set(base, generation);
          const started = handle.eagerlyStarted ? 'eager' : 'queued';
          return { correlationKey, incidentId: workflowId, outcome: 'delivered', started };
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }
      try {
        const handle = await this.client.workflow.signalWithStart<api.IncidentWorkflow, [api.AlertSignal]>(
          api.WORKFLOW_TYPE,
          { ...options, args: [{ request }], signal: api.alertSignal, signalArgs: [{ alerts }] },
        );
        this.generations.set(base, generation);
        return { correlationKey, incidentId: handle.workflowId, outcome: 'delivered' };
      } catch (err) {
        // This generation ran and closed; its id may not be reused.
        if (err instanceof WorkflowExecutionAlreadyStartedError) continue;
        throw err;
      }
    }
    throw new Error(`More than ${MAX_GENERATIONS} incidents for correlation key ${correlationKey}`);
  }

  private openRequest(
    incidentId: string,
    alerts: NormalizedAlert[],
    previousIncidentId: string | undefined,
    now: Date,
  ): OpenIncidentRequest {
    const firing = alerts.filter((a) => a.status === 'firing');
    const lead = [...firing].sort((a, b) => rank(a.severity) - rank(b.severity))[0] ?? alerts[0];
    // Awareness is the earliest observation, never later than now: the clocks run from detection.
    const earliest = Math.min(now.getTime(), ...firing.map((a) => new Date(a.observedAt).getTime()));
    return validateOpenRequest(
      {
        incidentId,
        title: firing.length > 1 ? `${lead.title} (+${firing.length - 1} more)`.slice(0, 500) : lead.title,
        severity: lead.severity,
        category: lead.category,
        systems: [...new Set(alerts.flatMap((a) => a.systems))].slice(0, 500),
        detection: `${lead.source} alert: ${lead.title}`,
        awareAt: new Date(earliest).toISOString(),
        openedBy: `alert:${lead.source}`,
        summary: previousIncidentId
          ? `Recurrence of alerts that previously opened incident ${previousIncidentId}.`
          : undefined,
        previousIncidentId,
      },
      now,
    );
  }
}
