import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../../activities';
import { FAILURE_TYPES } from '../../domain/failure-types';
import { seniorAlertTaskQueue } from '../incident-api';

// Timeouts and retries of every activity an incident runs, in one place (README "Guarantees" explains them).

const retryForever = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' };

/** The audit trail and a reload of the roster: retried without end. */
export const recordActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30s',
  retry: retryForever,
} satisfies ActivityOptions);

/**
 * What a new incident reads from the worker's memory (policy, roster). Local, so it completes within the
 * incident's first workflow task and the senior alert leaves without waiting on a round trip.
 */
export const settingsActs = proxyLocalActivities<IncidentActivities>({
  startToCloseTimeout: '30s',
  retry: retryForever,
} satisfies LocalActivityOptions);

/** A few quick attempts; the mail queue then takes over with its own, longer backoff. */
const mailOptions = {
  startToCloseTimeout: '1m',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumAttempts: 3,
    nonRetryableErrorTypes: [FAILURE_TYPES.mailRejected],
  },
} satisfies ActivityOptions;

export const mailActs = proxyActivities<IncidentActivities>(mailOptions);

/**
 * The senior alert and escalations, on the queue beside the incident's own (seniorAlertTaskQueue). Built
 * when called: the queue's name comes from the running workflow, which module scope does not have.
 */
export const seniorMailActs = () =>
  proxyActivities<IncidentActivities>({ ...mailOptions, taskQueue: seniorAlertTaskQueue(workflowInfo().taskQueue) });

const driverOptions = {
  startToCloseTimeout: '15m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 3 },
} satisfies ActivityOptions;

/**
 * Isolation and release. The driver's command may run for minutes, so only a heartbeat tells a worker that
 * died mid-command from one still waiting on it: with one, the step moves to another worker within the
 * heartbeat timeout instead of holding the system "under way" until the start-to-close timeout.
 */
const heartbeatingDriverActs = proxyActivities<IncidentActivities>({ ...driverOptions, heartbeatTimeout: '30s' });
const waitingDriverActs = proxyActivities<IncidentActivities>(driverOptions);
export const driverActs = (heartbeat: boolean) => (heartbeat ? heartbeatingDriverActs : waitingDriverActs);

/** A copy can take hours; the heartbeat timeout moves a dead worker's copy to another one. */
export const evidenceActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 5 },
});

export const reportActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 5 },
});

/** The clock engine is pure: a failure is a bug or a configuration gap, shown as a problem, not retried forever. */
export const clockActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 3 },
});
