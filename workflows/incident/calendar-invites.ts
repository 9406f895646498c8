import { nextInvite, obligationInvite, recordInvite } from '../../domain/calendar-invite';
import { calendarInviteMail } from '../../domain/notices';
import { recipientsForObligation, type Policy } from '../../domain/policy';
import type { IncidentRun } from './incident-run';
import type { MailQueue } from './mail-queue';

// Keeps the calendars of each obligation's recipients in step with it: an invite when it opens, an update
// (higher SEQUENCE) whenever its deadline moves or pauses, a cancellation once it is met, waived or no longer
// applies. It compares each obligation with the last invite sent, so every path that changes an obligation
// is covered without each having to remember the calendar.

export function syncCalendarInvites({ s }: IncidentRun, mail: MailQueue, policy: Policy): void {
  if (!s.calendarInvites) return;
  for (const ob of s.obligations) {
    const step = nextInvite(ob);
    if (!step) continue;
    const to = recipientsForObligation(policy, ob);
    const invite = obligationInvite(s, ob, policy, to, step.method, step.sequence);
    recordInvite(ob, invite);
    if (to.length) void mail.deliver(calendarInviteMail(s, ob, invite, policy));
  }
}
