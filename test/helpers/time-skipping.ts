import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { inject } from 'vitest';
import type { AuditEntry } from '../../domain/audit-chain';
import type { Config } from '../../platform/config/schema';
import type { Policy } from '../../domain/policy';
import { createIncidentWorker } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import type { incidentWorkflow } from '../../workflows/incident';
import { registerSearchAttributes } from '../../worker/search-attributes';
import { uniqueId } from './fixtures';

// The incident workflow on the time-skipping test server with a real worker: a day of simulated time
// passes in seconds, so tests check each notice at the simulated minute it was due.

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export interface StartOptions {
  awareAgoMs?: number;
  /** An absolute awareness time, for clocks that must fall on given calendar days. */
  awareAt?: string;
  systems?: string[];
  category?: string;
  id?: string;
  maxHistoryEvents?: number;
  policy?: Policy;
  policyProfile?: string;
}

/**
 * The SDK gives a test server a few seconds to start; two test files starting theirs at once on a loaded
 * machine can miss that, so a start that timed out is tried again.
 */
async function startTimeSkipping(attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
      });
    } catch (err) {
      if (attempt >= attempts || !/did not start/.test((err as Error).message)) throw err;
    }
  }
}

/**
 * Whether a workflow has work the server is waiting on a worker for: an activity, or a workflow task
 * scheduled or started (its last workflow-task event is not a completion). The test server holds its clock
 * for each and, when the workflow is terminated, never lets go (temporalio/sdk-java#1138): every later
 * env.sleep would then pass in real time.
 */
async function hasWorkInFlight(handle: WorkflowHandle): Promise<boolean> {
  const { status, raw } = await handle.describe();
  if (status.name !== 'RUNNING') return false;
  if (raw.pendingActivities?.length) return true;
  const { events = [] } = await handle.fetchHistory();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.workflowTaskCompletedEventAttributes) return false;
    if (
      e.workflowTaskScheduledEventAttributes ||
      e.workflowTaskStartedEventAttributes ||
      e.workflowTaskFailedEventAttributes ||
      e.workflowTaskTimedOutEventAttributes
    )
      return true;
  }
  return false;
}

/**
 * Ends the workflows a test started once the worker has finished what they had in flight (the mails and
 * trail writes a test's last action caused, and the workflow tasks their results wake), so terminating
 * them leaves the test server's clock free for the next test. Returns the ids still busy after `waitMs`.
 */
async function endWhenIdle(handles: WorkflowHandle[], waitMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  let busy = handles;
  for (;;) {
    const flags = await Promise.all(busy.map((h) => hasWorkInFlight(h).catch(() => false)));
    busy = busy.filter((_, i) => flags[i]);
    if (!busy.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(handles.map((h) => h.terminate('test finished').catch(() => undefined)));
  return busy.map((h) => h.workflowId);
}

export async function timeSkippingHarness() {
  const env = await startTimeSkipping();
  await registerSearchAttributes(env.connection, 'default', { assumeNone: true });
  /** Workflows a test started; any still running at its end is terminated, since a workflow left
   * without a worker holds the test server's clock and would stall every later test (see endWhenIdle). */
  const started: WorkflowHandle[] = [];

  async function withWorker<T>(config: Config, fn: () => Promise<T>): Promise<T> {
    config.temporal.taskQueue = uniqueId('tq');
    // The time-skipping server's clock jumps ahead of the worker's by design: no skew is a fault here.
    config.trail.maxClockSkewSeconds = Number.MAX_SAFE_INTEGER;
    const { worker, mailer } = await createIncidentWorker(env.nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    try {
      return await worker.runUntil(async () => {
        // Ended while the worker still runs, so that what the workflows have in flight can finish.
        let result: T;
        try {
          result = await fn();
        } catch (err) {
          await endWhenIdle(started.splice(0));
          throw err;
        }
        const busy = await endWhenIdle(started.splice(0));
        if (busy.length)
          throw new Error(
            `${busy.join(', ')} still had an activity or workflow task in flight 30 s after the test ended; ` +
              'terminated anyway, the test server may now hold its clock for the tests after this one',
          );
        return result;
      });
    } finally {
      await Promise.all(started.splice(0).map((h) => h.terminate('test finished').catch(() => undefined)));
      mailer.close();
    }
  }

  async function start(config: Config, opts: StartOptions = {}) {
    const incidentId = opts.id ?? uniqueId('INC');
    const nowMs = await env.currentTimeMs();
    const awareMs = opts.awareAt ? Date.parse(opts.awareAt) : nowMs - (opts.awareAgoMs ?? 0);
    const handle = await env.client.workflow.start<typeof incidentWorkflow>(api.WORKFLOW_TYPE, {
      workflowId: incidentId,
      taskQueue: config.temporal.taskQueue,
      args: [
        {
          request: {
            incidentId,
            title: 'Customer database exfiltration',
            severity: 'SEV1',
            category: (opts.category ?? 'data-breach') as 'data-breach',
            systems: opts.systems ?? [],
            detection: 'IDS alert on outbound traffic',
            awareAt: new Date(awareMs).toISOString(),
            openedBy: 'alice',
            ...(opts.policyProfile ? { policyProfile: opts.policyProfile } : {}),
          },
          ...(opts.policy ? { policy: opts.policy } : {}),
          maxHistoryEvents: opts.maxHistoryEvents,
        },
      ],
    });
    started.push(handle);
    return { handle, incidentId, startMs: nowMs, awareMs };
  }

  return { env, withWorker, start, started, teardown: () => env.teardown() };
}

export async function auditOf(config: Config, incidentId: string): Promise<AuditEntry[]> {
  const text = await readFile(path.join(config.dataDir, 'audit', `${incidentId}.jsonl`), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry);
}

export const actions = (entries: AuditEntry[], action: string) => entries.filter((e) => e.action === action);
/** Hours from `fromMs`, to the second: a timer fires a few milliseconds after its due time. */
export const offsetHours = (entry: AuditEntry, fromMs: number) =>
  Math.round((new Date(entry.at).getTime() - fromMs) / 1000) / 3600;
