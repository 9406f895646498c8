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

export async function timeSkippingHarness() {
  const env = await startTimeSkipping();
  await registerSearchAttributes(env.connection, 'default', { assumeNone: true });
  /** Workflows a test started; any still running at its end is terminated, since a workflow left
   * without a worker holds the test server's clock and would stall every later test. */
  const started: WorkflowHandle[] = [];

  async function withWorker<T>(config: Config, fn: () => Promise<T>): Promise<T> {
    config.temporal.taskQueue = uniqueId('tq');
    // The time-skipping server's clock jumps ahead of the worker's by design: no skew is a fault here.
    config.trail.maxClockSkewSeconds = Number.MAX_SAFE_INTEGER;
    const { worker, mailer } = await createIncidentWorker(env.nativeConnection, config, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    try {
      return await worker.runUntil(fn);
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
