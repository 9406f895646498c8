import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { ScheduleOptions } from '@temporalio/client';
import type { Config } from '../platform/config/schema';
import { recipientsOf } from '../domain/policy';
import { DIGEST_SCHEDULE_ID, DIGEST_WORKFLOW_TYPE, type LeadershipDigestInput } from '../workflows/incident-api';

// The daily leadership digest is a Temporal Schedule, so it runs once a day however many workers there are
// and whether or not one was up at the hour before. Every worker start makes it match its configuration:
// created when absent, updated when another worker (or an older configuration) made it, deleted when off.

export type DigestScheduleOutcome = 'created' | 'updated' | 'deleted' | 'absent';

/** The schedule as this configuration wants it. */
export function digestScheduleOptions(config: Config): ScheduleOptions {
  const { digest, policy } = config;
  const [hour, minute] = digest.time.split(':').map(Number);
  const input: LeadershipDigestInput = { timeZone: digest.timeZone, to: recipientsOf(policy, digest.recipients) };
  return {
    scheduleId: DIGEST_SCHEDULE_ID,
    spec: { calendars: [{ hour, minute }], timezone: digest.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: DIGEST_WORKFLOW_TYPE,
      workflowId: DIGEST_SCHEDULE_ID,
      taskQueue: config.temporal.taskQueue,
      args: [input],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    memo: { description: `Daily digest of open obligations to ${digest.recipients.join(', ')}` },
  };
}

export async function ensureDigestSchedule(client: Client, config: Config): Promise<DigestScheduleOutcome> {
  const handle = client.schedule.getHandle(DIGEST_SCHEDULE_ID);
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
