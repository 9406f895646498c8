import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { ScheduleOptions } from '@temporalio/client';
import type { Config } from '../platform/config/schema';
import { recipientsOf } from '../domain/policy';
import { TEMPORAL_DEFAULTS } from '../platform/config/merge';
import { DIGEST_SCHEDULE_ID, DIGEST_WORKFLOW_TYPE, type LeadershipDigestInput } from '../workflows/incident-api';

// The daily leadership digest is a Temporal Schedule, so it runs once a day however many workers there are
// and whether or not one was up at the hour before. Every worker start makes it match its configuration:
// created when absent, updated when another worker (or an older configuration) made it, deleted when off.

/**
 * One digest per task queue, as the digest covers the incidents of its queue: `leadership-digest` for the
 * default queue; another deployment sharing the namespace on its own queue gets its own, named after it.
 */
export function digestScheduleId(taskQueue: string): string {
  return taskQueue === TEMPORAL_DEFAULTS.taskQueue ? DIGEST_SCHEDULE_ID : `${DIGEST_SCHEDULE_ID}-${taskQueue}`;
}

export type DigestScheduleOutcome = 'created' | 'updated' | 'deleted' | 'absent';

/** The schedule as this configuration wants it. */
export function digestScheduleOptions(config: Config): ScheduleOptions {
  const { digest, policy } = config;
  const [hour, minute] = digest.time.split(':').map(Number);
  const input: LeadershipDigestInput = { timeZone: digest.timeZone, to: recipientsOf(policy, digest.recipients) };
  const scheduleId = digestScheduleId(config.temporal.taskQueue);
  return {
    scheduleId,
    spec: { calendars: [{ hour, minute }], timezone: digest.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: DIGEST_WORKFLOW_TYPE,
      workflowId: scheduleId,
      taskQueue: config.temporal.taskQueue,
      args: [input],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    memo: { description: `Daily digest of open obligations to ${digest.recipients.join(', ')}` },
  };
}

export async function ensureDigestSchedule(client: Client, config: Config): Promise<DigestScheduleOutcome> {
  const handle = client.schedule.getHandle(digestScheduleId(config.temporal.taskQueue));
  if (!config.digest.enabled) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'absent';
      throw err;
    }
  }
  const options = digestScheduleOptions(config);
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await handle.update((previous) => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.SKIP },
  }));
  return 'updated';
}
