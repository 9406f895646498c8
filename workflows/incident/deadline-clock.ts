import { condition } from '@temporalio/workflow';
import { dueNotices, nextEscalationAt, nextNoticeAt } from '../../domain/deadlines';
import { deadlineNotice, seniorAlert } from '../../domain/notices';
import { escalationRecipients, recipientsForObligation } from '../../domain/policy';
import { syncCalendarInvites } from './calendar-invites';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';
import { noticeAccepted, obligationWentOverdue, seniorAlertAccepted } from './incident-metrics';
import type { MailQueue } from './mail-queue';

// The deadline clock: escalation until someone acknowledges, reminders before each deadline, overdue
// notices after. One loop computes the next moment anything is due and sleeps until then, or until the
// incident changes (every change bumps the run's version).

export interface ClockParts {
  mail: MailQueue;
  publishSearchAttributes: () => void;
  /** Incidents from before the opening entry came first tell level 0 only while nobody acknowledged. */
  seniorAlertAlways: boolean;
  /** Whether the senior alert goes on its own queue; incidents from before it replay it on the incident's. */
  seniorQueue: () => boolean;
}

export async function runDeadlineClock(
  run: IncidentRun,
  { mail, publishSearchAttributes, seniorAlertAlways, seniorQueue }: ClockParts,
): Promise<void> {
  const { s, audit } = run;
  // The clock starts once the policy is in place, and an incident keeps its policy for life.
  const policy = run.policy();
  while (!s.closedAt) {
    const t = run.now();
    // Senior personnel are told at opening whatever happens; later levels only while nobody acknowledged.
    if (
      ((seniorAlertAlways && s.escalationsSent === 0) || !s.acknowledgement) &&
      nextEscalationAt(s.openedAt, s.escalationsSent, policy) <= t
    ) {
      const level = s.escalationsSent++;
      const to = escalationRecipients(policy, level);
      audit.record(SYSTEM_ACTOR, level === 0 ? 'notify.senior-alerted' : 'notify.escalated', { level, to });
      const delivered = mail.deliver(seniorAlert(s, policy, level, to), { senior: seniorQueue() });
      if (level === 0) void delivered.then((id) => id && seniorAlertAccepted(s.openedAt, run.now()));
      continue;
    }
    syncCalendarInvites(run, mail, policy);
    for (const ob of s.obligations) {
      const { send, skip } = dueNotices(ob, policy, t);
      ob.noticesSent.push(...skip);
      if (send) {
        // Each regime's obligations go to the roles it names (the DPO for GDPR, the CFO for the SEC).
        const to = recipientsForObligation(policy, ob);
        ob.noticesSent.push(send.key);
        audit.record(SYSTEM_ACTOR, send.kind === 'overdue' ? 'deadline.overdue' : 'deadline.reminder', {
          obligation: ob.id,
          dueAt: ob.dueAt,
          notice: send.key,
          to,
        });
        if (send.kind === 'overdue' && send.hours === 0) obligationWentOverdue(ob.clock?.regime ?? ob.kind);
        void mail
          .deliver(deadlineNotice(s, ob, send, policy, to, t))
          .then((id) => id && noticeAccepted(send.kind, send.at, run.now()));
      }
    }
    publishSearchAttributes();
    const wakes = [
      ...(s.acknowledgement ? [] : [nextEscalationAt(s.openedAt, s.escalationsSent, policy).getTime()]),
      ...s.obligations.map((ob) => nextNoticeAt(ob, policy, t)?.getTime()).filter((x): x is number => x !== undefined),
    ];
    const seen = run.version();
    const wake = wakes.length ? Math.min(...wakes) : undefined;
    if (wake === undefined) await condition(() => run.version() !== seen || !!s.closedAt);
    else await condition(() => run.version() !== seen || !!s.closedAt, Math.max(1, wake - t.getTime()));
  }
}
