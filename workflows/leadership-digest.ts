import { proxyActivities } from '@temporalio/workflow';
import type { IncidentActivities } from '../activities';
import type { DigestActivities } from '../activities/digest';
import { digestMail } from '../domain/digest';
import { FAILURE_TYPES } from '../domain/failure-types';
import type { LeadershipDigestInput, LeadershipDigestResult } from './incident-api';

// One run of the daily digest: read the open obligations, then mail them to leadership, or send nothing
// when nothing is open. The mail's key is the day's, so a second run that day is not a second mail.

const { collectDigest } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumAttempts: 5 },
});

const { sendMail } = proxyActivities<Pick<IncidentActivities, 'sendMail'>>({
  startToCloseTimeout: '1m',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumAttempts: 10,
    nonRetryableErrorTypes: [FAILURE_TYPES.mailRejected],
  },
});

export async function leadershipDigest(input: LeadershipDigestInput): Promise<LeadershipDigestResult> {
  const incidents = await collectDigest();
  const message = digestMail(incidents, { now: new Date(), timeZone: input.timeZone, to: input.to });
  const openObligations = incidents.reduce((n, i) => n + i.obligations.length, 0);
  if (!message) return { openObligations };
  const delivery = await sendMail(message);
  return {
    openObligations,
    mail: { key: message.key, messageId: delivery.messageId, deduplicated: delivery.deduplicated },
  };
}
